// Runs a fixture program under the tracer (or untraced) in a child process and reads its trace.
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findTraces, readTrace } from '../../dist/src/index.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const registerPath = join(root, 'dist', 'loader', 'register.js');
export const cliPath = join(root, 'dist', 'src', 'cli', 'main.js');
export const fixture = (...parts) => join(root, 'test', 'fixtures', ...parts);

export function freshDir(prefix = 'memtrace-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * This Node as a command: [process.execPath], or, where MEMTRACE_TEST_EMULATOR is set (scripts/test-arm64.js:
 * "qemu-aarch64 -L /usr/aarch64-linux-gnu", for another CPU's Node that this kernel cannot start), the
 * emulator's command line before it.
 */
export function nodeCommand() {
  const emulator = process.env.MEMTRACE_TEST_EMULATOR?.split(' ').filter(Boolean) ?? [];
  return [...emulator, process.execPath];
}

/** Runs `node [--import register] [nodeArgs] file args` and returns its output and traces. */
export function runTraced(file, { env = {}, nodeArgs = [], args = [], traced = true, input } = {}) {
  const out = freshDir();
  const [command, ...commandArgs] = nodeCommand();
  // memtrace/register goes after other loaders (tsx), so its hooks see their output.
  const result = spawnSync(
    command,
    [...commandArgs, ...nodeArgs, ...(traced ? ['--import', pathToFileURL(registerPath).href] : []), file, ...args],
    {
      env: { ...process.env, MEMTRACE_OUT: out, MEMTRACE_CACHE_DIR: join(out, '.cache'), ...env },
      encoding: 'utf8',
      input,
      timeout: process.env.MEMTRACE_TEST_EMULATOR ? 600_000 : 120_000,
    },
  );
  const directories = findTraces(out);
  return { ...result, out, directories, trace: directories.length > 0 ? readTrace(directories[0]) : undefined };
}

/** Starts a traced program in the background (for signals). */
export function spawnTraced(file, { env = {}, args = [], stdin = 'ignore' } = {}) {
  const out = freshDir();
  const child = spawn(process.execPath, ['--import', pathToFileURL(registerPath).href, file, ...args], {
    env: { ...process.env, MEMTRACE_OUT: out, MEMTRACE_CACHE_DIR: join(out, '.cache'), ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  return { child, out };
}

export function fn(trace, name) {
  const row = trace.functions.find((r) => r.function === name);
  if (!row) throw new Error(`no function ${name} in functions.csv: ${trace.functions.map((r) => r.function).join(', ')}`);
  return row;
}

export const MiB = 1024 * 1024;
