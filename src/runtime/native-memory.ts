/**
 * The traced process's side of `memtrace run --native`. The allocation tracker (native/preload/,
 * loaded with LD_PRELOAD) records from the process's first malloc into MEMTRACE_NATIVE_DIR/
 * native-<pid>.raw; once the tracer has its trace directory, this moves that file into it
 * (native-raw.bin), names every JS function id the record may carry, and marks the program's end
 * before anything of the process's teardown is freed. Through the addon (native/native-memory.cc);
 * where the tracker or the addon is absent, it does nothing. Main thread only: a worker's allocations
 * carry its thread id, not its functions. Every thread reports its threadpool requests (native-pool.ts).
 */
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { onProcessEnd } from './exit-hooks.js';
import type { FunctionTable } from './function-table.js';
import { loadNativeAddon } from '../shared/native-addon.js';
import { type PoolTracker, trackPoolOwners } from './native-pool.js';

interface NativeMemoryAddon extends PoolTracker {
  nativeMemoryRecording(): boolean;
  nativeMemoryAttach(path: string): number;
  nativeMemoryFunction(id: number, name: string, file: string, line: number, column: number): void;
  nativeMemoryExit(): void;
  nativeMemoryFlush(): void;
  nativeMemoryIgnoreThread(ignore?: boolean): void;
}

/** The tracker's record in the trace directory (src/formats/native-raw.ts reads it). */
export const NATIVE_RAW_FILE = 'native-raw.bin';
const FLUSH_EVERY_MS = 1000;

function trackerAddon(): NativeMemoryAddon | undefined {
  if (!process.env.MEMTRACE_NATIVE_DIR) return undefined;
  const addon = loadNativeAddon() as Partial<NativeMemoryAddon> | null;
  return addon?.nativeMemoryRecording?.() ? (addon as NativeMemoryAddon) : undefined;
}

/** Joins the tracker's record to the trace in `directory`; true when the tracker records this process. */
export function startNativeMemory(directory: string, table: FunctionTable): boolean {
  const addon = trackerAddon();
  if (!addon) return false;
  // Every thread reports the threadpool requests it queues; a worker's are nobody's the record can name.
  trackPoolOwners(addon);
  if (!isMainThread) return false;
  const error = addon.nativeMemoryAttach(join(directory, NATIVE_RAW_FILE));
  if (error !== 0) {
    process.stderr.write(
      `memtrace: --native: could not move the native record into ${directory} (errno ${error}); it stays in ${process.env.MEMTRACE_NATIVE_DIR}\n`,
    );
  }
  const name = (first: number, added: readonly { name: string; file: string; line: number; column: number }[]): void => {
    added.forEach((fn, i) => addon.nativeMemoryFunction(first + i, fn.name, fn.file, fn.line, fn.column));
  };
  name(0, table.functions);
  table.onAdd(name);
  // The tracker writes as it samples; this writes out the last records of a program that went quiet
  // (and may be killed next). A timer runs with no traced call on the stack: nobody's allocation.
  const flushTimer = setInterval(() => addon.nativeMemoryFlush(), FLUSH_EVERY_MS).unref();
  onProcessEnd({
    flush() {
      addon.nativeMemoryFlush();
    },
    stop() {
      clearInterval(flushTimer);
      addon.nativeMemoryExit();
    },
  });
  return true;
}

/** `work()` with this thread's allocations kept out of the native record (memtrace's own: the calibration). */
export function outsideNativeMemory<T>(work: () => T): T {
  const addon = trackerAddon();
  addon?.nativeMemoryIgnoreThread(true);
  try {
    return work();
  } finally {
    addon?.nativeMemoryIgnoreThread(false);
  }
}
