// The streaming reader against JSON.parse of the whole file: the same nodes, edges and strings, however
// the file is cut into chunks (a number, a string or a key can be split anywhere).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { readSnapshot } from '../../dist/src/index.js';
import { SnapshotScanner } from '../../dist/src/formats/heapsnapshot-scanner.js';
import { snapshotsOf } from './helpers.js';

const [file] = snapshotsOf('closure-chain.mjs');
const bytes = readFileSync(file);
const json = JSON.parse(bytes.toString('utf8'));

function checkAgainstJson(t, raw) {
  const meta = json.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  t.is(raw.nodeCount, json.nodes.length / nodeFields);
  t.is(raw.edgeCount, json.edges.length / edgeFields);
  t.deepEqual(raw.strings, json.strings);
  let edge = 0;
  for (let node = 0; node < raw.nodeCount; node++) {
    const base = node * nodeFields;
    const fields = Object.fromEntries(meta.node_fields.map((name, i) => [name, json.nodes[base + i]]));
    if (
      raw.nodeType[node] !== fields.type ||
      raw.nodeName[node] !== fields.name ||
      raw.nodeId[node] !== fields.id ||
      raw.nodeSelfSize[node] !== fields.self_size ||
      raw.firstEdge[node] !== edge
    ) {
      return t.fail(`node ${node} differs`);
    }
    edge += fields.edge_count;
  }
  for (let e = 0; e < raw.edgeCount; e++) {
    const [type, nameOrIndex, toNode] = [0, 1, 2].map((i) => json.edges[e * edgeFields + i]);
    if (raw.edgeType[e] !== type || raw.edgeNameOrIndex[e] !== nameOrIndex || raw.edgeToNode[e] * nodeFields !== toNode)
      return t.fail(`edge ${e} differs`);
  }
  t.pass();
}

test('readSnapshot reads what JSON.parse reads', async (t) => {
  const progress = [];
  const snapshot = await readSnapshot(file, { onProgress: (done, total) => progress.push([done, total]) });
  checkAgainstJson(t, snapshot.raw);
  t.deepEqual(progress.at(-1), [bytes.length, bytes.length]);
});

test('chunks of 1 to 13 bytes give the same snapshot', (t) => {
  for (const size of [1, 7, 13]) {
    const scanner = new SnapshotScanner();
    for (let at = 0; at < bytes.length; at += size) scanner.feed(bytes.subarray(at, at + size));
    checkAgainstJson(t, scanner.finish());
  }
});

test('strings with escapes and non-ASCII text survive', (t) => {
  const strings = ['plain', 'quote " and \\ backslash', 'tab\tnewline\n', 'é ü → 😀', '\u0001'];
  const text = JSON.stringify({
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [['synthetic', 'string']],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [['element']],
      },
      node_count: 5,
      edge_count: 4,
    },
    nodes: [0, 0, 1, 0, 4, ...[1, 2, 3, 4].flatMap((i) => [1, i, i * 2 + 1, 16, 0])],
    edges: [1, 0, 5, 1, 1, 10, 1, 2, 15, 1, 3, 20],
    strings,
  });
  const scanner = new SnapshotScanner();
  const data = Buffer.from(text);
  for (let at = 0; at < data.length; at += 3) scanner.feed(data.subarray(at, at + 3));
  const raw = scanner.finish();
  t.deepEqual(raw.strings, strings);
  t.deepEqual([...raw.edgeToNode], [1, 2, 3, 4]);
});

test('the progress bar draws on a terminal and stays silent elsewhere', async (t) => {
  const { progressBar } = await import('../../dist/src/heap/progress.js');
  const written = [];
  const terminal = { isTTY: true, write: (text) => written.push(text) };
  const bar = progressBar(terminal, 'reading x');
  await readSnapshot(file, { onProgress: (done, total) => bar.update(done, total) });
  bar.phase();
  const drawn = written.join('');
  t.regex(drawn, /reading x \[#{30}\] 100% \S+ \S+ of \S+ \S+/);
  t.true(drawn.endsWith('\r\x1b[K'));
  t.is(progressBar({ isTTY: false, write: () => t.fail() }, 'reading x'), undefined);
});
