/**
 * oom-report/ in a trace directory: what `memtrace run --oom-report` wrote as the process neared its
 * memory limit (V8's heap limit or its cgroup's), before it died. Every file is written whole
 * (atomicWrite) and oom.json last, so a report with an oom.json is complete.
 *
 *   oom.json           what triggered it, the figures at that moment, what was written or skipped (this file)
 *   summary.txt        the same for a person: the top allocators, the heap spaces, the top statements
 *   functions.csv      the functions table as of that moment (calls that had ended; functions-csv.ts)
 *   open-calls.csv     the traced calls still running then, outermost first, with their bytes so far
 *   heap-spaces.csv    V8's heap spaces then (space, size, used, available, physical)
 *   process.csv        the process log up to then (process-csv.ts)
 *   allocations.csv, stacks.csv   the sampler's figures then (with --alloc; allocations-csv.ts)
 *   heap.heapsnapshot  a heap snapshot, only where there was room for one (see oom.json "snapshot")
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { TraceFileError } from '../shared/errors.js';
import { fieldProblem } from './json-fields.js';

export const OOM_REPORT_DIRECTORY = 'oom-report';

export const OOM_REPORT_FILES = {
  meta: 'oom.json',
  summary: 'summary.txt',
  functions: 'functions.csv',
  openCalls: 'open-calls.csv',
  heapSpaces: 'heap-spaces.csv',
  processLog: 'process.csv',
  allocations: 'allocations.csv',
  stacks: 'stacks.csv',
  snapshot: 'heap.heapsnapshot',
} as const;

export const OOM_REPORT_VERSION = 1;

/**
 * 'heap-limit': V8 was about to give up (its near-heap-limit callback, from the native addon);
 * 'heap-limit-poll': the old generation passed 80 % of V8's limit after a GC (without the addon);
 * 'cgroup': the resident set passed 90 % of the cgroup's memory limit.
 */
export type OomTrigger = 'heap-limit' | 'heap-limit-poll' | 'cgroup';

/** The most-allocating function (by self bytes, ended and running calls together). */
export interface OomTopAllocator {
  function: string;
  file: string;
  /** The function's line (the statement's, from the sampler without the tracer); null where not known. */
  line: number | null;
  selfAllocBytes: number;
  /** Whether a call of it was still running (its bytes so far are in open-calls.csv). */
  running: boolean;
}

export interface OomReportMeta {
  version: number;
  memtrace: string;
  node: string;
  pid: number;
  time: string;
  trigger: OomTrigger;
  /** 'native': V8's near-heap-limit callback and a GC callback; 'js': a 'gc' PerformanceObserver. */
  detection: 'native' | 'js';
  heap: {
    used: number;
    total: number;
    /** v8.getHeapStatistics().heap_size_limit as the report was written (the raise included). */
    limit: number;
    /** Bytes V8's limit was raised by so the report could be written (0 when it was not). */
    raisedBy: number;
    /** V8's old-generation limit when it was reached, before the raise ('heap-limit' only; --max-old-space-size). */
    oldSpaceLimit?: number;
  };
  /** The RSS as the report was written (bytes). */
  rss: number;
  /** 'cgroup' only: the RSS the watch read when it passed 90 % of the limit (a GC may free some before the report). */
  rssAtTrigger?: number;
  /** The cgroup's memory limit (bytes), or null where there is none. */
  cgroupLimit: number | null;
  /** Memory the process could still take: the machine's available memory, less under a cgroup limit. */
  available: number;
  snapshot: { file: string; bytes: number; ms: number } | { skipped: string };
  topAllocator: OomTopAllocator | null;
  /** The files of the report, oom.json left out. */
  files: string[];
  /** How long writing the report took (ms). */
  writeMs: number;
  /** Bytes writing the report allocated on the JS heap, the snapshot included (what the raised limit must hold). */
  allocatedBytes: number;
  /** Parts that could not be written, each with why. */
  problems?: string[];
}

export const OPEN_CALL_COLUMNS = [
  'depth',
  'function',
  'file',
  'line',
  'column',
  'self_alloc_bytes',
  'total_alloc_bytes',
  'heap_growth_bytes',
  'elapsed_ns',
] as const;

export interface OpenCallRow {
  depth: number;
  function: string;
  file: string;
  line: number;
  column: number;
  selfAllocBytes: number;
  totalAllocBytes: number;
  heapGrowthBytes: number;
  elapsedNs: number;
}

export function formatOpenCallsCsv(rows: readonly OpenCallRow[]): string {
  return stringify(
    rows.map((r) => [
      r.depth,
      r.function,
      r.file,
      r.line,
      r.column,
      Math.round(r.selfAllocBytes),
      Math.round(r.totalAllocBytes),
      Math.round(r.heapGrowthBytes),
      Math.round(r.elapsedNs),
    ]),
    { header: true, columns: [...OPEN_CALL_COLUMNS] },
  );
}

export const HEAP_SPACE_COLUMNS = ['space', 'size', 'used', 'available', 'physical'] as const;

export interface HeapSpaceRow {
  space: string;
  size: number;
  used: number;
  available: number;
  physical: number;
}

export function formatHeapSpacesCsv(rows: readonly HeapSpaceRow[]): string {
  return stringify(
    rows.map((r) => [r.space, r.size, r.used, r.available, r.physical]),
    { header: true, columns: [...HEAP_SPACE_COLUMNS] },
  );
}

const REQUIRED_FIELDS = [
  ['version', 'number'],
  ['pid', 'number'],
  ['time', 'string'],
  ['trigger', 'string'],
  ['heap.used', 'number'],
  ['heap.limit', 'number'],
  ['rss', 'number'],
  ['snapshot', 'object'],
  ['writeMs', 'number'],
] as const;

/** The OOM report of a trace directory, or undefined where it has none (no oom-report/oom.json). */
export function readOomReport(traceDirectory: string): (OomReportMeta & { directory: string }) | undefined {
  const directory = join(traceDirectory, OOM_REPORT_DIRECTORY);
  const path = join(directory, OOM_REPORT_FILES.meta);
  if (!existsSync(path)) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TraceFileError(path, `not a memtrace oom.json: ${(error as Error).message}`);
  }
  const problem = fieldProblem(meta, REQUIRED_FIELDS) ?? optionalFieldProblem(meta as Record<string, unknown>);
  if (problem) throw new TraceFileError(path, `not a memtrace oom.json: ${problem}`);
  return { ...(meta as OomReportMeta), directory };
}

/** The fields a report reads that may be absent (or null), checked where present. */
function optionalFieldProblem(meta: Record<string, unknown>): string | undefined {
  const heap = meta.heap as Record<string, unknown>;
  if (heap.oldSpaceLimit !== undefined && typeof heap.oldSpaceLimit !== 'number') return '"heap.oldSpaceLimit" is not a number';
  if (meta.cgroupLimit !== undefined && meta.cgroupLimit !== null && typeof meta.cgroupLimit !== 'number')
    return '"cgroupLimit" is not a number';
  const top = meta.topAllocator;
  if (top === undefined || top === null) return undefined;
  const fields = fieldProblem(top, [
    ['function', 'string'],
    ['file', 'string'],
    ['selfAllocBytes', 'number'],
  ]);
  if (fields) return `"topAllocator": ${fields}`;
  const line = (top as Record<string, unknown>).line;
  return line === null || typeof line === 'number' ? undefined : '"topAllocator.line" is not a number';
}
