// memtrace check as a CI job runs it: a baseline written from one run of a real program, the same
// program run again (passes), and run with one function allocating twice as much (fails, naming it).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, fixture, freshDir, root, runTraced } from './helpers/run-traced.js';
import { parseBytes } from '../dist/src/shared/sizes.js';

const app = fixture('check', 'render.mjs');
const check = (...args) => spawnSync(process.execPath, [cliPath, 'check', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

function traceOf(factor) {
  const run = runTraced(app, { env: { ROW_FACTOR: String(factor) } });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.directories[0];
}

const dir = freshDir();
const baseline = join(dir, 'baseline.json');
let traces;
test.before(() => {
  traces = { first: traceOf(1), again: traceOf(1), doubled: traceOf(2) };
});

test.serial('a baseline records each function with its file relative to the checkout', (t) => {
  const written = check(traces.first, '--write-baseline', baseline);
  t.is(written.status, 0, written.stderr);
  const data = JSON.parse(readFileSync(baseline, 'utf8'));
  const row = data.functions.find((f) => f.function === 'renderRow');
  t.is(row.file, 'test/fixtures/check/render.mjs');
  t.is(row.calls, 10000);
  // 64 smis joined with commas, 10 000 times: well over 10 MB in all.
  t.true(row.totalAllocBytes > 10e6, `renderRow ${row.totalAllocBytes}`);
});

test.serial('the same code run again passes', (t) => {
  const run = check(traces.again, '--baseline', baseline);
  t.is(run.status, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /^memtrace check: 3 functions within the baseline/);
});

test.serial('a function that allocates twice as much fails the check, named first with its file and line', (t) => {
  const junit = join(dir, 'junit.xml');
  const run = check(traces.doubled, '--baseline', baseline, '--junit', junit);
  t.is(run.status, 1, run.stdout + run.stderr);
  const [verdict, , first] = run.stdout.split('\n');
  t.regex(verdict, /functions over the baseline/);
  t.regex(first, /^renderRow\s+test\/fixtures\/check\/render\.mjs:6\s/);
  t.regex(first, /\+(8\d|9\d|1\d\d) %$/);
  const xml = readFileSync(junit, 'utf8');
  t.regex(xml, /<testsuites name="memtrace check" tests="3" failures="3">/);
  t.regex(
    xml,
    /<testcase classname="test\/fixtures\/check\/render.mjs" name="renderRow">\n\s+<failure message="renderRow at test\/fixtures\/check\/render.mjs:6: /,
  );
});

test.serial("--format github: an annotation on the function's line and a Markdown summary", (t) => {
  const summary = join(dir, 'summary.md');
  writeFileSync(summary, '');
  const run = spawnSync(process.execPath, [cliPath, 'check', traces.doubled, '--baseline', baseline, '--format', 'github'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GITHUB_STEP_SUMMARY: summary },
  });
  t.is(run.status, 1);
  t.regex(
    run.stdout,
    /^::error file=test\/fixtures\/check\/render.mjs,line=6,title=memtrace check::renderRow allocates more than its baseline: /,
  );
  t.regex(readFileSync(summary, 'utf8'), /\| renderRow \| test\/fixtures\/check\/render\\\.mjs:6 \|/);
});

test.serial('a tolerance wider than the growth, or a floor above it, passes', (t) => {
  t.is(check(traces.doubled, '--baseline', baseline, '--tolerance', '150%').status, 0);
  t.is(check(traces.doubled, '--baseline', baseline, '--min-bytes', '1GiB').status, 0);
});

test('bad input: one line and exit code 2', (t) => {
  const notJson = join(dir, 'not-json.json');
  writeFileSync(notJson, '{"format": "memtrace-baseline", ');
  const wrongShape = join(dir, 'wrong.json');
  writeFileSync(
    wrongShape,
    JSON.stringify({ format: 'memtrace-baseline', version: 1, functions: [{ function: 'f', file: 'a.js', line: 'x' }] }),
  );
  const cases = [
    [[join(dir, 'missing'), '--baseline', baseline], /no such trace directory/],
    [[dir, '--baseline', baseline], /no functions\.csv here/],
    [[root, '--baseline', notJson], /not-json\.json: not JSON/],
    [[root, '--baseline', wrongShape], /functions\[0\]\.line is not a number/],
    [[root], /give --baseline FILE or --write-baseline FILE/],
    [[root, '--baseline', baseline, '--tolerance', 'lots'], /--tolerance "lots" is not a percentage/],
    [[root, '--baseline', baseline, '--metric', 'rss'], /--metric "rss"/],
  ];
  for (const [args, message] of cases) {
    // A trace is needed where the error is about the baseline or the flags.
    const run = check(...args.map((arg) => (arg === root ? traces.again : arg)));
    t.is(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    t.regex(run.stderr, message);
    t.is(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
});

test('sizes as people write them', (t) => {
  t.is(parseBytes('4096'), 4096);
  t.is(parseBytes('64KiB'), 65536);
  t.is(parseBytes('512 KB'), 512000);
  t.is(parseBytes('1.5 GiB'), 1.5 * 1024 ** 3);
  t.is(parseBytes('2g'), 2 * 1024 ** 3);
  t.is(parseBytes('lots'), undefined);
  t.is(parseBytes('12 parsecs'), undefined);
});

test('memtrace run --fail-over: exit 1 after writing the trace when the heap peaked over the size', (t) => {
  const out = freshDir();
  const run = (...args) =>
    spawnSync(process.execPath, [cliPath, 'run', '--out', out, ...args, '--', fixture('check', 'peak.mjs')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
  const over = run('--fail-over', '20MiB');
  t.is(over.status, 1, over.stderr);
  t.is(over.stdout.trim(), '40');
  t.regex(over.stderr, /memtrace: the heap peaked at 4\d\.\d MiB, over --fail-over 20\.0 MiB \(/);
  // The trace is written all the same, with the peak in meta.json.
  const meta = JSON.parse(readFileSync(join(over.stderr.match(/\((\/[^)]+)\)$/m)[1], 'meta.json'), 'utf8'));
  t.true(meta.events.peakHeapUsed >= 40 * 1024 * 1024, `peakHeapUsed ${meta.events.peakHeapUsed}`);
  const under = run('--fail-over', '1GiB');
  t.is(under.status, 0, under.stderr);
  t.notRegex(under.stderr, /fail-over/);
  const bad = run('--fail-over', 'lots');
  t.is(bad.status, 2);
  t.is(bad.stderr.trim(), 'memtrace run: --fail-over "lots" is not a size (512MiB, 1GB, 268435456)');
});
