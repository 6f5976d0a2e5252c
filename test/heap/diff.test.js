// A program that leaks 100 objects per round and snapshots three times: the diff finds the leak, by
// count, by constructor and by retainer path, and the three-snapshot rule leaves out work in flight.
import test from 'ava';
import { parse } from 'csv-parse/sync';
import { readSnapshot, diffSnapshots } from '../../dist/src/index.js';
import { memtraceHeap, snapshotsOf } from './helpers.js';

const files = snapshotsOf('three-snapshots.mjs', ['a.heapsnapshot', 'b.heapsnapshot', 'c.heapsnapshot']);
const [a, b, c] = await Promise.all(files.map((file) => readSnapshot(file)));

test('growth by constructor between the first and the last snapshot', (t) => {
  const diff = diffSnapshots(a, b, c);
  const leaked = diff.growth.find((row) => row.name === 'LeakedThing');
  t.like(leaked, { countBefore: 0, countAfter: 200 });
  const perObject = leaked.selfSizeAfter / 200;
  t.true(perObject >= 16 && Number.isInteger(perObject));
  const deltas = diff.growth.map((row) => row.selfSizeAfter - row.selfSizeBefore);
  t.deepEqual(
    deltas,
    [...deltas].sort((x, y) => y - x),
  );
  t.false(diff.growth.some((row) => row.name === 'Transient'));
});

test('two snapshots: everything new and alive, including the work in flight', (t) => {
  const diff = diffSnapshots(a, b);
  const leak = diff.leaks.find((group) => group.classes.some((entry) => entry.name === 'LeakedThing'));
  t.deepEqual(leak.classes, [{ name: 'LeakedThing', count: 100 }]);
  t.is(leak.path, 'global.leakStore → Array[] → LeakedThing');
  t.regex(diff.leaks.map((group) => group.path).join('\n'), /::inFlight → Array/);
  t.is(
    diff.leaks
      .flatMap((group) => group.classes)
      .filter((entry) => entry.name === 'Transient')
      .reduce((sum, entry) => sum + entry.count, 0),
    50,
  );
});

test('three snapshots: only what was allocated between A and B and is still alive in C', (t) => {
  const diff = diffSnapshots(a, b, c);
  t.is(diff.leaks[0].path, 'global.leakStore → Array[] → LeakedThing');
  t.deepEqual(diff.leaks[0].classes, [{ name: 'LeakedThing', count: 100 }]);
  t.is(diff.leaks[0].count, 100);
  t.is(diff.leaks[0].retainedSize, diff.leaks[0].selfSize);
  const firstRound = [];
  for (let node = 0; node < c.nodeCount; node++)
    if (c.className(node) === 'LeakedThing' && c.nodeId(node) <= b.maxNodeId) firstRound.push(node);
  t.is(firstRound.length, 100);
  t.is(
    diff.leaks[0].selfSize,
    firstRound.reduce((sum, node) => sum + c.selfSize(node), 0),
  );
  t.false(diff.leaks.some((group) => group.classes.some((entry) => entry.name === 'Transient')));
  t.regex(diff.leaks[0].example.steps.map((step) => step.edgeName).join(' '), /leakStore \d+$/);
});

test('memtrace heap diff A B C: table and CSV', (t) => {
  const table = memtraceHeap(['diff', ...files]);
  t.is(table.status, 0, table.stderr);
  t.regex(table.stdout, /^\s*\+200\s+\+\S+ \S+\s+200\s+\S+ \S+\s+LeakedThing$/m);
  t.regex(table.stdout, /^100 objects allocated between .*a\.heapsnapshot and .*b\.heapsnapshot, alive in .*c\.heapsnapshot/m);
  t.regex(table.stdout, /#1 global\.leakStore → Array\[\] → LeakedThing$/m);
  const rows = parse(memtraceHeap(['diff', ...files, '--csv']).stdout, { columns: true });
  t.like(rows[0], { objects: '100', constructors: '100 LeakedThing', path: 'global.leakStore → Array[] → LeakedThing' });
  const growth = parse(memtraceHeap(['diff', files[0], files[2], '--csv', '--growth']).stdout, { columns: true });
  t.like(
    growth.find((row) => row.constructor === 'LeakedThing'),
    { count_before: '0', count_after: '200' },
  );
});
