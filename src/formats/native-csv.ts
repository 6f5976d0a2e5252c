/**
 * The native allocations of a `memtrace run --native`, as memtrace writes them into the trace
 * directory after the run (src/native/convert.ts):
 * - native-allocations.csv: one row per JS function × native stack × thread, with the estimated bytes
 *   and count allocated, the bytes freed before the program's end and the bytes still live at it;
 * - native-stacks.csv: each native stack, frames innermost first, the JS function last (marked `js:`).
 * The figures are estimates from sampled allocations (docs/native.md says how, and their error).
 */
import { stringify } from 'csv-stringify/sync';
import { numberCell, optionalNumberCell, readCsvRowsSync } from './csv-rows.js';

export const NATIVE_ALLOCATIONS_FILE = 'native-allocations.csv';
export const NATIVE_STACKS_FILE = 'native-stacks.csv';
export const NATIVE_SUMMARY_FILE = 'native.json';

export const NATIVE_ALLOCATION_COLUMNS = [
  'function',
  'file',
  'line',
  'native_stack_id',
  'thread',
  'thread_name',
  'allocated_bytes',
  'allocated_count',
  'freed_bytes',
  'live_bytes_at_exit',
  'samples',
] as const;
export const NATIVE_STACK_COLUMNS = ['native_stack_id', 'frames'] as const;
/** Between the frames of native-stacks.csv. */
export const FRAME_SEPARATOR = ';';
/** Marks the JS function at the end of a stack. */
export const JS_FRAME_PREFIX = 'js: ';

export interface NativeAllocationRow {
  /** The measured JS function that was running ('' where none is known: another thread, start-up). */
  function: string;
  file: string;
  line: number | null;
  nativeStackId: number;
  /** 'main', or the Linux thread id of another thread (libuv's threadpool, a worker, V8's helpers). */
  thread: string;
  /** The thread's name where it was still running at the end ('' if not known). */
  threadName: string;
  allocatedBytes: number;
  allocatedCount: number;
  freedBytes: number;
  liveBytesAtExit: number;
  samples: number;
}

export interface NativeStackRow {
  nativeStackId: number;
  /** Innermost first; the last may be the JS function (JS_FRAME_PREFIX). */
  frames: string[];
}

/** native.json: how the record was taken. */
export interface NativeSummary {
  pid: number;
  /** Mean bytes between samples; 0: every allocation. */
  interval: number;
  samples: number;
  /** Whether the record reached the program's end (else it was killed: "live at exit" is live at its last record). */
  reachedExit: boolean;
  /** Samples whose frees could not be matched (the live table was full). */
  untracked: number;
  allocatedBytes: number;
  freedBytes: number;
  liveBytesAtExit: number;
}

function round(value: number): number {
  return Math.round(value);
}

export function formatNativeAllocationsCsv(rows: readonly NativeAllocationRow[]): string {
  return stringify(
    rows.map((r) => [
      r.function,
      r.file,
      r.line ?? '',
      r.nativeStackId,
      r.thread,
      r.threadName,
      round(r.allocatedBytes),
      round(r.allocatedCount),
      round(r.freedBytes),
      round(r.liveBytesAtExit),
      r.samples,
    ]),
    { header: true, columns: [...NATIVE_ALLOCATION_COLUMNS] },
  );
}

export function formatNativeStacksCsv(rows: readonly NativeStackRow[]): string {
  return stringify(
    rows.map((r) => [r.nativeStackId, r.frames.join(FRAME_SEPARATOR)]),
    { header: true, columns: [...NATIVE_STACK_COLUMNS] },
  );
}

export function readNativeAllocationsCsv(path: string): NativeAllocationRow[] {
  return readCsvRowsSync(path, NATIVE_ALLOCATION_COLUMNS, (cells, splitter) => ({
    function: cells[0],
    file: cells[1],
    line: optionalNumberCell(cells[2]),
    nativeStackId: numberCell(cells, 3, 'native_stack_id', splitter),
    thread: cells[4],
    threadName: cells[5],
    allocatedBytes: numberCell(cells, 6, 'allocated_bytes', splitter),
    allocatedCount: numberCell(cells, 7, 'allocated_count', splitter),
    freedBytes: numberCell(cells, 8, 'freed_bytes', splitter),
    liveBytesAtExit: numberCell(cells, 9, 'live_bytes_at_exit', splitter),
    samples: numberCell(cells, 10, 'samples', splitter),
  }));
}

export function readNativeStacksCsv(path: string): NativeStackRow[] {
  return readCsvRowsSync(path, NATIVE_STACK_COLUMNS, (cells, splitter) => ({
    nativeStackId: numberCell(cells, 0, 'native_stack_id', splitter),
    frames: cells[1] ? cells[1].split(FRAME_SEPARATOR) : [],
  }));
}
