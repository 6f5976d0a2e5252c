// trackClass on real programs (child processes): live, created and collected counts of a class.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { fixture, freshDir } from '../helpers/run-traced.js';
import { trackClass, readClassTrackerCsv, formatClassTrackerCsv, InvalidArgumentError, TraceFileError } from '../../dist/src/index.js';

function runFixture(name, args = [], nodeArgs = []) {
  const result = spawnSync(process.execPath, [...nodeArgs, fixture('heap-live', name), ...args], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${name} exited with ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const counts = (sample) => ({ live: sample.live, created: sample.created, collected: sample.collected });

test('1000 instances made with plain new, 400 dropped: 600 live, 1000 created, 400 collected', (t) => {
  const csv = join(freshDir(), 'leaky.csv');
  const { samples, withSubclasses } = runFixture('track-leaky.mjs', [csv]);
  t.deepEqual(
    samples.map((s) => s.label),
    ['start', 'created', 'dropped', 'all dropped'],
  );
  t.deepEqual(counts(samples[0]), { live: 0, created: 0, collected: 0 });
  t.deepEqual(counts(samples[1]), { live: 1000, created: 1000, collected: 0 });
  t.deepEqual(counts(samples[2]), { live: 600, created: 1000, collected: 400 });
  t.deepEqual(counts(samples[3]), { live: 0, created: 1000, collected: 1000 });
  // Two MoreLeaky instances are Leaky too when subclasses count; MoreLeaky.prototype is not.
  t.deepEqual(counts(withSubclasses[0]), { live: 1002, created: 1002, collected: 0 });
  // The CSV reads back as the samples, times in seconds.
  const rows = readClassTrackerCsv(csv);
  t.deepEqual(rows.map(counts), samples.map(counts));
  t.deepEqual(
    rows.map((r) => r.className),
    ['Leaky', 'Leaky', 'Leaky', 'Leaky'],
  );
  for (let i = 0; i < rows.length; i++) t.true(Math.abs(rows[i].timeS - samples[i].timeS) < 1e-6);
  t.true(rows.every((r, i) => i === 0 || r.timeS > rows[i - 1].timeS));
});

test('instances made through tracker.Class count at construction, with no sample in between', (t) => {
  const { sample, kept, admin, sameProto, shallow } = runFixture('track-registered.mjs', ['scan']);
  t.is(kept, 600);
  t.true(admin);
  t.true(sameProto);
  t.is(shallow.name, 'Session');
  t.is(shallow.viaTracker, shallow.viaNew);
  t.deepEqual(counts(sample), { live: 600, created: 1000, collected: 400 });
});

test('without a scan, registered instances are counted once V8 collects the dropped ones', (t) => {
  const { sample } = runFixture('track-registered.mjs', ['no-scan'], ['--expose-gc']);
  t.deepEqual(counts(sample), { live: 600, created: 1000, collected: 400 });
});

test('interval samples follow a growing cache', (t) => {
  const { samples, cached } = runFixture('track-interval.mjs');
  const interval = samples.filter((s) => s.label === 'interval');
  t.true(interval.length >= 4);
  t.true(samples.every((s, i) => i === 0 || s.timeS > samples[i - 1].timeS));
  // Each scan is exact: everything it has seen is either alive or collected.
  for (const s of samples) t.is(s.live, s.created - s.collected);
  t.true(interval.every((s, i) => i === 0 || s.live >= interval[i - 1].live));
  t.true(interval[interval.length - 1].live > interval[0].live);
  t.deepEqual(counts(samples[samples.length - 1]), { live: cached, created: cached, collected: 0 });
});

test("a tracker in a worker thread counts the worker's instances only", (t) => {
  const { worker, main } = runFixture('track-worker.mjs');
  t.is(main, 50);
  t.is(worker.kept, 100);
  t.deepEqual(counts(worker.sample), { live: 100, created: 300, collected: 200 });
});

test('trackClass of something that is not a class gives one clear line', (t) => {
  const cases = [
    [() => 1, /trackClass: the function \(anonymous\) is not a class/],
    [42, /trackClass: 42 \(a number\) is not a class/],
    [function* generate() {}, /trackClass: the function generate is not a class/],
    [{ prototype: {} }, /trackClass: an object \(Object\) is not a class/],
    [undefined, /trackClass: undefined is not a class/],
  ];
  for (const [value, message] of cases) {
    const error = t.throws(() => trackClass(value), { instanceOf: InvalidArgumentError, message });
    t.false(error.message.includes('\n'));
  }
  t.throws(() => trackClass(class A {}, { interval: 0 }), {
    instanceOf: InvalidArgumentError,
    message: /interval must be a positive number/,
  });
});

test('the class-tracker CSV: written with quoting, read back, a bad file named', (t) => {
  const dir = freshDir();
  const rows = [
    { timeS: 0.5, className: 'Leaky', live: 3, created: 4, collected: 1, label: 'after "load", phase 1' },
    { timeS: 1.25, className: 'Other', live: 0, created: 0, collected: 0, label: '' },
  ];
  const file = join(dir, 'classes.csv');
  writeFileSync(file, formatClassTrackerCsv(rows));
  t.deepEqual(readClassTrackerCsv(file), rows);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'time_s,class,live,created,collected,label\n0.1,Leaky,many,1,0,\n');
  t.throws(() => readClassTrackerCsv(bad), {
    instanceOf: TraceFileError,
    message: `memtrace: ${bad}: row 2: live is "many", not a number`,
  });
  writeFileSync(bad, 'seq,time_ns\n');
  t.throws(() => readClassTrackerCsv(bad), {
    instanceOf: TraceFileError,
    message: /bad\.csv: the header is not time_s,class,live,created/,
  });
});
