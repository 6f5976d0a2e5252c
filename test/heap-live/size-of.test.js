// sizeOf and writeSnapshot on real programs (child processes): objects whose make-up fixes their size.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, freshDir } from '../helpers/run-traced.js';
import { sizeOf, sizeOfEach, writeSnapshot, readSnapshot, InvalidArgumentError, SnapshotWriteError } from '../../dist/src/index.js';

function runFixture(name) {
  const result = spawnSync(process.execPath, [fixture('heap-live', name)], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${name} exited with ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

// One V8 object header (map, properties, elements) is 24 bytes on 64-bit; an array adds its length.
const ARRAY_SHALLOW = [24, 64];
// A FixedDoubleArray backing store: its header (map, length) then 8 bytes per element.
const BACKING_HEADER = 16;

test('sizes of known objects: an array of N doubles, a Map of 1000 objects, an object held twice, a closure', (t) => {
  const run = runFixture('size-of.mjs');

  // The array: a small header of its own; retained adds its backing store of exactly N doubles.
  t.is(run.doubles.name, 'Array');
  t.true(run.doubles.shallow >= ARRAY_SHALLOW[0] && run.doubles.shallow <= ARRAY_SHALLOW[1], `shallow ${run.doubles.shallow}`);
  t.is(run.doubles.retained - run.doubles.shallow, BACKING_HEADER + 8 * run.N);
  t.is(run.doubles.text, `Array (object): 781 KiB retained, ${run.doubles.shallow} B shallow`);

  // The Map retains its 1000 entries (each the size of one, measured alone) and a hash table whose
  // entries take 3 words each (key, value, chain) plus buckets: between 24 and 48 bytes per entry.
  t.is(run.map.name, 'Map');
  t.is(run.oneEntry.name, 'Object');
  t.is(run.oneEntry.retained, run.oneEntry.shallow);
  const table = run.map.retained - run.map.shallow - run.entries * run.oneEntry.retained;
  t.true(table >= 24 * run.entries && table <= 48 * run.entries, `hash table ${table} bytes`);

  // `shared` is held by a and by b: neither retains it, and it retains its own backing store.
  t.is(run.a.retained, run.a.shallow);
  t.is(run.b.retained, run.b.shallow);
  t.not(run.a.id, run.b.id);
  t.is(run.shared.retained - run.shared.shallow, BACKING_HEADER + 8 * 50_000);

  // The closure keeps its context, which keeps the 20 000 doubles it captured.
  t.is(run.counter.type, 'closure');
  t.is(run.counter.name, 'count');
  t.true(run.counter.retained >= run.counter.shallow + BACKING_HEADER + 8 * 20_000, `closure retains ${run.counter.retained}`);
  t.true(run.counter.retained <= run.counter.shallow + BACKING_HEADER + 8 * 20_000 + 4096, `closure retains ${run.counter.retained}`);
});

test("sizeOf in a worker thread measures the worker's own heap", (t) => {
  const run = runFixture('size-of-worker.mjs');
  t.is(run.name, 'Array');
  t.is(run.retained - run.shallow, BACKING_HEADER + 8 * run.N);
});

test('sizeOf of a primitive is rejected with one clear line', async (t) => {
  const cases = [
    [42, 'memtrace: sizeOf: 42 (a number) is not an object: only objects and functions have a size in the heap'],
    ['text', 'memtrace: sizeOf: "text" (a string) is not an object: only objects and functions have a size in the heap'],
    [null, 'memtrace: sizeOf: null is not an object: only objects and functions have a size in the heap'],
    [undefined, 'memtrace: sizeOf: undefined is not an object: only objects and functions have a size in the heap'],
  ];
  for (const [value, message] of cases) await t.throwsAsync(sizeOf(value), { instanceOf: InvalidArgumentError, message });
  await t.throwsAsync(sizeOfEach([{}, 7n]), {
    instanceOf: InvalidArgumentError,
    message: /sizeOfEach: 7n \(a bigint\) \(item 1\) is not an object/,
  });
  await t.throwsAsync(sizeOfEach({}), { instanceOf: InvalidArgumentError, message: /sizeOfEach: an object \(Object\) is not an array/ });
});

test('sizeOf can keep its snapshot, which then holds the object under the reported id', async (t) => {
  const file = join(freshDir(), 'kept.heapsnapshot');
  class Marker {
    constructor() {
      this.values = new Array(1000).fill(0.75);
    }
  }
  const marker = new Marker();
  const size = await sizeOf(marker, { snapshot: file });
  t.true(existsSync(file));
  const snapshot = await readSnapshot(file);
  const index = snapshot.nodeIndexById(size.nodeId);
  t.is(snapshot.nodeName(index), 'Marker');
  t.is(size.name, 'Marker');
  t.is(size.retainedBytes, snapshot.retainedSize(index));
  t.true(size.retainedBytes >= size.shallowBytes + 32 + BACKING_HEADER + 8 * 1000);
});

test('writeSnapshot writes a snapshot readSnapshot reads; a missing directory is one clear line', async (t) => {
  const file = join(freshDir(), 'live.heapsnapshot');
  t.is(writeSnapshot(file), file);
  const snapshot = await readSnapshot(file);
  t.true(snapshot.nodeCount > 1000);
  const missing = join(freshDir(), 'no', 'such', 'dir', 'x.heapsnapshot');
  t.throws(() => writeSnapshot(missing), {
    instanceOf: SnapshotWriteError,
    message: `memtrace: cannot write the heap snapshot ${missing}: its directory does not exist`,
  });
});
