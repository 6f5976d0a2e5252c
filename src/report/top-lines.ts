/** The text report of allocations: the lines that allocated most, as a table for a terminal. */
import { lineRowWhere, topLines, type FlameNode, type LineRow } from './flame-tree.js';
import { formatBytes } from './units.js';

/** `lines`: rows known better than the tree's function starts (allocations.csv's statements). */
export function renderTopLines(root: FlameNode, source: string, limit = 20, lines?: LineRow[]): string {
  const rows = (lines ?? topLines(root)).slice(0, limit);
  const header = ['self', 'total', 'function', 'where'];
  const body = rows.map((r) => [formatBytes(r.selfBytes), formatBytes(r.totalBytes), r.function, lineRowWhere(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const total = lines ? lines.reduce((sum, r) => sum + r.selfBytes, 0) : root.totalBytes;
  return [`memtrace: allocations in ${source}, ${formatBytes(total)} sampled`, line(header), ...body.map(line)].join('\n') + '\n';
}
