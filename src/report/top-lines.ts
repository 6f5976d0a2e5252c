/** The text report of allocations: the lines that allocated most, as a table for a terminal. */
import { lineRowWhere, topLines, type FlameNode } from './flame-tree.js';
import { formatBytes } from './units.js';

export function renderTopLines(root: FlameNode, source: string, limit = 20): string {
  const rows = topLines(root).slice(0, limit);
  const header = ['self', 'total', 'function', 'where'];
  const body = rows.map((r) => [formatBytes(r.selfBytes), formatBytes(r.totalBytes), r.function, lineRowWhere(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [`memtrace: allocations in ${source}, ${formatBytes(root.totalBytes)} sampled`, line(header), ...body.map(line)].join('\n') + '\n';
}
