/**
 * functions.csv and meta.json of a trace, as one step: built from the per-function totals (a
 * Float64Array on a SharedArrayBuffer, so the writer thread reads them while the probes add to them)
 * and written whole (a temporary file renamed over the old one: a kill mid-write leaves the previous
 * file, never half of one).
 *
 * The traced thread writes the final summaries at the end; the writer thread writes checkpoints about
 * once a second while something changes, so the traced thread pays nothing for them. For a full disk,
 * the trace directory holds a reserve file made at the start (RESERVE_FILE): the final write deletes it
 * to make room, and where even that is not enough writes over the old files in place.
 */
import { closeSync, ftruncateSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { formatFunctionsCsv, type FunctionRow } from '../formats/functions-csv.js';
import type { TraceFault, TraceMeta } from '../formats/meta.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import type { FunctionStats } from '../runtime/function-stats.js';
import { Stat } from '../shared/layouts.js';
import { faultOf } from './write-faults.js';
import { EVENT_FILES, PEAK_HEAP_FIGURE, Fault, Figure, type WriterState } from './writer-state.js';

/** meta.json's fields that do not change while the program runs. */
export type MetaBase = Omit<TraceMeta, 'endTime' | 'state' | 'checkpointTime' | 'events' | 'functions' | 'exit' | 'fault'>;

/** The counts that change, as the thread writing knows them. */
export interface MetaCounts {
  measuredCalls: number;
  writerWaits: number;
  functions: number;
}

/**
 * Room kept for the final summaries on a full disk: a file of zeros made at the start, deleted by
 * the final write where the disk is full, and at the end in any case (a killed process leaves it).
 */
export const RESERVE_FILE = '.memtrace-reserve';
const RESERVE_BYTES = 256 * 1024;

/** Makes the reserve file (the tracer, at start); throws where the directory cannot be written. */
export function createReserve(directory: string): void {
  const fd = openSync(join(directory, RESERVE_FILE), 'w');
  try {
    writeSync(fd, new Uint8Array(RESERVE_BYTES));
  } finally {
    closeSync(fd);
  }
}

export function releaseReserve(directory: string): void {
  rmSync(join(directory, RESERVE_FILE), { force: true });
}

const FAULT_NAMES: Record<Fault, TraceFault | undefined> = {
  [Fault.None]: undefined,
  [Fault.DiskFull]: 'disk-full',
  [Fault.DirectoryDeleted]: 'directory-deleted',
  [Fault.WriteError]: 'write-error',
};

/** `kind`: 'final' as the trace ends; `exit`: how the process ended, or the signal it handled and went on after. */
export function buildMeta(
  base: MetaBase,
  counts: MetaCounts,
  state: WriterState,
  kind: 'final' | 'checkpoint',
  exit?: TraceMeta['exit'],
): TraceMeta {
  const now = new Date().toISOString();
  const figures = state.figures;
  const eventFiles = 1 + Math.min(figures[Figure.Rotations], EVENT_FILES - 1);
  // Rows appended to the events files (those rotated out included): the rows of a write that failed are not.
  let rowsWritten = figures[Figure.RowsRotatedOut];
  for (let k = 0; k < EVENT_FILES; k++) rowsWritten += figures[Figure.FileRows + k];
  const fault = FAULT_NAMES[state.fault];
  return {
    ...base,
    endTime: now,
    state: kind,
    ...(kind === 'checkpoint' ? { checkpointTime: now } : {}),
    events: {
      measuredCalls: counts.measuredCalls,
      rowsWritten,
      writerWaits: counts.writerWaits,
      rowsNotWritten: figures[Figure.RowsNotWritten],
      rowsRotatedOut: figures[Figure.RowsRotatedOut],
      eventFiles,
      peakHeapUsed: figures[PEAK_HEAP_FIGURE],
    },
    functions: counts.functions,
    ...(exit ? { exit } : {}),
    ...(fault ? { fault } : {}),
  };
}

/** `quoted`: the quoted names kept from one checkpoint to the next (formatFunctionsCsv). */
export function functionsCsv(
  stats: FunctionStats,
  functions: readonly FunctionInfo[],
  internal: ReadonlySet<number>,
  quoted?: Map<string, string>,
): string {
  return formatFunctionsCsv(
    functionRows(stats, functions, (id) => internal.has(id)),
    quoted,
  );
}

/** functions.csv's rows: the functions that were called, less `skip`'s (the calibration's). */
export function functionRows(stats: FunctionStats, functions: readonly FunctionInfo[], skip: (id: number) => boolean): FunctionRow[] {
  const rows: FunctionRow[] = [];
  for (let id = 0; id < functions.length && id < stats.capacity; id++) {
    const calls = stats.calls(id);
    if (calls === 0 || skip(id)) continue;
    const info = functions[id];
    rows.push({
      function: info.name,
      file: info.file,
      line: info.line,
      column: info.column,
      calls,
      measuredCalls: stats.get(id, Stat.MEASURED_CALLS),
      selfAllocBytes: stats.get(id, Stat.SELF_ALLOC),
      totalAllocBytes: stats.get(id, Stat.TOTAL_ALLOC),
      maxHeapGrowthBytes: stats.get(id, Stat.MAX_HEAP_GROWTH),
      selfTimeNs: stats.get(id, Stat.SELF_TIME),
      totalTimeNs: stats.get(id, Stat.TOTAL_TIME),
    });
  }
  return rows;
}

/**
 * Writes functions.csv and meta.json. `final`: on a full disk, deletes the reserve file and tries
 * again, then falls back to writing over the old files in place (not atomic, but the process is
 * ending and there is nothing better to keep). Throws what the file system said where nothing worked.
 */
export function writeSummaries(directory: string, functions: string, meta: TraceMeta, final: boolean): void {
  const files: [string, string][] = [
    ['functions.csv', functions],
    ['meta.json', `${JSON.stringify(meta, null, 2)}\n`],
  ];
  for (const [name, content] of files) {
    const path = join(directory, name);
    try {
      writeWhole(path, content);
    } catch (error) {
      if (!final || faultOf(error) !== Fault.DiskFull) throw error;
      releaseReserve(directory);
      try {
        writeWhole(path, content);
      } catch {
        writeFrom(path, content, 'r+');
      }
    }
  }
}

function writeWhole(path: string, content: string): void {
  // One temporary name per thread: the writer thread's checkpoint and the traced thread's final write never share one.
  const temporary = `${path}.${threadId}.tmp`;
  try {
    writeFrom(temporary, content, 'w');
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // never created
    }
    throw error;
  }
}

/** Writes `content` from the start of `path` and cuts the file there. */
function writeFrom(path: string, content: string, flags: 'w' | 'r+'): void {
  const bytes = Buffer.from(content);
  const fd = openSync(path, flags);
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at, at);
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * A number that changes whenever a figure of functions.csv does (checkpoints are written only then):
 * every call adds to the calls, and a call that ends adds its time.
 */
export function statsSignature(stats: FunctionStats, functionCount: number): number {
  const t = stats.table;
  let sum = functionCount;
  for (let id = 0, at = 0; at < t.length; id++, at += Stat.STRIDE)
    sum += stats.calls(id) + t[at + Stat.TOTAL_TIME] + t[at + Stat.MEASURED_CALLS];
  return sum;
}

/** Measured calls of every function (the checkpoint's count; the probes keep the exact one). */
export function measuredCallsIn(stats: FunctionStats): number {
  const t = stats.table;
  let sum = 0;
  for (let at = 0; at < t.length; at += Stat.STRIDE) sum += t[at + Stat.MEASURED_CALLS];
  return sum;
}
