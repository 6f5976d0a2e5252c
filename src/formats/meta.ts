/** meta.json: what produced a trace and how to read its numbers. */
import { readFileSync } from 'node:fs';
import { TraceFileError } from '../shared/errors.js';
import { fieldProblem, type FieldType } from './json-fields.js';
import type { Calibration } from '../runtime/calibration.js';

export const META_VERSION = 1;

export interface TraceMeta {
  version: number;
  memtrace: string;
  node: string;
  pid: number;
  ppid: number;
  threadId: number;
  argv: string[];
  startTime: string;
  /** When this meta.json was written: the end of the trace, or the time of the checkpoint. */
  endTime?: string;
  /**
   * 'final': written as the trace ended (exit, signal, stop()); 'checkpoint': rewritten while the
   * program ran, about once a second, so a killed process keeps its summaries as of then. Absent in
   * traces written before checkpoints: read it as 'final'.
   */
  state?: 'final' | 'checkpoint';
  /** The time of the checkpoint (state 'checkpoint' only). */
  checkpointTime?: string;
  counters: 'native' | 'js';
  /**
   * measuredPath: where measured calls are entered and ended (the addon, or the JS probes);
   * spaceFields: whether readings take the large-object spaces' sizes from where V8 keeps them.
   */
  probes: { lines: boolean; exact: boolean; rssIntervalMs: number; measuredPath?: 'native' | 'js'; spaceFields?: boolean };
  trigger: number;
  calibration: Calibration;
  /**
   * Measured calls (probes that read memory), rows formatted for the events files, times the program
   * waited for the writer; rows lost to a fault (rowsNotWritten) and rows in events files deleted
   * under --max-trace-size (rowsRotatedOut), and how many events files there are (eventFiles:
   * events.csv, events.1.csv, …).
   */
  events: {
    measuredCalls: number;
    rowsWritten: number;
    writerWaits: number;
    rowsNotWritten?: number;
    rowsRotatedOut?: number;
    eventFiles?: number;
    peakHeapUsed?: number;
  };
  /** What stopped event rows before the end, if anything (docs/tracer.md, "When writing fails"). */
  fault?: TraceFault;
  functions: number;
  settings: Record<string, unknown>;
  exit?: { reason: string; code?: number | string };
}

export const TRACE_FAULTS = ['disk-full', 'directory-deleted', 'write-error'] as const;
export type TraceFault = (typeof TRACE_FAULTS)[number];

export function readMeta(path: string): TraceMeta {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TraceFileError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (error) {
    throw new TraceFileError(path, `not a memtrace meta.json: ${(error as Error).message}`);
  }
  const problem = metaProblem(meta);
  if (problem) throw new TraceFileError(path, `not a memtrace meta.json: ${problem}`);
  return meta as TraceMeta;
}

/** The fields the reports read, by the type they must have (`events.rowsWritten`: a field of an object). */
const REQUIRED_FIELDS: ReadonlyArray<readonly [string, FieldType]> = [
  ['memtrace', 'string'],
  ['node', 'string'],
  ['pid', 'number'],
  ['threadId', 'number'],
  ['startTime', 'string'],
  ['counters', 'string'],
  ['trigger', 'number'],
  ['functions', 'number'],
  ['probes', 'object'],
  ['settings', 'object'],
  ['calibration.selfBytes', 'number'],
  ['calibration.nestedBytes', 'number'],
  ['calibration.selfNs', 'number'],
  ['calibration.nestedNs', 'number'],
  ['events.measuredCalls', 'number'],
  ['events.rowsWritten', 'number'],
  ['events.writerWaits', 'number'],
];

/** What makes `value` not a meta.json the reports can read, or undefined. */
function metaProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const { version } = value as { version?: unknown };
  if (version !== META_VERSION) return `version ${JSON.stringify(version)}, expected ${META_VERSION}`;
  return fieldProblem(value, REQUIRED_FIELDS);
}
