// What the `--native` tests check of a trace directory, shared by the run through the CLI
// (native-memory.test.js) and the tracker preloaded by hand on this CPU or on arm64 under qemu-user
// (native-preload.test.js, scripts/test-arm64.js).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findTraces } from '../../dist/src/index.js';
import { readNativeAllocationsCsv, readNativeStacksCsv } from '../../dist/src/formats/native-csv.js';
import { convertNativeRecord } from '../../dist/src/native/convert.js';
import { nativeTrackerPath } from '../../dist/src/native/tracker-path.js';
import { fixture, freshDir, MiB, registerPath } from './run-traced.js';
import { nativeSamplingOfMiBBlocks } from './tolerances.js';

export function nativeRows(directory) {
  return readNativeAllocationsCsv(join(directory, 'native-allocations.csv'));
}

export function sum(rows, field) {
  return rows.reduce((total, row) => total + row[field], 0);
}

export function rowsOf(rows, name) {
  return rows.filter((row) => row.function === name);
}

/** Stack id -> frames (innermost first) of a trace directory. */
export function nativeStacks(directory) {
  return new Map(readNativeStacksCsv(join(directory, 'native-stacks.csv')).map((s) => [s.nativeStackId, s.frames]));
}

/**
 * keep-buffers.cjs: keepBuffers's 64 buffers of 1 MiB live at exit on the main thread, its biggest row's
 * stack Node's array buffer allocator under the JS function. Returns keepBuffers's rows.
 */
export function checkKeepBuffers(t, directory) {
  const rows = rowsOf(nativeRows(directory), 'keepBuffers');
  const live = sum(rows, 'liveBytesAtExit');
  t.true(Math.abs(live - 64 * MiB) <= nativeSamplingOfMiBBlocks(64), `keepBuffers live at exit: ${live}`);
  t.true(rows.every((row) => row.thread === 'main' && row.file.endsWith('keep-buffers.cjs') && row.line === 2));
  const biggest = [...rows].sort((a, b) => b.liveBytesAtExit - a.liveBytesAtExit)[0];
  const frames = nativeStacks(directory).get(biggest.nativeStackId);
  t.regex(frames.join(';'), /ArrayBuffer|BackingStore/);
  t.regex(frames.at(-1), /^js: keepBuffers \(.*keep-buffers\.cjs:2\)$/);
  return rows;
}

/** gzip.cjs: zlib's state and output (~260 KiB a stream, 40 streams) allocated and freed under compressMany. */
export function checkGzip(t, directory) {
  const rows = rowsOf(nativeRows(directory), 'compressMany');
  const allocated = sum(rows, 'allocatedBytes');
  const freed = sum(rows, 'freedBytes');
  t.true(allocated >= 5 * MiB, `allocated ${allocated}`);
  t.true(freed >= 0.6 * allocated, `freed ${freed} of ${allocated}`);
  const stacks = nativeStacks(directory);
  t.true(
    rows.some((row) => stacks.get(row.nativeStackId)?.some((frame) => frame.startsWith('deflateInit2_'))),
    'a stack through deflateInit2_',
  );
}

/** small-buffers.cjs at interval 0: the 100 backing stores of 1000 bytes, exactly, on one stack. */
export function checkEveryAllocation(t, directory) {
  t.is(JSON.parse(readFileSync(join(directory, 'native.json'), 'utf8')).interval, 0);
  const rows = rowsOf(nativeRows(directory), 'smallBuffers');
  t.true(
    rows.some(
      (row) => row.allocatedCount === 100 && row.allocatedBytes === 100_000 && row.liveBytesAtExit === 100_000 && row.samples === 100,
    ),
  );
}

/**
 * Runs test/fixtures/native/`program` traced, with the tracker preloaded as `memtrace run --native`
 * preloads it, and converts its record as the CLI does. Under scripts/test-arm64.js
 * (MEMTRACE_TEST_EMULATOR) the program runs on qemu-user, which takes the tracker's variables with -E:
 * a plain LD_PRELOAD would apply to the emulator itself.
 */
export function runPreloaded(program, { interval = 256 * 1024 } = {}) {
  const tracker = nativeTrackerPath();
  if (!('path' in tracker)) throw new Error(`no tracker: ${tracker.missing}`);
  const out = freshDir('memtrace-preload-');
  const preload = { LD_PRELOAD: tracker.path, MEMTRACE_NATIVE_DIR: out, MEMTRACE_NATIVE_INTERVAL: String(interval) };
  const emulator = process.env.MEMTRACE_TEST_EMULATOR?.split(' ').filter(Boolean) ?? [];
  const [command, ...args] =
    emulator.length > 0
      ? [...emulator, ...Object.entries(preload).flatMap(([name, value]) => ['-E', `${name}=${value}`]), process.execPath]
      : [process.execPath];
  const result = spawnSync(command, [...args, '--import', pathToFileURL(registerPath).href, fixture('native', program)], {
    encoding: 'utf8',
    env: { ...process.env, MEMTRACE_OUT: out, MEMTRACE_CACHE_DIR: join(out, '.cache'), ...(emulator.length > 0 ? {} : preload) },
    timeout: emulator.length > 0 ? 600_000 : 120_000,
  });
  const directories = findTraces(out);
  const summaries = directories.map((directory) => convertNativeRecord(directory));
  return { ...result, out, directories, summaries };
}
