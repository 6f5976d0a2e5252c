// Helpers of the process-logger and heapStats tests: run the CLI or a fixture, read /proc-style output.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nativeAddonPath } from '../../dist/src/shared/native-addon.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = join(root, 'dist', 'src', 'cli', 'main.js');
export const processLoader = pathToFileURL(join(root, 'dist', 'loader', 'process.js')).href;
export const fixture = (name) => join(root, 'test', 'fixtures', 'process', name);
export const MiB = 1024 * 1024;

export function freshDir() {
  return mkdtempSync(join(tmpdir(), 'memtrace-process-test-'));
}

/** `memtrace ARGS` to completion. */
export function cli(args, { env = {}, timeout = 60_000 } = {}) {
  return spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout });
}

/** `memtrace ARGS` in its own process group, for signal tests; resolves when it exits. */
export function cliAsync(args, { env = {} } = {}) {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise((resolve) => child.on('exit', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done, output: () => stdout };
}

/** A fixture run with `--import memtrace/process`. */
export function runLogged(file, { env = {}, interval = 0.05, out } = {}) {
  return spawnSync(process.execPath, ['--import', processLoader, file], {
    encoding: 'utf8',
    env: { ...process.env, MEMTRACE_PROCESS_INTERVAL: String(interval), MEMTRACE_PROCESS_OUT: out, ...env },
    timeout: 60_000,
  });
}

/** The JSON lines a fixture printed. */
export function reports(stdout) {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Polls until `check()` is truthy (at most `ms`). */
export async function until(check, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** Whether this Node's addon is built; a native test without it passes with a note, unless CI_EXPECT_NATIVE=1. */
export function nativeAvailable(t) {
  if ('path' in nativeAddonPath('memtrace')) return true;
  if (process.env.CI_EXPECT_NATIVE === '1') t.fail(`the native addon is not built for Node ${process.version}`);
  else {
    t.log(`native addon not built for Node ${process.version}: only the pure-JS path is tested`);
    t.pass();
  }
  return false;
}
