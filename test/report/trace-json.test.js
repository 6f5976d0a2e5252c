import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTraces, readChromeTrace, readTrace, TraceFileError } from '../../dist/src/index.js';
import { cliPath, freshDir } from '../helpers/run-traced.js';
import { allocators } from './helpers.js';

function memtrace(...args) {
  return spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120_000 });
}

test('report --trace-json: calls as nested slices and memory as counters, in the shape Perfetto reads', (t) => {
  const out = freshDir();
  t.is(memtrace('run', '--trigger', '0', '--out', out, '--', allocators).status, 0);
  const [directory] = findTraces(out);
  const run = memtrace('report', directory, '--trace-json');
  t.is(run.status, 0, run.stderr);
  t.regex(run.stdout, /^memtrace: wrote .*trace\.json \(/);
  const trace = readChromeTrace(join(directory, 'trace.json'));
  const slices = trace.traceEvents.filter((e) => e.ph === 'X');
  const one = (name) => {
    const found = slices.filter((e) => e.name === name);
    t.is(found.length, 1, `one ${name} slice`);
    return found[0];
  };
  const main = one('main');
  const cache = one('buildCache');
  const index = one('buildIndex');
  const inside = (inner, outer) => inner.ts >= outer.ts && inner.ts + inner.dur <= outer.ts + outer.dur;
  t.true(inside(cache, main) && inside(index, main));
  t.true(cache.ts + cache.dur <= index.ts, 'buildCache ends before buildIndex starts');
  const kibibytes = slices.filter((e) => e.name === 'kibibyte');
  const kibibyte = readTrace(directory).functions.find((f) => f.function === 'kibibyte');
  // CI once read 14,723 slices of 18,432 calls (2026-12-07), not reproduced in 30 loaded runs here:
  // if it comes back, these say whether calls went unmeasured (the policy) or rows went unmatched.
  const unmatched = trace.traceEvents.filter((e) => e.ph === 'i' && e.name.startsWith('kibibyte ')).length;
  t.is(kibibytes.length, kibibyte.calls, `measured calls ${kibibyte.measuredCalls}, unmatched rows ${unmatched}`);
  t.is(kibibytes.filter((k) => inside(k, cache)).length, 16 * 1024);
  const counters = trace.traceEvents.filter((e) => e.ph === 'C' && e.name === 'memory');
  t.true(counters.length > 0);
  const last = counters.at(-1).args;
  t.true(last.allocated >= counters[0].args.allocated + 18 * 1024 * 1024, 'allocated grows by the 18 MiB the fixture allocates');
  t.true(trace.traceEvents.some((e) => e.ph === 'M' && e.name === 'process_name'));
});

test('a file that is not a trace-event file gives one line naming it', (t) => {
  const path = join(freshDir(), 'trace.json');
  writeFileSync(path, JSON.stringify({ traceEvents: [{ name: 'x', ph: 'X', ts: 1, pid: 1, tid: 0 }] }));
  t.throws(() => readChromeTrace(path), { instanceOf: TraceFileError, message: `memtrace: ${path}: event 0 has no valid "dur"` });
});
