// limitLeaks in a child process of its own: blocks that keep nothing (each a known source of false
// alarms: a lazy cache, interned strings, a Map cleared now and then, an async block) pass; a leak of
// one small object per call and a registry of sessions fail, naming what accumulates and its path.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fixture } from '../helpers/run-traced.js';

let results;
test.before(() => {
  const run = spawnSync(process.execPath, [fixture('test-api', 'limit-leaks.mjs')], { encoding: 'utf8', timeout: 170_000 });
  if (run.status !== 0) throw new Error(`limit-leaks.mjs exited with ${run.status}: ${run.stderr}`);
  results = JSON.parse(run.stdout);
});

for (const name of ['clean', 'lazyCache', 'interned', 'clearedMap', 'asyncClean']) {
  test(`a block that keeps nothing passes: ${name}`, (t) => {
    t.deepEqual(results[name], { passed: true });
  });
}

test('one small object kept per call fails, with the count per call, the bytes and the path', (t) => {
  const r = results.smallLeak;
  t.is(r.code, 'ERR_MEMTRACE_MEMORY_LEAK');
  t.is(r.name, 'MemoryLeakError');
  // {id}: an object literal's header (map, properties, elements) and its in-object slots: 32 B on
  // 64-bit Node, as the heap snapshot counts it.
  t.true(r.bytesPerCall >= 16 && r.bytesPerCall <= 64, `per call ${r.bytesPerCall}`);
  t.regex(
    r.message,
    /^memtrace limitLeaks: the block keeps \d+ B per call \(allowed 0 B\): memory after a full GC grew \d+ B per call over 8 rounds of 100 calls, after 200 warm-up calls\n/,
  );
  t.regex(r.message, /#1 100 objects from 100 calls \(1 per call\), [\d.]+ KiB \(\d+ B per call\): 100 Object\n/);
  t.regex(r.message, /held by .*smallLeak\(\)\.\{context\} → system \/ Context::kept → Array\[\] → Object$/m);
});

test('a registry that keeps every session fails, naming Session and the registry', (t) => {
  const r = results.sessionLeak;
  t.is(r.code, 'ERR_MEMTRACE_MEMORY_LEAK');
  t.regex(r.message, /100 Session/);
  t.regex(r.message, /held by .*Context::registry → Object\.byId → Map\.\{table\}/);
});

test('a leak within options.allowed passes; a bad option is a one-line error', (t) => {
  t.deepEqual(results.smallLeakAllowed, { passed: true });
  t.is(results.badOption.name, 'InvalidArgumentError');
  t.is(results.badOption.message, 'memtrace: limitLeaks: iterations 0.5 is not a whole number of 2 or more');
});
