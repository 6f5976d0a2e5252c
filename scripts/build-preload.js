// Builds --native's allocation tracker (native/preload/*.c): a plain shared library that
// `memtrace run --native` loads with LD_PRELOAD. It uses no Node header, so one build serves every Node
// of a platform. Linux with glibc only (it calls glibc's __libc_malloc family). Used by
// scripts/build-native.js (native/build-preload/, for this checkout or installed package) and
// scripts/prebuild.js (prebuilds/linux-<arch>/memtrace-native.glibc.so).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nativeDir } from './node-gyp.js';

export const preloadDir = join(nativeDir, 'preload');
export const PRELOAD_NAME = 'memtrace-native';

/** Whether `output` exists and is newer than every source of the tracker. */
export function preloadUpToDate(output) {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return readdirSync(preloadDir).every((file) => statSync(join(preloadDir, file)).mtimeMs < built);
}

/**
 * Compiles the tracker's sources with `compiler` (gcc, or aarch64-linux-gnu-gcc for arm64) into `output`.
 * Returns an error line, or undefined when it is in place.
 */
export function buildPreload({ compiler = process.env.CC || 'cc', output }) {
  mkdirSync(dirname(output), { recursive: true });
  rmSync(output, { force: true });
  const args = [
    '-O2',
    '-g0',
    '-std=gnu11',
    '-Wall',
    '-Wextra',
    '-fPIC',
    '-shared',
    '-fvisibility=hidden',
    '-ftls-model=initial-exec',
    '-o',
    output,
    ...readdirSync(preloadDir)
      .filter((file) => file.endsWith('.c'))
      .sort()
      .map((file) => join(preloadDir, file)),
    '-lgcc_s',
    '-lm',
    '-lpthread',
    '-ldl',
  ];
  const result = spawnSync(compiler, args, { encoding: 'utf8' });
  if (result.error) return `${compiler}: ${result.error.message}`;
  if (result.status !== 0)
    return `${compiler} failed: ${
      (result.stderr || result.stdout)
        .trim()
        .split('\n')
        .find((l) => /error/.test(l)) ?? result.stderr.trim().split('\n').at(-1)
    }`;
  if (result.stderr.trim()) return `${compiler} warned: ${result.stderr.trim().split('\n')[0]}`;
  return undefined;
}
