/** heapStats results as CSV (`d.rows()`, `d.toCsv()`): one row per figure that changed significantly. */
import { stringify } from 'csv-stringify/sync';
import { parseCsv } from './csv.js';

export const HEAP_STATS_COLUMNS = ['group', 'name', 'before', 'after', 'change'] as const;

/** One figure before and after a block; change is after - before minus heapStats' own cost. */
export interface HeapStatsRow {
  group: string;
  name: string;
  before: number;
  after: number;
  change: number;
}

export function formatHeapStatsCsv(rows: readonly HeapStatsRow[]): string {
  return stringify(
    rows.map((r) => [r.group, r.name, r.before, r.after, Math.round(r.change)]),
    { header: true, columns: [...HEAP_STATS_COLUMNS] },
  );
}

export function parseHeapStatsCsv(path: string, text: string): HeapStatsRow[] {
  return parseCsv(path, text, HEAP_STATS_COLUMNS).map((r) => ({
    group: r.group!,
    name: r.name!,
    before: Number(r.before),
    after: Number(r.after),
    change: Number(r.change),
  }));
}
