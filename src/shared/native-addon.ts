/**
 * Finds a native addon of memtrace for the running Node, with no install script and no compiler:
 *   1. native/build-<ABI>/<addon>.node, built from source in this checkout or installed package
 *      (scripts/build-native.js): a developer's build of changed C++ wins over what shipped;
 *   2. prebuilds/<platform>-<arch>/<addon>.abi<ABI>.<libc>.node, shipped in the package
 *      (scripts/prebuild.js), chosen by node-gyp-build's own tag matching (platform, CPU, ABI, libc).
 * The addon reads V8's internals, so a binary serves one ABI: a Node newer than the prebuilds finds
 * none and gets one line saying how to build it from source. MEMTRACE_PREBUILDS_ONLY=1 skips (1), to
 * test the prebuilds from a checkout that has its own builds.
 *
 * A second addon (--native's allocation tracker) lives in the same directories under its own name.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

interface Tags {
  file: string;
}
interface Tuple {
  name: string;
}
/** The parts of node-gyp-build (index.js of 4.x) used here: its tag parsing and matching. */
interface NodeGypBuild {
  parseTuple(name: string): Tuple | undefined;
  matchTuple(platform: string, arch: string): (tuple: Tuple | undefined) => tuple is Tuple;
  compareTuples(a: Tuple, b: Tuple): number;
  parseTags(file: string): Tags | undefined;
  matchTags(runtime: string, abi: string): (tags: Tags | undefined) => tags is Tags;
  compareTags(runtime: string): (a: Tags, b: Tags) => number;
}

/** The package's root, from dist/src/shared/native-addon.js. */
const packageRoot = new URL('../../../', import.meta.url);

/** The command that builds the addon from source for the running Node, as one line can say it. */
export function buildFromSourceCommand(): string {
  return `node ${fileURLToPath(new URL('scripts/build-native.js', packageRoot))}`;
}

function prebuildFor(addon: string, abi: string): string | undefined {
  const prebuilds = fileURLToPath(new URL('prebuilds/', packageRoot));
  if (!existsSync(prebuilds)) return undefined;
  const gypBuild = createRequire(import.meta.url)('node-gyp-build') as NodeGypBuild;
  const tuples = readdirSync(prebuilds)
    .map((name) => gypBuild.parseTuple(name))
    .filter(gypBuild.matchTuple(process.platform, process.arch))
    .sort(gypBuild.compareTuples);
  for (const tuple of tuples) {
    const dir = `${prebuilds}${tuple.name}/`;
    const candidates = readdirSync(dir)
      .filter((file) => file.startsWith(`${addon}.`))
      .map((file) => gypBuild.parseTags(file))
      .filter(gypBuild.matchTags('node', abi))
      .sort(gypBuild.compareTags('node'));
    if (candidates[0]) return dir + candidates[0].file;
  }
  return undefined;
}

/** The path of `addon` for this Node, or why there is none (one line, with what to do). */
export function nativeAddonPath(addon: string): { path: string } | { missing: string } {
  const abi = process.versions.modules;
  const local = fileURLToPath(new URL(`native/build-${abi}/${addon}.node`, packageRoot));
  if (process.env.MEMTRACE_PREBUILDS_ONLY !== '1' && existsSync(local)) return { path: local };
  try {
    const prebuild = prebuildFor(addon, abi);
    if (prebuild) return { path: prebuild };
  } catch (error) {
    return { missing: `its prebuilds could not be read: ${(error as Error).message.split('\n')[0]}` };
  }
  return {
    missing:
      `no prebuilt addon for Node ${process.version} (ABI ${abi}) on ${process.platform}-${process.arch}; ` +
      `build it from source with \`${buildFromSourceCommand()}\``,
  };
}

let addon: unknown;
let addonError = '';

/**
 * The compiled addon of this Node's ABI as its module object, loaded once per thread, or null (no
 * addon, MEMTRACE_NO_NATIVE=1, or it failed to load: nativeAddonError() then says why). The
 * counters (runtime/native-counters.ts), the writer and the process log's heap sampler take their
 * functions from it.
 */
export function loadNativeAddon(): Record<string, unknown> | null {
  if (addon !== undefined) return addon as Record<string, unknown> | null;
  addon = null;
  if (process.env.MEMTRACE_NO_NATIVE === '1') return null;
  const found = nativeAddonPath('memtrace');
  if ('missing' in found) {
    addonError = found.missing;
    return null;
  }
  try {
    addon = createRequire(import.meta.url)(found.path) as Record<string, unknown>;
  } catch (error) {
    addonError = `it did not load: ${(error as Error).message.split('\n')[0]}`;
  }
  return addon as Record<string, unknown> | null;
}

/** Why loadNativeAddon() returned null ('' when it did not, or was told not to load). */
export function nativeAddonError(): string {
  return addonError;
}

/**
 * Keeps this thread's mallocs out of `memtrace run --native`'s record: memtrace's own threads (the
 * writer thread, the transform worker) call it. A no-op where the tracker or the addon is absent.
 */
export function ignoreThreadInNativeRecord(): void {
  if (!process.env.MEMTRACE_NATIVE_DIR) return;
  (loadNativeAddon() as { nativeMemoryIgnoreThread?: () => void } | null)?.nativeMemoryIgnoreThread?.();
}
