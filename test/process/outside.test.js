// `memtrace process` from outside: real programs, their CSV checked against what they read of themselves.
import test from 'ava';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { readProcessCsv, PROCESS_COLUMNS } from '../../dist/src/index.js';
import { cli, cliAsync, fixture, freshDir, reports, until, MiB } from './helpers.js';

/** The rows of one pid, in time order, without GC rows. */
const rowsOf = (log, pid) => log.rows.filter((row) => row.pid === pid && !row.gcKind);

/** The sample of `pid` whose RSS is closest to `rss` (the program held still around its report). */
function closest(rows, rss) {
  return rows.reduce((best, row) => (Math.abs(row.rss - rss) < Math.abs(best.rss - rss) ? row : best));
}

test('a command and its child: one row per process per sample, RSS as each reads it in /proc/self/status', (t) => {
  const out = join(freshDir(), 'run.csv');
  const run = cli(['process', '--interval', '0.02', '--out', out, '--', process.execPath, fixture('grow.mjs')], {
    env: { CHILD: '1', STEPS: '3', STEP_MB: '24', PAUSE_MS: '250' },
  });
  t.is(run.status, 0, run.stderr);
  const all = reports(run.stdout);
  const log = readProcessCsv(out);
  t.false(log.inside);
  const parent = all.find((r) => r.phase === 'start' && r.ppid !== all[0].pid && all.some((c) => c.ppid === r.pid));
  const child = all.find((r) => r.phase === 'start' && r.ppid === parent.pid);
  t.truthy(parent && child, run.stdout);
  t.true(rowsOf(log, parent.pid).length >= 10);
  t.true(rowsOf(log, child.pid).length >= 5);
  t.true(
    rowsOf(log, child.pid).every((row) => row.ppid === parent.pid),
    'the child rows name their parent',
  );
  for (const report of all) {
    // The program held still for 250 ms either side of its report: a sample then read the same RSS
    // (within a few pages of what Node itself touches meanwhile).
    const row = closest(rowsOf(log, report.pid), report.rss);
    t.true(Math.abs(row.rss - report.rss) < 1 * MiB, `pid ${report.pid} ${report.phase}: CSV ${row.rss}, /proc/self/status ${report.rss}`);
  }
  // And between its reports it grew by 3 steps of 24 MiB (the child 48 MiB), which the CSV shows.
  for (const [pid, stepMb] of [
    [parent.pid, 24],
    [child.pid, 48],
  ]) {
    const start = closest(rowsOf(log, pid), all.find((r) => r.pid === pid && r.phase === 'start').rss);
    const end = closest(rowsOf(log, pid), all.find((r) => r.pid === pid && r.phase === 'end').rss);
    const growth = (end.rss - start.rss) / MiB;
    t.true(growth > 3 * stepMb * 0.95 && growth < 3 * stepMb * 1.1, `pid ${pid} grew ${growth} MiB`);
  }
  // USS/PSS are read once a second (--smaps-interval), the other rows leave them empty.
  const withSmaps = log.rows.filter((row) => row.uss !== null);
  t.true(withSmaps.length >= 4 && withSmaps.length < log.rows.length / 5, `${withSmaps.length} of ${log.rows.length} rows`);
  for (const row of withSmaps)
    t.true(row.uss > 0 && row.uss <= row.pss && row.pss <= row.rss, `uss ${row.uss} pss ${row.pss} rss ${row.rss}`);
  // A process sampled in the instant after it was born has not faulted a page yet (a CI run under load
  // caught the child at 0 faults, 0 s of CPU and one thread); from its next row on it has.
  const seen = new Set();
  for (const row of log.rows) {
    const first = !seen.has(row.pid);
    seen.add(row.pid);
    t.true(row.threads >= 1 && row.fds >= 3 && (first || row.pageFaults > 0), JSON.stringify(row));
  }
  // CPU times only grow, per process.
  for (const pid of new Set(log.rows.map((row) => row.pid))) {
    const cpu = rowsOf(log, pid).map((row) => row.cpuUserS + row.cpuSysS);
    t.deepEqual(
      cpu,
      [...cpu].sort((a, b) => a - b),
    );
  }
  t.true(readFileSync(out, 'utf8').startsWith(`${PROCESS_COLUMNS.join(',')}\n`));
});

test("the command's exit code passes through; a command killed by a signal gives 128 + its number", (t) => {
  const out = join(freshDir(), 'exit.csv');
  t.is(cli(['process', '--interval', '0.05', '--out', out, '--', 'sh', '-c', 'exit 7']).status, 7);
  t.is(cli(['process', '--interval', '0.05', '--out', out, '--', 'sh', '-c', 'kill -TERM $$']).status, 143);
});

test('Ctrl-C (SIGINT to the process group) stops the command and the logger; the CSV is complete', async (t) => {
  const out = join(freshDir(), 'interrupted.csv');
  const run = cliAsync(['process', '--interval', '0.02', '--out', out, '--', process.execPath, fixture('forever.mjs')]);
  await until(() => existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 10);
  process.kill(-run.child.pid, 'SIGINT');
  const result = await run.done;
  t.is(result.status, 130, result.stderr);
  const text = readFileSync(out, 'utf8');
  t.true(text.endsWith('\n'));
  const log = readProcessCsv(out);
  const { pid } = reports(result.stdout)[0];
  t.true(rowsOf(log, pid).length >= 10);
  t.true(log.rows.every((row) => row.rss > 0 && row.command.includes('forever.mjs')));
});

test('--pid watches a running process until it exits', async (t) => {
  const out = join(freshDir(), 'pid.csv');
  // It grows by 20 MiB once the log holds its first row (not once the file exists: a CI run's first
  // row came 4 MiB into the growth, and the log read 14.1 MiB of it), then exits.
  const program = `const fs = require('fs'); const a = [];
    const logged = () => fs.existsSync(${JSON.stringify(out)}) && fs.readFileSync(${JSON.stringify(out)}, 'utf8').split('\\n').length > 2;
    const wait = setInterval(() => { if (!logged()) return; clearInterval(wait);
      const grow = setInterval(() => { a.push(Buffer.alloc(1 << 20, 1)); if (a.length === 20) { clearInterval(grow); setTimeout(() => {}, 200); } }, 10); }, 10);`;
  const target = spawn(process.execPath, ['-e', program], { stdio: 'ignore' });
  const run = cliAsync(['process', '--pid', String(target.pid), '--interval', '0.02', '--out', out]);
  const result = await run.done;
  t.is(result.status, 0, result.stderr);
  const rows = rowsOf(readProcessCsv(out), target.pid);
  t.true(rows.length >= 5, `${rows.length} rows`);
  t.true(Math.max(...rows.map((row) => row.rss)) - rows[0].rss > 15 * MiB, `RSS: ${rows.map((row) => (row.rss / MiB).toFixed(1))}`);
});

test('a line written to the --labels FIFO labels the next sample', async (t) => {
  const dir = freshDir();
  const fifo = join(dir, 'labels');
  const out = join(dir, 'labelled.csv');
  const run = cliAsync(['process', '--interval', '0.02', '--labels', fifo, '--out', out, '--', process.execPath, fixture('forever.mjs')]);
  await until(() => existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 3);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(fifo, 'loading data\n');
  writeFileSync(fifo, 'second, "quoted" label\n');
  await until(() => readFileSync(out, 'utf8').includes('quoted'));
  process.kill(-run.child.pid, 'SIGINT');
  await run.done;
  const labels = readProcessCsv(out)
    .rows.filter((row) => row.label)
    .map((row) => row.label);
  t.deepEqual(labels.join('; ').split('; '), ['loading data', 'second, "quoted" label']);
  t.false(existsSync(fifo), 'the FIFO memtrace created is removed');
});

test('--live prints a line per process per sample when stderr is not a terminal', (t) => {
  const out = join(freshDir(), 'live.csv');
  const run = cli(['process', '--live', '--interval', '0.05', '--out', out, '--', 'sleep', '0.3']);
  t.is(run.status, 0);
  const lines = run.stderr.trim().split('\n');
  t.true(lines.length >= 3);
  t.regex(
    lines[1],
    /^\d+\.\d\ds pid \d+ rss [\d.]+ (KiB|MiB) \([+-]?[\d.]+ (B|KiB|MiB)\)( uss [\d.]+ (KiB|MiB))? threads 1 fds \d+ sleep 0\.3$/,
  );
});

test('bad arguments give one line and exit codes 2, 1 and 127', (t) => {
  const zero = cli(['process', '--interval', '0', '--', 'true']);
  t.is(zero.status, 2);
  t.is(zero.stderr, 'memtrace: --interval="0" is not valid: a number of seconds above 0, such as 0.1\n');
  const missingPid = cli(['process', '--pid', '999999999']);
  t.is(missingPid.status, 1);
  t.is(missingPid.stderr, 'memtrace process: no process with pid 999999999\n');
  const out = join(freshDir(), 'none.csv');
  const notFound = cli(['process', '--out', out, '--', 'no-such-command-memtrace']);
  t.is(notFound.status, 127);
  t.is(notFound.stderr, 'memtrace process: command not found: no-such-command-memtrace\n');
  const nothing = cli(['process']);
  t.is(nothing.status, 2);
  t.is(nothing.stderr.split('\n').length, 2);
});
