/** Shared by bench/alloc's scripts: options, medians, tables and CSV (csv-stringify, from memtrace's own dependencies). */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';

export function parseOptions(argv, defaults) {
  const options = { quick: false, ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--scale') options.scale = Number(value());
    else if (arg === '--interval') options.interval = Number(value());
    else if (arg === '--only') options.only = value().split(',');
    else if (arg === '--out') options.out = value();
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function printTable(title, rows) {
  const keys = Object.keys(rows[0]);
  const widths = keys.map((key) => Math.max(key.length, ...rows.map((row) => String(row[key]).length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  process.stdout.write(`\n## ${title}\n${line(keys)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(keys.map((key) => row[key]))}\n`);
}

export function writeCsv(dir, name, rows) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.csv`), stringify(rows, { header: true }));
}

/**
 * A copy of the repository's dist/ (its node_modules reached through a link beside it), so that a
 * rebuild during a long run does not mix two builds. Returns the copy's dist directory.
 */
export function copyOfDist(scratch) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const copy = join(scratch, 'memtrace');
  mkdirSync(copy, { recursive: true });
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  cpSync(join(root, 'native'), join(copy, 'native'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  return join(copy, 'dist');
}

export function scratchDirectory(prefix) {
  return mkdtempSync(join(os.tmpdir(), prefix));
}
