/**
 * Where `memtrace run --native` finds the allocation tracker it preloads (a library with no Node ABI,
 * one per platform): native/build-preload/memtrace-native.so, built from source in this checkout or
 * installed package (scripts/build-native.js), else prebuilds/linux-<arch>/memtrace-native.glibc.so,
 * shipped in the package (scripts/prebuild.js). Linux with glibc only: the tracker calls glibc's
 * own allocator entry points.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildFromSourceCommand } from '../shared/native-addon.js';

const packageRoot = new URL('../../../', import.meta.url);

/** glibc's version where the process runs on glibc (process.report says so), else undefined. */
function glibcVersion(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}

/** The tracker's path, or why there is none (one line). */
export function nativeTrackerPath(): { path: string } | { missing: string } {
  if (process.platform !== 'linux') return { missing: `it needs Linux with glibc (this is ${process.platform})` };
  if (!glibcVersion()) return { missing: 'it needs Linux with glibc (this Linux has another C library)' };
  const local = fileURLToPath(new URL('native/build-preload/memtrace-native.so', packageRoot));
  const prebuilt = fileURLToPath(new URL(`prebuilds/linux-${process.arch}/memtrace-native.glibc.so`, packageRoot));
  const path = [process.env.MEMTRACE_PREBUILDS_ONLY !== '1' ? local : undefined, prebuilt].find((p) => p && existsSync(p));
  if (!path) return { missing: `the tracker is not built for linux-${process.arch}; build it with \`${buildFromSourceCommand()}\`` };
  // LD_PRELOAD splits its list on spaces and colons.
  if (/[\s:]/.test(path)) return { missing: `its path has a space or a colon, which LD_PRELOAD cannot take: ${path}` };
  return { path };
}
