/**
 * The small helpers every bench script uses: the median of a list (and its interval), an aligned table
 * on stdout, a CSV file of result rows and a copy of dist/ to run from. One copy here, so that all
 * benches compute medians alike and print and write their results in the same shape (CSV with
 * csv-stringify, from memtrace's own dependencies).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

/** Median of the finite values (NaN when there are none); the mean of the two middle ones for an even count. */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Sign-test interval of the median: ranks k and n-1-k with P(Binomial(n, 1/2) < k+1) <= 2.5 %. */
export function medianInterval(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let k = -1;
  let cumulative = 0;
  const choose = (n, r) => {
    let c = 1;
    for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
    return c;
  };
  while (k + 1 < n / 2) {
    const next = cumulative + choose(n, k + 1) / 2 ** n;
    if (next > 0.025) break;
    cumulative = next;
    k++;
  }
  return k < 0 ? [Number.NaN, Number.NaN] : [sorted[k], sorted[n - 1 - k]];
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

/**
 * A copy of memtrace's dist/ (and of what it reads beside it: package.json, the native addon for this
 * Node) in `home`, so that a rebuild while a bench runs cannot mix two builds. `home` goes under a
 * node_modules/ (bench/node_modules/.memtrace/, node_modules/.memtrace-web/), where dist's relative
 * paths (../../package.json, ../../../native/build-ABI) and its dependencies (the root's node_modules)
 * still resolve and git does not look. Returns the copy's dist/.
 */
export function snapshotDist(rootDir, home) {
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  cpSync(join(rootDir, 'dist'), join(home, 'dist'), { recursive: true });
  copyFileSync(join(rootDir, 'package.json'), join(home, 'package.json'));
  const addon = join('native', `build-${process.versions.modules}`, 'memtrace.node');
  if (existsSync(join(rootDir, addon))) {
    mkdirSync(join(home, 'native', `build-${process.versions.modules}`), { recursive: true });
    copyFileSync(join(rootDir, addon), join(home, addon));
  }
  return join(home, 'dist');
}
