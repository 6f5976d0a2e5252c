// A traced program's numbers: what a call allocates, what calibration leaves of an empty call, and
// garbage made across many GCs, with the native counters where built and the pure-JS ones always.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTraced, fixture, fn, freshDir, MiB } from './helpers/run-traced.js';
import { ALLOCATION_AREA_STEP, calibrationResidual as residual, FIRST_RUN_CODE } from './helpers/tolerances.js';

for (const counters of ['auto', 'js']) {
  test(`a call that keeps 1 MiB shows about 1 MiB allocated (${counters} counters)`, (t) => {
    const run = runTraced(fixture('tracer', 'keep-1mib.mjs'), { env: { MEMTRACE_COUNTERS: counters } });
    t.is(run.status, 0, run.stderr);
    t.is(run.stdout.trim(), '20');
    const row = fn(run.trace, 'keepOneMiB');
    t.is(row.calls, 20);
    t.is(row.measuredCalls, 20, 'a call allocating 1 MiB stays measured');
    const perCall = row.totalAllocBytes / row.calls;
    t.true(Math.abs(perCall - MiB) / MiB < 0.03, `per call ${perCall} B, expected ~${MiB}`);
    t.true(row.maxHeapGrowthBytes >= 0.97 * MiB, `max heap growth ${row.maxHeapGrowthBytes}`);
  });

  test(`100 000 calls of an empty function show 0 bytes per call (${counters} counters, exact)`, (t) => {
    const run = runTraced(fixture('tracer', 'empty-calls.mjs'), { env: { MEMTRACE_COUNTERS: counters, MEMTRACE_EXACT: '1' } });
    t.is(run.status, 0, run.stderr);
    // CI builds the addon: there the 'auto' runs must have used it (and so met the ±1 B bound).
    if (counters === 'auto' && process.env.CI_EXPECT_NATIVE === '1') {
      t.is(run.trace.meta.counters, 'native');
      t.is(run.trace.meta.probes.measuredPath, 'native');
      t.true(run.trace.meta.probes.spaceFields, "the large-object spaces' size fields were found");
    }
    if (counters === 'js') t.is(run.trace.meta.counters, 'js');
    const row = fn(run.trace, 'empty');
    t.is(row.calls, 100000);
    t.is(row.measuredCalls, 100000);
    t.true(
      Math.abs(row.totalAllocBytes / row.calls) <= residual(run.trace),
      `bytes per call ${row.totalAllocBytes / row.calls} (${run.trace.meta.counters})`,
    );
    const caller = fn(run.trace, 'caller');
    t.true(
      Math.abs(caller.totalAllocBytes / row.calls) <= residual(run.trace),
      `caller bytes per nested call ${caller.totalAllocBytes / row.calls}`,
    );
  });

  test(`hundreds of MiB of garbage across many GCs count as allocated (${counters} counters)`, (t) => {
    const run = runTraced(fixture('tracer', 'garbage.mjs'), { env: { MEMTRACE_COUNTERS: counters } });
    t.is(run.status, 0, run.stderr);
    const row = fn(run.trace, 'churn');
    // 300 000 arrays of 125 doubles: 1000 B of elements + 16 B header + 32 B JSArray each, at least.
    const expected = 300000 * 1016;
    t.true(
      row.totalAllocBytes >= 0.95 * expected,
      `allocated ${(row.totalAllocBytes / MiB).toFixed(1)} MiB, expected >= ${(expected / MiB).toFixed(1)}`,
    );
    t.true(row.totalAllocBytes <= 1.5 * expected, `allocated ${(row.totalAllocBytes / MiB).toFixed(1)} MiB`);
  });
}

for (const counters of ['auto', 'js-probes']) {
  test(`every call is counted, a hoisted function's before its module's preamble too (${counters})`, (t) => {
    // The traced code counts a counted call down itself; a call made before the module's preamble ran
    // cannot (its index is not known yet) and goes to enter() as it is.
    const run = runTraced(fixture('tracer', 'hoisted-cycle.mjs'), { env: { MEMTRACE_COUNTERS: counters } });
    t.is(run.status, 0, run.stderr);
    const { calledEarly, later } = JSON.parse(run.stdout.trim().split('\n').pop());
    const row = fn(run.trace, 'early');
    t.is(row.calls, calledEarly + later);
    t.true(row.measuredCalls < later / 10, `measured ${row.measuredCalls}`);
  });
}

test('the default policy counts a tiny hot function after its probation and keeps it at 0 bytes', (t) => {
  const CALLS = 4_000_000;
  const run = runTraced(fixture('tracer', 'empty-calls.mjs'), { args: [String(CALLS)] });
  t.is(run.status, 0, run.stderr);
  const row = fn(run.trace, 'empty');
  t.is(row.calls, CALLS);
  // Judged on windows of 4 calls (Policy.Probation; the first can catch its compile, a later one a GC),
  // before V8 keeps feedback for it, and counted since: no call of the 4 million is measured again.
  t.true(row.measuredCalls <= 32, `measured ${row.measuredCalls}`);
  // On Node 24 a background compiler thread can take an allocation area between two of its readings.
  t.true(
    Math.abs(row.totalAllocBytes) <= row.measuredCalls * residual(run.trace) + ALLOCATION_AREA_STEP,
    `bytes over its measured calls ${row.totalAllocBytes}`,
  );
  const caller = fn(run.trace, 'caller');
  t.true(
    Math.abs(caller.totalAllocBytes / row.calls) <= residual(run.trace),
    `caller bytes per nested call ${caller.totalAllocBytes / row.calls}`,
  );
});

test('a function counted after a cheap probation that allocates later: its bytes count in its caller', (t) => {
  const run = runTraced(fixture('tracer', 'late-allocator.mjs'));
  t.is(run.status, 0, run.stderr);
  t.is(run.stdout.trim(), '1000 1000');
  const later = fn(run.trace, 'later');
  const loop = fn(run.trace, 'loop');
  t.is(later.calls, 1100);
  t.true(later.measuredCalls < 100, `measured ${later.measuredCalls}: it was counted before it allocated`);
  // 1000 arrays of 1000 doubles: 8000 B of elements + 16 B header + 32 B JSArray each, at least, and
  // the array holding them (grown by doubling: under 16 KB).
  const expected = 1000 * 8048;
  t.true(
    loop.totalAllocBytes >= expected && loop.totalAllocBytes <= (1 + FIRST_RUN_CODE) * expected + 16384 + ALLOCATION_AREA_STEP,
    `loop allocated ${loop.totalAllocBytes} B, expected ~${expected}`,
  );
  t.true(Math.abs(loop.selfAllocBytes - (loop.totalAllocBytes - later.totalAllocBytes)) <= 1, 'self = total - measured callees');
});

test('an async call is charged for what it allocates after its await, not for what others do meanwhile', (t) => {
  const run = runTraced(fixture('tracer', 'async-attribution.mjs'));
  t.is(run.status, 0, run.stderr);
  const heavy = fn(run.trace, 'heavy');
  const light = fn(run.trace, 'light');
  // One call of 4 MiB (a builtin fills it: no compile job of its own ends inside the call).
  t.true(
    heavy.totalAllocBytes >= 0.97 * 4 * MiB && heavy.totalAllocBytes < 1.03 * 4 * MiB + ALLOCATION_AREA_STEP,
    `heavy ${heavy.totalAllocBytes}`,
  );
  // light runs for microseconds between its awaits, but what V8 allocates for itself then (an
  // allocation area on Node 24, code of a background compile job finished under load: 100-400 KB seen
  // in loaded CI runs) lands in its figure; 512 KiB is still an eighth of heavy's, which it would
  // show if it were charged for what heavy does while it waits.
  t.true(light.totalAllocBytes < 512 * 1024, `light ${light.totalAllocBytes}`);
  const events = run.trace.events();
  t.true(events.some((e) => e.event === 'return' && e.function === 'heavy' && e.dAllocated > 0.9 * 4 * MiB));
});

for (const counters of ['auto', 'js']) {
  test(`two calls of one async function at once each add their bytes to its totals (${counters} counters)`, (t) => {
    const run = runTraced(fixture('tracer', 'async-concurrent.mjs'), { env: { MEMTRACE_COUNTERS: counters } });
    t.is(run.status, 0, run.stderr);
    t.is(run.stdout.trim(), '1 2 4');
    const request = fn(run.trace, 'request');
    t.is(request.calls, 2);
    // 1 MiB each, half on either side of the await. Before the fix the first call to finish was taken
    // for a recursive one (the other was in progress) and left out: 1.0 MiB for the two.
    t.true(
      request.totalAllocBytes >= 0.97 * 2 * MiB && request.totalAllocBytes < 1.03 * 2 * MiB + ALLOCATION_AREA_STEP,
      `request ${request.totalAllocBytes}`,
    );
    t.true(Math.abs(request.selfAllocBytes - request.totalAllocBytes) < 0.03 * MiB, `self ${request.selfAllocBytes}`);
  });
}

test('line mode charges the allocating line', (t) => {
  const run = runTraced(fixture('tracer', 'lines.mjs'), { env: { MEMTRACE_LINES: '1' } });
  t.is(run.status, 0, run.stderr);
  const lines = run.trace.events().filter((e) => e.event === 'line' && e.function === 'byLine');
  const top = lines.reduce((a, b) => (b.dAllocated > a.dAllocated ? b : a));
  t.true(top.line === 4 || top.line === 5, `top line ${top.line}`);
  const total = lines.filter((e) => e.line === 4 || e.line === 5).reduce((sum, e) => sum + e.dAllocated, 0);
  // The first run of a function also allocates its bytecode and feedback. On Node 24 part of the MiB
  // can reach a reading only at line 6, an allocation area later: 0.75-0.79 MiB was read in about 1
  // run in 40 on a loaded machine.
  t.true(
    total >= 0.99 * MiB - ALLOCATION_AREA_STEP && total < (1 + FIRST_RUN_CODE) * MiB + ALLOCATION_AREA_STEP,
    `lines 4-5 allocated ${total}`,
  );
});

test("a for-await loop suspends the call while it waits: others' allocations are not charged to it", (t) => {
  const run = runTraced(fixture('tracer', 'for-await.mjs'), { env: { MEMTRACE_TRIGGER: '0' } });
  t.is(run.status, 0, run.stderr);
  t.is(run.stdout.trim(), '3 2');
  const consume = fn(run.trace, 'consume');
  // Its own 1 MiB, give or take what V8 allocates for its code on a first run; not heavy's too (2 MiB).
  // On Node 24 the readings around an await can lag by an allocation area: 1.41 MB was seen once in 8.
  const most = 1.3 * MiB + ALLOCATION_AREA_STEP;
  // A reading may also lag by one step at the end of a call: part of its MiB then reaches the next
  // reading (heavy read under 0.97 MiB once on Node 24, in a clean-clone CI run).
  const least = 0.97 * MiB - ALLOCATION_AREA_STEP;
  t.true(consume.totalAllocBytes >= least && consume.totalAllocBytes < most, `consume ${consume.totalAllocBytes}`);
  const heavy = fn(run.trace, 'heavy').totalAllocBytes;
  t.true(heavy >= least, `heavy ${heavy}`);
  const events = run.trace
    .events()
    .filter((e) => e.function === 'consume')
    .map((e) => e.event);
  t.true(events.filter((e) => e === 'suspend').length >= 4, events.join(' '));
  t.is(events.filter((e) => e === 'suspend').length, events.filter((e) => e === 'resume').length);
});

test('a module required inside a traced call: the call is not charged with the transform of it', (t) => {
  // ~400 KB of CommonJS with 3000 functions; transforming it allocates ~40 times that on the thread that parses it.
  const dir = freshDir();
  const big = join(dir, 'big.cjs');
  const parts = [];
  for (let i = 0; i < 3000; i++)
    parts.push(
      `exports.f${i} = function f${i}(a, b) { const list = [a, b, ${i}]; if (a > b) { return list.map((x) => x * 2); } return list.reduce((s, x) => s + x, 0); };`,
    );
  writeFileSync(big, parts.join('\n'));
  const env = { MEMTRACE_INCLUDE: '**/*', MEMTRACE_CACHE_DIR: join(dir, '.cache') };
  const cold = runTraced(fixture('tracer', 'lazy-require.cjs'), { env, args: [big] });
  const warm = runTraced(fixture('tracer', 'lazy-require.cjs'), { env, args: [big] });
  for (const run of [cold, warm]) {
    t.is(run.status, 0, run.stderr);
    t.is(run.stdout.trim(), '3000');
  }
  const coldBytes = fn(cold.trace, 'loadBig').selfAllocBytes;
  const warmBytes = fn(warm.trace, 'loadBig').selfAllocBytes;
  // About the same with the transform (cold) as with its result from the cache (warm): Node's own
  // loading varies by run (7.7-9.4 MB warm and cold here); transformed on this thread, the cold call
  // read 46 MB against 9 MB warm (Node 20).
  t.true(coldBytes < 1.5 * warmBytes, `cold ${coldBytes} B, warm ${warmBytes} B`);
  t.true(warmBytes > 0.1 * MiB, `warm ${warmBytes} B: Node's own loading of 400 KB of code`);
});
