/** The text report of allocations: the lines that allocated most, as a table for a terminal. */
import { lineRowWhere, type LineRow } from './flame-tree.js';
import { renderTable } from '../shared/text-table.js';
import { formatBytes } from '../shared/units.js';

/** `rows`: allocations.csv's statements where a --alloc run wrote them, else the profile's topLines(). */
export function renderTopLines(rows: readonly LineRow[], source: string, limit = 20): string {
  const body = rows.slice(0, limit).map((r) => [formatBytes(r.selfBytes), formatBytes(r.totalBytes), r.function, lineRowWhere(r)]);
  const total = rows.reduce((sum, r) => sum + r.selfBytes, 0);
  return (
    `memtrace: allocations in ${source}, ${formatBytes(total)} sampled\n` +
    renderTable(['self', 'total', 'function', 'where'], body, [true, true, false, false])
  );
}
