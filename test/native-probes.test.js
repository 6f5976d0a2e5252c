// The measured path of the probes in the addon (native/probes.cc) against the JS one (probes.ts),
// which stays the reference: the same program traced both ways (MEMTRACE_COUNTERS=auto and js-probes:
// the same native counters, the measured calls entered and ended in C++ or in JS) records the same
// calls, measured calls, bytes and event rows. Without the addon: passes with a note, unless
// CI_EXPECT_NATIVE=1.
import test from 'ava';
import { fixture, fn, runTraced } from './helpers/run-traced.js';
import { loadNativeCounters } from '../dist/src/runtime/native-counters.js';

const native = loadNativeCounters();

function traceBothWays(file, env = {}) {
  const runs = {};
  for (const counters of ['auto', 'js-probes']) {
    const run = runTraced(file, { env: { MEMTRACE_COUNTERS: counters, ...env } });
    if (run.status !== 0) throw new Error(`${counters}: exit ${run.status}: ${run.stderr}`);
    runs[counters] = run;
  }
  return runs;
}

function needsAddon(t) {
  if (native) return true;
  if (process.env.CI_EXPECT_NATIVE === '1') t.fail(`native addon missing for Node ${process.version}`);
  else t.pass('native addon not built: only the JS measured path exists here');
  return false;
}

test('the addon enters and ends measured calls, and records them as the JS probes do', (t) => {
  if (!needsAddon(t)) return;
  const { auto, 'js-probes': js } = traceBothWays(fixture('tracer', 'measured-paths.mjs'));
  t.is(auto.stdout, js.stdout);
  // Seen once in a clean-clone CI run on Node 20 ('js' with the addon built): the message says which
  // counters ran and what memtrace said, for the next time.
  t.is(auto.trace.meta.probes.measuredPath, 'native', `counters ${auto.trace.meta.counters}; stderr: ${auto.stderr.trim() || '(empty)'}`);
  t.is(js.trace.meta.probes.measuredPath, 'js');
  for (const name of ['block', 'leaf', 'middle', 'deep', 'fails', 'later', 'counts']) {
    const a = fn(auto.trace, name);
    const b = fn(js.trace, name);
    t.is(a.calls, b.calls, `${name}: calls`);
    t.is(a.measuredCalls, b.measuredCalls, `${name}: measured calls`);
  }
  // Large objects are counted to the byte: the same bytes both ways, and the inclusive totals hold
  // their callees (leaf a MiB a call, middle five leaf calls and 256 KiB, deep 16 MiB
  // once for all its recursion, later 768 KiB a call across its await).
  const KB = 1024;
  for (const trace of [auto.trace, js.trace]) {
    const row = (name) => fn(trace, name);
    const path = trace.meta.probes.measuredPath;
    // 3 % natively (V8's own first deep recursion allocates a few hundred KB: 4.37 MB for 4 MiB
    // once); 15 % for the JS probes, which, interpreted for their first calls, box numbers the call
    // is charged with (deep's 4 MiB once read 4.9 MB under load).
    const bound = path === 'native' ? 0.03 : 0.15;
    const near = (actual, expected, what) =>
      t.true(Math.abs(actual - expected) <= bound * expected, `${what}: ${actual}, expected ~${expected}`);
    near(row('block').totalAllocBytes, (20 * 1024 + 4 * 256 + 16 * 1024 + 10 * 256 + 10 * 768 + 3 * 256) * KB, `${path}: block total`);
    near(row('leaf').totalAllocBytes, 20 * 1024 * KB, `${path}: leaf total`);
    near(row('middle').totalAllocBytes, (20 * 1024 + 4 * 256) * KB, `${path}: middle total`);
    near(row('deep').totalAllocBytes, 16 * 1024 * KB, `${path}: deep total`);
    near(row('fails').totalAllocBytes, 10 * 256 * KB, `${path}: fails total`);
    near(row('later').totalAllocBytes, 10 * 768 * KB, `${path}: later total`);
    near(row('counts').totalAllocBytes, 3 * 256 * KB, `${path}: counts total`);
    // What is left as each one's own is small: their bytes are their blocks'. Per call where there
    // are many calls (deep's 1501: the addon charges a call nothing of its own; the JS probes, boxing
    // numbers until optimised, read ~1.4 KB); for the others a bound on the whole, as V8's JIT code
    // (a compile job's ~100-200 KB) can land in any call.
    if (path !== 'native') continue;
    t.true(
      row('deep').selfAllocBytes / row('deep').calls < 512,
      `${path}: deep self ${row('deep').selfAllocBytes / row('deep').calls} B a call`,
    );
    for (const name of ['leaf', 'middle', 'fails', 'later']) {
      t.true(row(name).selfAllocBytes < 512 * KB, `${path}: ${name} self ${row(name).selfAllocBytes} B in all`);
    }
  }
  // Throws end as throw rows, and every call allocating past the trigger has its row.
  const kinds = (trace) => trace.events().reduce((m, e) => m.set(e.event, (m.get(e.event) ?? 0) + 1), new Map());
  const [ka, kb] = [kinds(auto.trace), kinds(js.trace)];
  t.is(ka.get('throw'), 10);
  t.is(ka.get('throw'), kb.get('throw'));
  t.true(
    Math.abs((ka.get('return') ?? 0) - (kb.get('return') ?? 0)) <= 2,
    `return rows: ${ka.get('return')} native, ${kb.get('return')} js`,
  );
});

test('with trigger 0 the addon writes a call and a return row for every measured call, across halves of the buffer', (t) => {
  if (!needsAddon(t)) return;
  // 80 000 rows: more than one half of the event buffer (65 536 rows), so the addon fills a half and
  // JS hands it over.
  const run = runTraced(fixture('tracer', 'empty-calls.mjs'), { args: ['40000'], env: { MEMTRACE_TRIGGER: '0', MEMTRACE_EXACT: '1' } });
  t.is(run.status, 0, run.stderr);
  t.is(run.trace.meta.probes.measuredPath, 'native');
  const calls = run.trace.events().filter((e) => e.event === 'call' && e.function === 'empty').length;
  const returns = run.trace.events().filter((e) => e.event === 'return' && e.function === 'empty').length;
  const row = fn(run.trace, 'empty');
  t.is(calls, row.calls);
  t.is(returns, row.calls);
  t.is(row.calls, 40000);
  // Rows are in order, without gaps.
  const seqs = run.trace.events().map((e) => e.seq);
  t.deepEqual(
    seqs,
    seqs.map((_, i) => seqs[0] + i),
  );
  t.is(run.trace.meta.events.rowsWritten, seqs.length);
});
