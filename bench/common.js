/**
 * The small helpers every bench script uses: the median of a list, an aligned table on stdout and a
 * CSV file of result rows. One copy here, so that all benches compute medians alike and print and
 * write their results in the same shape (CSV with csv-stringify, from memtrace's own dependencies).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

/** Median of the finite values (NaN when there are none); the mean of the two middle ones for an even count. */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Prints rows (objects with the same keys) as an aligned table under a title. */
export function printTable(title, rows) {
  const keys = Object.keys(rows[0]);
  const widths = keys.map((key) => Math.max(key.length, ...rows.map((row) => String(row[key]).length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  process.stdout.write(`\n## ${title}\n${line(keys)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(keys.map((key) => row[key]))}\n`);
}

/** Writes rows (objects with the same keys) to DIR/NAME.csv, with a header line; creates DIR if needed. */
export function writeCsv(dir, name, rows) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.csv`), stringify(rows, { header: true }));
}
