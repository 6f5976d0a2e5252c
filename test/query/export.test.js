// memtrace export --parquet read back by another Parquet reader (hyparquet), and the traces of a
// program that starts a child process (one `memtrace run`, two trace directories) queried together.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { runTraced, fixture, freshDir, MiB } from '../helpers/run-traced.js';
import { readEventsCsv, readFunctionsCsv } from '../../dist/src/index.js';
import { memtrace, queryJson } from './helpers.js';

async function readParquet(file) {
  return parquetReadObjects({ file: await asyncBufferFromFile(file) });
}

test('export --parquet writes every table, and hyparquet reads back the rows of the CSVs', async (t) => {
  const run = runTraced(fixture('query', 'labelled.mjs'), { env: { MEMTRACE_TRIGGER: '0', MEMTRACE_EXACT: '1' } });
  t.is(run.status, 0, run.stderr);
  const out = join(freshDir(), 'parquet');
  const exported = memtrace(['export', run.trace.directory, '--parquet', '--out', out]);
  t.is(exported.status, 0, exported.stderr);
  const events = readEventsCsv(join(run.trace.directory, 'events.csv'));
  t.regex(exported.stdout, new RegExp(`wrote .*events\\.parquet \\(${events.length} rows, `));
  for (const table of ['events', 'functions', 'meta']) t.true(existsSync(join(out, `${table}.parquet`)), table);
  t.false(existsSync(join(out, 'allocations.parquet')), 'no allocations.csv, no allocations.parquet');

  const parquetEvents = await readParquet(join(out, 'events.parquet'));
  t.is(parquetEvents.length, events.length);
  t.true(events.length > 6000, `${events.length} events`);
  // A sample of rows: BIGINTs come back as bigint, order kept; an empty cell (a label's file) is NULL.
  for (const index of [0, 1, Math.floor(events.length / 2), events.length - 1]) {
    const csv = events[index];
    const row = parquetEvents[index];
    t.deepEqual(
      [
        Number(row.seq),
        Number(row.time_ns),
        row.event,
        row.function_id,
        row.function,
        row.file,
        row.line,
        row.depth,
        Number(row.d_allocated),
        row.rss === null ? null : Number(row.rss),
      ],
      [csv.seq, csv.timeNs, csv.event, csv.functionId, csv.function, csv.file || null, csv.line, csv.depth, csv.dAllocated, csv.rss],
      `row ${index}`,
    );
    t.is(row.pid, run.trace.meta.pid);
  }
  const functions = readFunctionsCsv(join(run.trace.directory, 'functions.csv'));
  const parquetFunctions = await readParquet(join(out, 'functions.parquet'));
  t.deepEqual(
    parquetFunctions.map((r) => [r.function, r.line, Number(r.calls), Number(r.total_alloc_bytes), Number(r.self_time_ns)]),
    functions.map((r) => [r.function, r.line, r.calls, r.totalAllocBytes, r.selfTimeNs]),
  );
});

test('the traces of a parent and its child process are one set of tables', (t) => {
  const out = freshDir();
  const run = memtrace(['run', '--trigger', '0', '--exact', '--out', out, '--', fixture('query', 'forks.mjs')], {
    env: { MEMTRACE_CACHE_DIR: join(out, '.cache') },
  });
  t.is(run.status, 0, run.stderr);
  const processes = queryJson(
    out,
    `SELECT m.pid, m.ppid, f.function, f.total_alloc_bytes
    FROM functions f JOIN meta m USING (trace) WHERE f.function IN ('parentWork', 'childWork') ORDER BY m.pid`,
  );
  t.is(processes.length, 2, JSON.stringify(processes));
  const parent = processes.find((p) => p.function === 'parentWork');
  const child = processes.find((p) => p.function === 'childWork');
  t.is(child.ppid, parent.pid);
  // parentWork keeps 2 MiB (and waits for the child, whose memory is its own); childWork keeps 1 MiB.
  t.true(Math.abs(child.total_alloc_bytes - MiB) < 0.1 * MiB, `child ${child.total_alloc_bytes}`);
  t.true(parent.total_alloc_bytes > 2 * MiB && parent.total_alloc_bytes < 2.5 * MiB, `parent ${parent.total_alloc_bytes}`);
  const [events] = queryJson(out, 'SELECT count(DISTINCT trace) AS traces, count(DISTINCT pid) AS pids FROM events');
  t.deepEqual(events, { traces: 2, pids: 2 });
});
