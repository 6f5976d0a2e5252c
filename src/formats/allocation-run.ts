/**
 * What `memtrace run --alloc` writes into a run directory, and reading it back as one value (what
 * `memtrace report DIR --alloc` needs: the table, the stacks, the .heapprofile for the flame graph).
 *
 *   allocations.csv              sampled bytes by site and statement (allocations-csv.ts)
 *   stacks.csv                   the sites' call tree (stacks-csv.ts)
 *   allocations.heapprofile      Chrome DevTools' SamplingHeapProfile (heap-profile.ts)
 *   allocations.speedscope.json  speedscope (speedscope.ts)
 *   allocations.pb.gz            pprof (pprof.ts)
 *   allocations.json             how the figures were made (this file)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceFileError } from '../shared/errors.js';
import { fieldProblem, type FieldType } from './json-fields.js';
import type { Compensation, LineMethod } from './allocation-model.js';
import { readAllocationsCsv, type AllocationRow } from './allocations-csv.js';
import { readHeapProfile, type HeapProfile } from './heap-profile.js';
import { readStacksCsv, type StackRow } from './stacks-csv.js';

export const ALLOCATION_FILES = {
  table: 'allocations.csv',
  stacks: 'stacks.csv',
  heapProfile: 'allocations.heapprofile',
  speedscope: 'allocations.speedscope.json',
  pprof: 'allocations.pb.gz',
  meta: 'allocations.json',
} as const;

export const ALLOCATION_META_VERSION = 1;

export interface AllocationMeta {
  version: number;
  memtrace: string;
  node: string;
  pid: number;
  threadId: number;
  argv: string[];
  startTime: string;
  endTime: string;
  /** Mean bytes between samples. */
  samplingInterval: number;
  stackDepth: number;
  /** 'total': collected objects' samples kept (everything the run allocated). */
  kind: 'total' | 'live';
  lines: LineMethod;
  compensation: Compensation;
  /** Factor applied to V8's sample sizes so they add up to allocatedBytes. */
  scale: number;
  /** Bytes the thread allocated while sampling, exactly (memtrace's allocation counter). */
  allocatedBytes: number;
  /** Sampled bytes in allocations.csv (after compensation). */
  sampledBytes: number;
  samples: number;
}

export interface AllocationRun {
  directory: string;
  meta: AllocationMeta;
  allocations: AllocationRow[];
  stacks: StackRow[];
  heapProfile(): HeapProfile;
}

export function hasAllocations(directory: string): boolean {
  return existsSync(join(directory, ALLOCATION_FILES.meta));
}

/** The fields the reports read (`memtrace run --alloc`'s summary, the HTML report), by type. */
const REQUIRED_FIELDS: ReadonlyArray<readonly [string, FieldType]> = [
  ['memtrace', 'string'],
  ['node', 'string'],
  ['pid', 'number'],
  ['samplingInterval', 'number'],
  ['sampledBytes', 'number'],
  ['samples', 'number'],
  ['allocatedBytes', 'number'],
  ['scale', 'number'],
  ['lines.method', 'string'],
  ['compensation.bytes', 'number'],
];

export function readAllocationMeta(path: string): AllocationMeta {
  let meta: AllocationMeta;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as AllocationMeta;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TraceFileError(path, code ? `cannot read: ${code}` : `not a memtrace allocations.json (${(error as Error).message})`);
  }
  if (meta?.version !== ALLOCATION_META_VERSION)
    throw new TraceFileError(
      path,
      `not a memtrace allocations.json (version ${String(meta?.version)}, expected ${ALLOCATION_META_VERSION})`,
    );
  const problem = fieldProblem(meta, REQUIRED_FIELDS);
  if (problem) throw new TraceFileError(path, `not a memtrace allocations.json: ${problem}`);
  return meta;
}

export function readAllocationRun(directory: string): AllocationRun {
  if (!hasAllocations(directory)) throw new TraceFileError(directory, `no ${ALLOCATION_FILES.meta} here (run with memtrace run --alloc)`);
  return {
    directory,
    meta: readAllocationMeta(join(directory, ALLOCATION_FILES.meta)),
    allocations: readAllocationsCsv(join(directory, ALLOCATION_FILES.table)),
    stacks: readStacksCsv(join(directory, ALLOCATION_FILES.stacks)),
    heapProfile: () => readHeapProfile(join(directory, ALLOCATION_FILES.heapProfile)),
  };
}
