/**
 * functions.csv and meta.json of a trace, as one step: built from the per-function totals (a
 * Float64Array on a SharedArrayBuffer, so the writer thread reads them while the probes add to them)
 * and written whole (a temporary file renamed over the old one: a kill mid-write leaves the previous
 * file, never half of one).
 *
 * The traced thread writes the final summaries at the end; the writer thread writes checkpoints about
 * once a second while something changes, so the traced thread pays nothing for them. On a full disk
 * the final summaries are written over the old files in place, into blocks reserved past their ends
 * when the checkpoint was written.
 */
import { closeSync, ftruncateSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { formatFunctionsCsv } from '../formats/functions-csv.js';
import type { TraceFault, TraceMeta } from '../formats/meta.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { FunctionStats } from '../runtime/function-stats.js';
import { loadNativeAddon } from '../runtime/native-counters.js';
import { Stat } from '../runtime/probe-layout.js';
import { faultOf } from './write-faults.js';
import { EVENT_FILES, Fault, Figure, type WriterState } from './writer-state.js';

/** meta.json's fields that do not change while the program runs. */
export type MetaBase = Omit<TraceMeta, 'endTime' | 'state' | 'checkpointTime' | 'events' | 'functions' | 'exit' | 'fault'>;

/** The counts that change, as the thread writing knows them. */
export interface MetaCounts {
  measuredCalls: number;
  writerWaits: number;
  functions: number;
}

/** Bytes reserved past the end of functions.csv and meta.json for the final write on a full disk. */
const SUMMARY_RESERVE_BYTES = 64 * 1024;

const FAULT_NAMES: Record<Fault, TraceFault | undefined> = {
  [Fault.None]: undefined,
  [Fault.DiskFull]: 'disk-full',
  [Fault.DirectoryDeleted]: 'directory-deleted',
  [Fault.WriteError]: 'write-error',
};

/** `kind`: 'final' as the trace ends; `exit`: how the process ended, or the signal it handled and went on after. */
export function buildMeta(base: MetaBase, counts: MetaCounts, state: WriterState, kind: 'final' | 'checkpoint', exit?: TraceMeta['exit']): TraceMeta {
  const now = new Date().toISOString();
  const figures = state.figures;
  const eventFiles = 1 + Math.min(figures[Figure.Rotations]!, EVENT_FILES - 1);
  // Rows appended to the events files (those rotated out included): the rows of a write that failed are not.
  let rowsWritten = figures[Figure.RowsRotatedOut]!;
  for (let k = 0; k < EVENT_FILES; k++) rowsWritten += figures[Figure.FileRows + k]!;
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
      rowsNotWritten: figures[Figure.RowsNotWritten]!,
      rowsRotatedOut: figures[Figure.RowsRotatedOut]!,
      eventFiles,
    },
    functions: counts.functions,
    ...(exit ? { exit } : {}),
    ...(fault ? { fault } : {}),
  };
}

export function functionsCsv(stats: FunctionStats, functions: readonly FunctionInfo[], internal: ReadonlySet<number>): string {
  return formatFunctionsCsv(stats.rows(functions, (id) => internal.has(id)));
}

/**
 * Writes functions.csv and meta.json. `final`: on a full disk, falls back to writing over the old
 * files in place (not atomic, but the process is ending and there is nothing better to keep).
 * Throws what the file system said where neither worked.
 */
export function writeSummaries(directory: string, functions: string, meta: TraceMeta, final: boolean): void {
  writeWhole(join(directory, 'functions.csv'), functions, final);
  writeWhole(join(directory, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`, final);
}

function writeWhole(path: string, content: string, final: boolean): void {
  // One temporary name per thread: the writer thread's checkpoint and the traced thread's final write never share one.
  const temporary = `${path}.${threadId}.tmp`;
  try {
    writeReserved(temporary, content, 'w');
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // never created
    }
    if (!final || faultOf(error) !== Fault.DiskFull) throw error;
    writeReserved(path, content, 'r+');
  }
}

/** Writes `content` from the start of `path`, cuts the file there, and reserves blocks past its end. */
function writeReserved(path: string, content: string, flags: 'w' | 'r+'): void {
  const bytes = Buffer.from(content);
  const fd = openSync(path, flags);
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at, at);
    ftruncateSync(fd, bytes.length);
    reservePastEnd(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

function reservePastEnd(fd: number, size: number): void {
  const addon = loadNativeAddon() as { preallocate?: (fd: number, offset: number, length: number) => boolean } | null;
  addon?.preallocate?.(fd, size, SUMMARY_RESERVE_BYTES);
}

/**
 * A number that changes whenever a figure of functions.csv does (checkpoints are written only then):
 * every call adds to CALLS, and a call that ends adds its time.
 */
export function statsSignature(stats: FunctionStats, functionCount: number): number {
  const t = stats.table;
  let sum = functionCount;
  for (let at = 0; at < t.length; at += Stat.STRIDE) sum += t[at + Stat.CALLS]! + t[at + Stat.TOTAL_TIME]! + t[at + Stat.MEASURED_CALLS]!;
  return sum;
}

/** Measured calls of every function (the checkpoint's count; the probes keep the exact one). */
export function measuredCallsIn(stats: FunctionStats): number {
  const t = stats.table;
  let sum = 0;
  for (let at = 0; at < t.length; at += Stat.STRIDE) sum += t[at + Stat.MEASURED_CALLS]!;
  return sum;
}
