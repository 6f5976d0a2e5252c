// `--import memtrace/process` and startProcessLog(): the heap and GCs on the /proc timeline, from a
// worker, on both the native path and the pure-JS one.
import test from 'ava';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readProcessCsv } from '../../dist/src/index.js';
import { fixture, freshDir, nativeAvailable, reports, runLogged, MiB } from './helpers.js';

const samples = (log) => log.rows.filter((row) => !row.gcKind);

for (const path of ['native', 'js']) {
  const env = path === 'js' ? { MEMTRACE_NO_NATIVE: '1' } : {};

  test(`${path}: samples keep coming while the main thread never yields; the figures match its own`, (t) => {
    if (path === 'native' && !nativeAvailable(t)) return;
    const out = join(freshDir(), 'blocked.csv');
    // Natively every 0.1 s: a row waits for the main thread's reading up to 0.9 of the interval, and
    // the fixture's GCs (up to 45 ms each here, longer on a loaded machine) serve no interrupt. At
    // 0.05 s, with two test suites running at once, 13 of 23 rows missed their 45 ms.
    const interval = path === 'native' ? 0.1 : 0.05;
    const run = runLogged(fixture('blocked.mjs'), { env: { ...env, BLOCK_S: '1.5' }, out, interval });
    t.is(run.status, 0, run.stderr);
    const [report] = reports(run.stdout);
    const log = readProcessCsv(out);
    t.true(log.inside);
    const rows = samples(log);
    const startS = rows[0].timeS;
    const labelled = rows.find((row) => row.label === 'block');
    t.truthy(labelled, 'label() in the program marks a row');
    const duringBlock = rows.filter((row) => row.timeS > labelled.timeS + 0.1 && row.timeS < labelled.timeS + 1.4);
    t.true(duringBlock.length >= 8, `${duringBlock.length} samples during the 1.5 s block at ${interval} s`);
    t.true(duringBlock.every((row) => row.rss > 0));
    const withHeap = duringBlock.filter((row) => row.heapUsed !== null);
    if (path === 'native') {
      // Readings come by interrupt from inside the loop (none while V8 collects garbage).
      t.true(withHeap.length >= duringBlock.length / 2, `${withHeap.length} of ${duringBlock.length} rows have the heap`);
    } else {
      t.true(withHeap.length <= 1, 'the pure-JS path has no heap readings while the main thread is blocked');
    }
    // The sample after the program read its own figures (it then sleeps) reads the same.
    const reported = rows.find((row) => row.label === 'report');
    t.true(Math.abs(reported.rss - report.rss) / report.rss < 0.05, `rss ${reported.rss} vs ${report.rss}`);
    t.true(Math.abs(reported.heapUsed - report.heapUsed) / report.heapUsed < 0.05, `heap ${reported.heapUsed} vs ${report.heapUsed}`);
    t.true(reported.heapTotal >= reported.heapUsed);
    const last = rows.at(-1);
    t.true(startS < 0.05, 'the first row is the start');
    // GCs are on the same timeline, with their kind (and, natively, the heap before and after).
    const gcs = log.rows.filter((row) => row.gcKind);
    t.true(gcs.length >= 3, `${gcs.length} GCs`);
    t.true(
      gcs.every(
        (gc) =>
          ['minor', 'major', 'incremental', 'weak'].includes(gc.gcKind) &&
          gc.gcDurationS >= 0 &&
          gc.timeS >= 0 &&
          gc.timeS <= last.timeS + 0.1,
      ),
    );
    if (path === 'native') t.true(gcs.every((gc) => gc.gcBefore > 0 && gc.gcAfter > 0));
    else t.true(gcs.every((gc) => gc.gcBefore === null));
  });
}

test('startProcessLog()/stopProcessLog() in code; label() goes to the running log and starts nothing when none runs', (t) => {
  const dir = freshDir();
  const out = join(dir, 'api.csv');
  const run = spawnSync(process.execPath, [fixture('api.mjs')], { cwd: dir, encoding: 'utf8', env: { ...process.env, OUT: out } });
  t.is(run.status, 0, run.stderr);
  const [result] = reports(run.stdout);
  t.like(result, { labelledWithNothing: false, path: out, sameAsStarted: true, running: false, traceDirs: 0, exists: true });
  if (nativeAvailable(t)) t.is(result.heapSampler, 'native');
  const log = readProcessCsv(out);
  t.deepEqual(
    log.rows.filter((row) => row.label).map((row) => row.label),
    ['first', 'last'],
  );
  const rows = samples(log);
  // Five 4 MiB Buffers: external memory and array buffers grow by ~20 MiB.
  const grew = rows.at(-1).arrayBuffers - rows[0].arrayBuffers;
  t.true(Math.abs(grew - 20 * MiB) < 2 * MiB, `array buffers grew ${grew / MiB} MiB`);
});

test('a bad MEMTRACE_PROCESS_INTERVAL gives one line and exit code 2', (t) => {
  const run = runLogged(fixture('api.mjs'), { env: { MEMTRACE_PROCESS_INTERVAL: 'often' }, out: join(freshDir(), 'x.csv') });
  t.is(run.status, 2);
  t.is(run.stderr, 'memtrace: MEMTRACE_PROCESS_INTERVAL="often" is not valid: a number of seconds above 0, such as 0.1\n');
});
