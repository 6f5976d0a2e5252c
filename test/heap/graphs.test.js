// Programs with known heaps: counts, retainer paths and retained sizes (checked against the definition:
// what the root stops reaching when the object is taken away).
import test from 'ava';
import { parse } from 'csv-parse/sync';
import { readSnapshot, formatPath } from '../../dist/src/index.js';
import { bruteRetained, parseWhole, reachable } from './brute-force.js';
import { memtraceHeap, snapshotsOf } from './helpers.js';

const [leakyFile] = snapshotsOf('leaky-map.mjs');
const [closureFile] = snapshotsOf('closure-chain.mjs');
const [listenerFile] = snapshotsOf('detached-listener.mjs');

function nodesOf(snapshot, className) {
  const found = [];
  for (let node = 0; node < snapshot.nodeCount; node++) if (snapshot.className(node) === className) found.push(node);
  return found;
}

/** Checks the retained sizes of `nodes` (and of a sample of all nodes) against the brute-force definition. */
function checkRetained(t, file, snapshot, nodes) {
  const graph = parseWhole(file);
  const baseline = reachable(graph);
  const step = Math.ceil(snapshot.nodeCount / 80);
  const sample = [...nodes, ...Array.from({ length: Math.floor(snapshot.nodeCount / step) - 1 }, (_, i) => (i + 1) * step)];
  let compared = 0;
  for (const node of sample) {
    const expected = bruteRetained(graph, node, baseline);
    if (expected === undefined) continue;
    compared++;
    if (snapshot.retainedSize(node) !== expected)
      return t.fail(`node ${node} (${snapshot.displayName(node)}): retained ${snapshot.retainedSize(node)}, by definition ${expected}`);
  }
  t.true(compared > 60);
}

test('a Map holding 1000 Leaky: counts, path, retained sizes', async (t) => {
  const snapshot = await readSnapshot(leakyFile);
  const leaky = snapshot.summary().find((row) => row.name === 'Leaky');
  t.is(leaky.count, 1000);
  const instances = nodesOf(snapshot, 'Leaky');
  t.is(instances.length, 1000);
  // Each Leaky retains itself and its payload array with its elements store.
  const one = instances[0];
  t.true(snapshot.retainedSize(one) > snapshot.selfSize(one) + 64 * 8);
  t.is(
    leaky.retainedSize,
    instances.reduce((sum, node) => sum + snapshot.retainedSize(node), 0),
  );
  t.is(
    leaky.selfSize,
    instances.reduce((sum, node) => sum + snapshot.selfSize(node), 0),
  );

  const [path] = snapshot.paths({ className: 'Leaky' });
  t.is(path.count, 1000);
  t.regex(formatPath(path), /^\(GC roots\)|global/);
  t.regex(formatPath(path), /\.cache → Map\.\{table\} → \(.*\)\[\d+\] → Leaky @\d+$/);

  const [map] = nodesOf(snapshot, 'Map').filter((node) =>
    formatPath(snapshot.pathTo(node)).endsWith(`.cache → Map @${snapshot.nodeId(node)}`),
  );
  t.true(snapshot.retainedSize(map) >= leaky.retainedSize);
  checkRetained(t, leakyFile, snapshot, [map, ...instances.slice(0, 20)]);
});

test('a closure chain: each step holds the previous one through its scope', async (t) => {
  const snapshot = await readSnapshot(closureFile);
  t.is(snapshot.summary().find((row) => row.name === 'Holder').count, 50);
  const paths = snapshot.paths({ className: 'Holder', max: 100 });
  const deepest = paths.reduce((a, b) => (a.steps.length > b.steps.length ? a : b));
  t.regex(formatPath(deepest), /\.chainHead → step\(\)\.\{context\} → system \/ Context::previous → step\(\)/);
  t.regex(formatPath(deepest), /::holder → Holder @\d+$/);
  const head = snapshot
    .paths({ className: 'Holder', max: 100 })
    .find((path) => path.steps.length === Math.min(...paths.map((p) => p.steps.length)));
  t.truthy(head);
  // The shortest is the head's own holder: reached from the global through the first step only.
  t.true(head.steps.length < deepest.steps.length, formatPath(head));
  t.regex(formatPath(head), /\.chainHead → step\(\)\.\{context\} → .*::holder → Holder @\d+$/);
  t.notRegex(formatPath(head), /Context::previous/);
  const holders = nodesOf(snapshot, 'Holder');
  const steps = nodesOf(snapshot, '(closure)').filter((node) => snapshot.nodeName(node) === 'step');
  t.is(steps.length, 50);
  // The chain's head retains all 50 holders.
  const chainHead = steps.reduce((a, b) => (snapshot.retainedSize(a) > snapshot.retainedSize(b) ? a : b));
  t.true(snapshot.retainedSize(chainHead) > holders.reduce((sum, node) => sum + snapshot.retainedSize(node), 0));
  checkRetained(t, closureFile, snapshot, [chainHead, ...holders.slice(0, 10)]);
});

test('a listener left on an EventEmitter keeps its view', async (t) => {
  const snapshot = await readSnapshot(listenerFile);
  const [path] = snapshot.paths({ className: 'DetachedView' });
  t.regex(
    formatPath(path),
    /\.bus → EventEmitter\._events → Object\.tick → onTick\(\)\.\{context\} → system \/ Context::view → DetachedView @\d+$/,
  );
  const view = nodesOf(snapshot, 'DetachedView')[0];
  t.is(snapshot.retainedSize(view), snapshot.summary().find((row) => row.name === 'DetachedView').retainedSize);
  checkRetained(t, listenerFile, snapshot, [view]);
});

test('memtrace heap summary, paths and top on the Leaky program: table, CSV and JSON', (t) => {
  const table = memtraceHeap(['summary', leakyFile, '--limit', '200']);
  t.is(table.status, 0, table.stderr);
  t.regex(table.stdout, /^\s*1000\s+\S+ \S+\s+\S+ \S+\s+Leaky$/m);
  const csv = parse(memtraceHeap(['summary', leakyFile, '--csv']).stdout, { columns: true });
  const row = csv.find((r) => r.constructor === 'Leaky');
  t.is(row.count, '1000');
  t.true(Number(row.retained_size) > Number(row.self_size));
  const json = JSON.parse(memtraceHeap(['summary', leakyFile, '--json', '--by', 'type']).stdout);
  t.is(json.by, 'type');
  t.true(json.rows.some((r) => r.name === 'object' && r.count >= 1000));
  const via = parse(memtraceHeap(['summary', leakyFile, '--csv', '--by', 'via']).stdout, { columns: true });
  t.true(via.some((r) => r.via === '.payload' && Number(r.count) === 1000));

  const paths = memtraceHeap(['paths', leakyFile, '--constructor', 'Leaky']);
  t.is(paths.status, 0, paths.stderr);
  t.regex(paths.stdout, /^1000 objects like Leaky @\d+: self \S+ B, retained/m);
  t.regex(paths.stdout, /\.cache → Map\.\{table\} → .*Leaky @\d+$/m);
  const id = Number(/Leaky @(\d+)/.exec(paths.stdout)[1]);
  const byId = JSON.parse(memtraceHeap(['paths', leakyFile, '--id', String(id), '--json']).stdout);
  t.is(byId.paths[0].id, id);
  t.is(byId.paths[0].name, 'Leaky');

  const top = parse(memtraceHeap(['top', leakyFile, '--csv', '--limit', '5']).stdout, { columns: true });
  t.is(top.length, 5);
  t.true(top.some((r) => r.name === 'Map' && r.path.endsWith(`.cache → Map @${r.id}`)));
  t.true(Number(top[0].retained_size) >= Number(top[4].retained_size));
});

test('node and edge views: edges, retainers, dominator, lookup by id', async (t) => {
  const snapshot = await readSnapshot(listenerFile);
  const view = snapshot.node(nodesOf(snapshot, 'DetachedView')[0]);
  t.is(view.className, 'DetachedView');
  t.is(snapshot.nodeById(view.id).index, view.index);
  t.is(snapshot.nodeById(2 ** 31 + 2), undefined);
  const rows = [...view.edges()].find((edge) => edge.name === 'rows');
  t.is(rows.type, 'property');
  t.is(rows.to.className, 'Array');
  t.is(rows.from.index, view.index);
  t.is(rows.to.dominator.index, view.index);
  t.true(view.retainedSize > rows.to.retainedSize);
  t.deepEqual(
    [...view.retainers()].map((node) => node.name),
    ['system / Context'],
  );
  t.regex(String(view), /^DetachedView @\d+$/);
  t.throws(() => snapshot.node(snapshot.nodeCount), { instanceOf: RangeError });
});

test("paths through V8 internals (--internals) are never longer, and the default prefers the program's references", async (t) => {
  const snapshot = await readSnapshot(leakyFile);
  let shorter = 0;
  for (let node = 1; node < snapshot.nodeCount; node += 97) {
    const preferred = snapshot.pathTo(node);
    const any = snapshot.pathTo(node, true);
    t.is(preferred === undefined, any === undefined);
    if (!preferred) continue;
    t.true(any.steps.length <= preferred.steps.length);
    if (any.steps.length < preferred.steps.length) shorter++;
  }
  t.true(shorter > 0);
  const cli = memtraceHeap(['paths', leakyFile, '--constructor', 'Leaky', '--internals']);
  t.regex(cli.stdout, /^1000 objects like Leaky/m);
});
