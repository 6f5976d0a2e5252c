// memtrace query on a real trace: a program that allocates known amounts between labels, traced with
// every event (trigger 0), every call measured, statement lines and the allocation sampler on.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runTraced, fixture, freshDir, cliPath, MiB } from '../helpers/run-traced.js';
import { readFunctionsCsv } from '../../dist/src/index.js';
import { memtrace, queryJson, documentedColumns } from './helpers.js';
import { ALLOCATION_AREA_STEP } from '../helpers/tolerances.js';

let trace;

test.before(() => {
  const run = runTraced(fixture('query', 'labelled.mjs'), {
    env: { MEMTRACE_TRIGGER: '0', MEMTRACE_EXACT: '1', MEMTRACE_LINES: '1', MEMTRACE_ALLOC: '1' },
  });
  if (run.status !== 0 || !run.trace) throw new Error(`traced run failed: ${run.stderr}`);
  trace = run.trace.directory;
  // A process log beside the trace's files, as `memtrace process --out DIR/process.csv` writes it.
  const log = memtrace([
    'process',
    '--interval',
    '0.05',
    '--out',
    join(trace, 'process.csv'),
    '--',
    process.execPath,
    '-e',
    'setTimeout(() => {}, 300)',
  ]);
  if (log.status !== 0) throw new Error(`memtrace process failed: ${log.stderr}`);
});

test('each view has the documented columns and types', (t) => {
  const documented = documentedColumns();
  // DESCRIBE of every view at once (one DuckDB start): information_schema lists the views' columns in order.
  const described = queryJson(
    trace,
    'SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY table_name, ordinal_position',
  );
  for (const table of ['events', 'functions', 'allocations', 'stacks', 'process', 'meta']) {
    const rows = described.filter((row) => row.table_name === table).map((row) => [row.column_name, row.data_type]);
    const extra =
      table === 'process'
        ? [['log', 'VARCHAR']]
        : [
            ['trace', 'VARCHAR'],
            ['pid', 'INTEGER'],
          ];
    t.truthy(documented.get(table), `docs/query.md documents ${table}`);
    t.deepEqual(rows, [...documented.get(table), ...extra], table);
  }
  // DESCRIBE itself agrees (one table, as a user runs it).
  t.deepEqual(
    queryJson(trace, 'DESCRIBE functions')
      .map((row) => [row.column_name, row.column_type])
      .slice(0, -2),
    documented.get('functions'),
  );
});

test('functions is functions.csv, and events grouped by function add up to its totals', (t) => {
  const csv = readFunctionsCsv(join(trace, 'functions.csv'));
  const rows = queryJson(trace, 'SELECT function, file, line, calls, total_alloc_bytes FROM functions');
  t.deepEqual(
    rows.map((r) => [r.function, r.file, r.line, r.calls, r.total_alloc_bytes]),
    csv.map((r) => [r.function, r.file, r.line, r.calls, r.totalAllocBytes]),
  );

  // A call's deltas are since its previous event, so a function's deltas summed are its calls' bytes.
  const grouped = queryJson(
    trace,
    `SELECT function, count(*) FILTER (event = 'call') AS calls, sum(d_allocated) AS bytes
    FROM events WHERE function IN ('load', 'slots') GROUP BY function ORDER BY function`,
  );
  for (const row of grouped) {
    const expected = csv.find((r) => r.function === row.function);
    t.is(row.calls, expected.calls, row.function);
    t.true(
      Math.abs(row.bytes - expected.totalAllocBytes) <= expected.totalAllocBytes * 0.01,
      `${row.function}: ${row.bytes} vs ${expected.totalAllocBytes}`,
    );
  }
  // The program's own figures: load keeps 2 MiB; slots' five calls 4 MiB together. On Node 24 a
  // reading can lag or lead by an allocation area (a CI run read load at 1,842,680 B).
  t.true(Math.abs(grouped[0].bytes - 2 * MiB) < 0.1 * 2 * MiB + ALLOCATION_AREA_STEP, `load ${grouped[0].bytes}`);
  t.true(Math.abs(grouped[1].bytes - 4 * MiB) < 0.1 * 4 * MiB + ALLOCATION_AREA_STEP, `slots ${grouped[1].bytes}`);
});

test('the calls that allocated between two labels are those that ran between them', (t) => {
  const rows = queryJson(
    trace,
    `
    WITH span AS (SELECT max(seq) FILTER (function = 'serve') AS first, max(seq) FILTER (function = 'done') AS last FROM events WHERE event = 'label')
    SELECT function, sum(d_allocated) AS bytes FROM events, span
    WHERE seq > span.first AND seq < span.last AND event <> 'label' GROUP BY function ORDER BY bytes DESC`,
  );
  const names = rows.map((r) => r.function);
  t.false(names.includes('load'), names.join(' '));
  t.true(names.includes('request') && names.includes('slots'), names.join(' '));
  // Four slots calls of 0.5 MiB ran between the labels (each call's deltas add up to what it allocated).
  const slots = rows.find((r) => r.function === 'slots').bytes;
  t.true(Math.abs(slots - 2 * MiB) < 0.1 * 2 * MiB, `slots ${slots}`);
});

test('--csv and --json give the same rows as the table; big integers are JSON numbers', (t) => {
  const sql = 'SELECT function, calls, self_alloc_bytes FROM functions ORDER BY function';
  const csv = memtrace(['query', trace, sql, '--csv']);
  t.is(csv.status, 0, csv.stderr);
  const json = memtrace(['query', trace, sql, '--json']);
  t.is(json.status, 0, json.stderr);
  const table = memtrace(['query', trace, sql]);
  t.is(table.status, 0, table.stderr);
  const fromCsv = parse(csv.stdout, { columns: true });
  const fromJson = JSON.parse(json.stdout);
  t.true(fromJson.length >= 4);
  t.deepEqual(
    fromCsv,
    fromJson.map((r) => ({ function: r.function, calls: String(r.calls), self_alloc_bytes: String(r.self_alloc_bytes) })),
  );
  t.is(typeof fromJson[0].self_alloc_bytes, 'number');
  // The table: a header and one aligned line per row, numbers right-aligned under their heading.
  const lines = table.stdout.trimEnd().split('\n');
  t.is(lines.length, fromJson.length + 1);
  t.regex(lines[0], /^function\s+calls\s+self_alloc_bytes$/);
  const end = lines[0].indexOf('calls') + 'calls'.length;
  for (const line of lines.slice(1)) t.regex(line.slice(0, end), /\d$/);
});

test('meta, allocations, stacks and process read their files', (t) => {
  const [meta] = queryJson(trace, 'SELECT pid, trigger, exact, lines, exit_reason, argv FROM meta');
  const json = JSON.parse(readFileSync(join(trace, 'meta.json'), 'utf8'));
  t.deepEqual(meta, { pid: json.pid, trigger: 0, exact: true, lines: true, exit_reason: 'exit', argv: json.argv });
  // Every allocation site's stack is a row of stacks.
  const [orphans] = queryJson(
    trace,
    'SELECT count(*) AS n, (SELECT count(*) FROM allocations) AS sites FROM allocations a LEFT JOIN stacks s USING (stack_id) WHERE s.stack_id IS NULL',
  );
  t.is(orphans.n, 0);
  t.true(orphans.sites > 0);
  // rss in bytes: the highest sample is a running node's (~40 MiB). Not the lowest: the first sample
  // lands at the child's exec, before node has loaded (17 MiB unloaded, 6.2 MiB with two test runs
  // at once), so it depends on how far the child got.
  const [log] = queryJson(trace, "SELECT count(*) AS samples, min(rss) AS low, max(rss) AS high FROM process WHERE log = 'process.csv'");
  t.true(log.samples >= 2, `${log.samples} samples`);
  t.true(log.low > 0, `rss ${log.low}`);
  t.true(log.high > 10 * MiB, `rss ${log.high}`);
});

test('a result of many rows streams out whole', (t) => {
  const result = memtrace(['query', trace, 'SELECT seq FROM events ORDER BY seq', '--csv']);
  t.is(result.status, 0, result.stderr);
  const seqs = result.stdout.trimEnd().split('\n').slice(1).map(Number);
  const [{ n }] = queryJson(trace, 'SELECT count(*) AS n FROM events');
  t.is(seqs.length, n);
  t.true(n > 2048, `${n} rows: more than one of DuckDB's chunks`);
  t.deepEqual(seqs.slice(0, 3), [0, 1, 2]);
});

/** One line on stderr, no stack trace, and the exit code. */
function failsWith(t, args, status, pattern) {
  const result = memtrace(args);
  t.is(result.status, status, result.stderr);
  t.is(result.stdout, '');
  t.is(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  t.notRegex(result.stderr, /\n\s+at /);
  t.regex(result.stderr, pattern);
}

test('bad input: one line and an exit code each', (t) => {
  const missing = join(freshDir(), 'nowhere');
  failsWith(t, ['query', missing, 'SELECT 1'], 1, /^memtrace: .*nowhere: no such directory$/m);
  failsWith(t, ['query', freshDir(), 'SELECT 1'], 1, /not a trace directory/);
  failsWith(t, ['query', trace, 'SELEC count(*) FROM events'], 1, /^memtrace query: .*: Parser Error: syntax error at or near "SELEC"$/m);
  failsWith(t, ['query', trace, 'SELECT * FROM evnets'], 1, /Table with name evnets does not exist.*\(tables: events, functions/);
  failsWith(t, ['query', trace], 2, /^memtrace query: name a trace directory and one SQL statement/);
  failsWith(t, ['query', trace, 'SELECT 1', '--threads', 'many'], 2, /--threads="many" is not valid/);

  // A trace whose events.csv was cut in the middle of a row, and one without functions.csv.
  const cut = freshDir();
  for (const file of ['meta.json', 'functions.csv']) copyFileSync(join(trace, file), join(cut, file));
  const events = readFileSync(join(trace, 'events.csv'));
  // Cut after the 5th column of the row at the middle: a cut inside the last column would leave a
  // whole row (17 columns, a shorter number), which is valid CSV.
  const rowStart = events.lastIndexOf(0x0a, Math.floor(events.length / 2)) + 1;
  let cutAt = rowStart;
  for (let commas = 0; commas < 5; cutAt++) if (events[cutAt] === 0x2c) commas++;
  writeFileSync(join(cut, 'events.csv'), events.subarray(0, cutAt));
  failsWith(
    t,
    ['query', cut, 'SELECT count(*) FROM events'],
    1,
    /CSV Error on Line: \d+ of .*events\.csv \(\d+ of its 17 columns: cut short/,
  );
  failsWith(t, ['query', cut, 'SELECT * FROM stacks'], 1, /table stacks: this trace has no stacks\.csv$/m);
  writeFileSync(join(cut, 'functions.csv'), 'name,size\nx,1\n');
  failsWith(t, ['query', cut, 'SELECT * FROM functions'], 1, /functions\.csv: not a memtrace functions\.csv/);
});

test('without DuckDB, query says what to install and exits 2', (t) => {
  const result = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(fixture('query', 'without-duckdb.mjs')).href, cliPath, 'query', trace, 'SELECT 1'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  t.is(result.status, 2, result.stderr);
  t.regex(
    result.stderr,
    /^memtrace query: needs the optional package @duckdb\/node-api .*install it with: npm install @duckdb\/node-api\n$/,
  );
});
