// Runs `memtrace query` / `memtrace export` as a user does, through the real CLI.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, root } from '../helpers/run-traced.js';

export function memtrace(args, { env = {} } = {}) {
  return spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
}

/** Rows of a query as objects (through --json). */
export function queryJson(directory, sql) {
  const result = memtrace(['query', directory, sql, '--json']);
  if (result.status !== 0) throw new Error(`memtrace query failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The column tables of docs/query.md: table name → [[column, type], ...], from each `### name` section's first table. */
export function documentedColumns() {
  const text = readFileSync(join(root, 'docs', 'query.md'), 'utf8');
  const tables = new Map();
  for (const section of text.split(/^### /m).slice(1)) {
    const name = /^`?(\w+)`?/.exec(section)?.[1];
    const rows = [...section.matchAll(/^\| `(\w+)` \| `([A-Z[\]]+)` \|/gm)].map((m) => [m[1], m[2]]);
    if (name && rows.length > 0) tables.set(name, rows);
  }
  return tables;
}
