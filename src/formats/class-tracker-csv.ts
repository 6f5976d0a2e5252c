/** The CSV of trackClass: one row per sample of a tracked class (times in seconds since tracking began). */
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { parseCsv } from './csv.js';
import { TraceFileError } from '../shared/errors.js';

export const CLASS_TRACKER_COLUMNS = ['time_s', 'class', 'live', 'created', 'collected', 'label'] as const;

export interface ClassSample {
  /** Seconds since the tracker started. */
  timeS: number;
  className: string;
  /** Instances alive at the sample. */
  live: number;
  /** Instances the tracker has seen created (or first found) since it started. */
  created: number;
  /** Of those, the ones the garbage collector has freed. */
  collected: number;
  label: string;
}

/** Rows in the order given (several trackers' samples may be concatenated, then sorted by time). */
export function formatClassTrackerCsv(rows: readonly ClassSample[]): string {
  return stringify(
    rows.map((r) => [r.timeS.toFixed(6), r.className, r.live, r.created, r.collected, r.label]),
    { header: true, columns: [...CLASS_TRACKER_COLUMNS] },
  );
}

export function parseClassTrackerCsv(path: string, text: string): ClassSample[] {
  return parseCsv(path, text, CLASS_TRACKER_COLUMNS).map((r, index) => {
    const number = (column: string): number => {
      const value = Number(r[column]);
      if (r[column] === '' || !Number.isFinite(value)) {
        throw new TraceFileError(path, `row ${index + 2}: ${column} is ${JSON.stringify(r[column])}, not a number`);
      }
      return value;
    };
    return {
      timeS: number('time_s'),
      className: r.class!,
      live: number('live'),
      created: number('created'),
      collected: number('collected'),
      label: r.label ?? '',
    };
  });
}

export function readClassTrackerCsv(path: string): ClassSample[] {
  return parseClassTrackerCsv(path, readFileSync(path, 'utf8'));
}
