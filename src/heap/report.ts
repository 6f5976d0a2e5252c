/**
 * The analyses as text tables (for a terminal), CSV rows (csv-stringify; sizes in bytes) and JSON.
 * Each analysis has one `…Table` and one `…Csv`; JSON is the library's own result objects.
 */
import { stringify } from 'csv-stringify/sync';
import { formatBytes } from '../shared/units.js';
import { renderTable } from '../shared/text-table.js';
import type { SnapshotDiff } from './diff.js';
import type { RetainerPath } from './paths.js';
import { formatPath } from './paths.js';
import type { SummaryRow } from './summary.js';
import type { TopRow } from './top.js';

export function summaryTable(rows: SummaryRow[], by: string, limit: number): string {
  const shown = rows.slice(0, limit);
  const total = rows.reduce((sum, row) => ({ count: sum.count + row.count, self: sum.self + row.selfSize }), { count: 0, self: 0 });
  const body = shown.map((row) => [String(row.count), formatBytes(row.selfSize), formatBytes(row.retainedSize), row.name]);
  const more = rows.length > shown.length ? `… ${rows.length - shown.length} more (--limit)\n` : '';
  return (
    renderTable(['count', 'self size', 'retained', by], body, [true, true, true, false]) +
    more +
    `total: ${total.count} objects, ${formatBytes(total.self)}\n`
  );
}

export function summaryCsv(rows: SummaryRow[], by: string): string {
  return stringify(
    rows.map((row) => [row.name, row.count, row.selfSize, row.retainedSize]),
    { header: true, columns: [by, 'count', 'self_size', 'retained_size'] },
  );
}

export function pathsTable(paths: RetainerPath[]): string {
  if (paths.length === 0) return 'no path: no such object, or nothing strong holds it\n';
  return paths
    .map(
      (path) =>
        `${path.count > 1 ? `${path.count} objects like ` : ''}${path.name} @${path.id}: self ${formatBytes(path.selfSize)}, retained ${formatBytes(path.retainedSize)}\n  ${formatPath(path)}\n`,
    )
    .join('');
}

export function pathsCsv(paths: RetainerPath[]): string {
  return stringify(
    paths.map((path) => [path.id, path.name, path.count, path.selfSize, path.retainedSize, formatPath(path)]),
    {
      header: true,
      columns: ['id', 'name', 'objects', 'self_size', 'retained_size', 'path'],
    },
  );
}

export function topTable(rows: TopRow[]): string {
  const body = rows.map((row) => [
    formatBytes(row.retainedSize),
    formatBytes(row.selfSize),
    `${row.name} @${row.id}`,
    row.path ? formatPath(row.path) : '(no path)',
  ]);
  return renderTable(['retained', 'self size', 'object', 'path'], body, [true, true, false, false]);
}

export function topCsv(rows: TopRow[]): string {
  return stringify(
    rows.map((row) => [row.id, row.name, row.type, row.selfSize, row.retainedSize, row.path ? formatPath(row.path) : '']),
    {
      header: true,
      columns: ['id', 'name', 'type', 'self_size', 'retained_size', 'path'],
    },
  );
}

export function diffTable(diff: SnapshotDiff, limit: number): string {
  const growth = diff.growth
    .slice(0, limit)
    .map((row) => [
      signed(row.countAfter - row.countBefore),
      formatBytes(row.selfSizeAfter - row.selfSizeBefore, true),
      String(row.countAfter),
      formatBytes(row.selfSizeAfter),
      row.name,
    ]);
  const leaks = diff.leaks.slice(0, limit).map((group) => [
    String(group.count),
    formatBytes(group.selfSize),
    formatBytes(group.retainedSize),
    group.classes
      .slice(0, 3)
      .map((entry) => `${entry.count} ${entry.name}`)
      .join(', ') + (group.classes.length > 3 ? ', …' : ''),
  ]);
  const paths = diff.leaks
    .slice(0, limit)
    .map((group, i) => `  #${i + 1} ${group.path}\n`)
    .join('');
  const rule =
    diff.files.length === 3
      ? `allocated between ${diff.files[0]} and ${diff.files[1]}, alive in ${diff.files[2]}`
      : `allocated after ${diff.files[0]}, alive in ${diff.files[1]}`;
  return [
    `growth by constructor, ${diff.files[0]} → ${diff.files[diff.files.length - 1]}:\n`,
    growth.length > 0
      ? renderTable(['Δ count', 'Δ self size', 'count', 'self size', 'constructor'], growth, [true, true, true, true, false])
      : 'no constructor changed in count or size\n',
    `\n${diff.candidates} objects ${rule}${diff.leaks.length > 0 ? `, in ${diff.leaks.length} ${diff.leaks.length === 1 ? 'group' : 'groups'} by retainer path:` : ''}\n`,
    leaks.length > 0
      ? renderTable(
          ['#', 'objects', 'self size', 'retained', 'constructors'],
          leaks.map((row, i) => [`#${i + 1}`, ...row]),
          [true, true, true, true, false],
        )
      : '',
    paths,
  ].join('');
}

export function diffCsv(diff: SnapshotDiff): string {
  return stringify(
    diff.leaks.map((group) => [
      group.count,
      group.selfSize,
      group.retainedSize,
      group.classes.map((entry) => `${entry.count} ${entry.name}`).join('; '),
      group.path,
      formatPath(group.example),
    ]),
    {
      header: true,
      columns: ['objects', 'self_size', 'retained_size', 'constructors', 'path', 'example_path'],
    },
  );
}

export function growthCsv(diff: SnapshotDiff): string {
  return stringify(
    diff.growth.map((row) => [row.name, row.countBefore, row.countAfter, row.selfSizeBefore, row.selfSizeAfter]),
    {
      header: true,
      columns: ['constructor', 'count_before', 'count_after', 'self_size_before', 'self_size_after'],
    },
  );
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}
