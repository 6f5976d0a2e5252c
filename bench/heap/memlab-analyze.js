/**
 * The memlab side of the heap bench, in its own process: `node memlab-analyze.js FILE`.
 *
 * The same work as memtrace's side, with @memlab/core: parse the snapshot (HeapParser, through
 * utils.getSnapshotFromFile with the node-id index that getFullHeapFromFile builds), compute
 * dominators and retained sizes (TraceFinder.calculateAllNodesRetainedSizes, the step
 * getFullHeapFromFile runs after its shortest-path pass, which is left out here as memtrace's summary
 * does not need it), then a summary by constructor: count, self size, retained size, sorted by
 * retained size (memtrace's summary does a little more here: a group's retained size counts nothing
 * twice, where this sums the nodes' retained sizes). Prints one JSON line with the phase times and the process's peak RSS.
 */
import { performance } from 'node:perf_hooks';
import memlab from '@memlab/core';

const { config, TraceFinder, utils } = memlab;

const file = process.argv[2];
config.muteConsole = true;
config.verbose = false;

const t0 = performance.now();
const snapshot = await utils.getSnapshotFromFile(file, { buildNodeIdIndex: true, verbose: false });
const t1 = performance.now();
new TraceFinder().calculateAllNodesRetainedSizes(snapshot);
const t2 = performance.now();
// Grouped as memtrace's summary groups (src/heap/classify.ts: DevTools' class names), synthetic
// nodes left out; a group's retained size is the sum of its nodes' (memlab has no grouped figure).
const GROUP_OF_TYPE = {
  hidden: '(system)',
  array: '(array)',
  string: '(string)',
  'concatenated string': '(string)',
  'sliced string': '(string)',
  code: '(compiled code)',
  closure: '(closure)',
  regexp: '(regexp)',
  number: '(number)',
  symbol: '(symbol)',
  bigint: '(bigint)',
  'object shape': '(object shape)',
};
const byName = new Map();
snapshot.nodes.forEach((node) => {
  if (node.type === 'synthetic') return;
  const name = node.type === 'object' || node.type === 'native' ? node.name || 'Object' : (GROUP_OF_TYPE[node.type] ?? `(${node.type})`);
  let row = byName.get(name);
  if (!row) byName.set(name, (row = { name, count: 0, selfSize: 0, retainedSize: 0 }));
  row.count++;
  row.selfSize += node.self_size;
  row.retainedSize += node.retainedSize;
});
const summary = [...byName.values()].sort((a, b) => b.retainedSize - a.retainedSize);
const t3 = performance.now();
process.stdout.write(
  `${JSON.stringify({
    tool: 'memlab',
    nodes: snapshot.nodes.length,
    parseS: (t1 - t0) / 1000,
    dominatorsS: (t2 - t1) / 1000,
    summaryS: (t3 - t2) / 1000,
    totalS: (t3 - t0) / 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    classes: ['Customer', 'Order', 'LineItem'].map((name) => [name, byName.get(name)?.count ?? 0, byName.get(name)?.selfSize ?? 0]),
    top: summary.slice(0, 5).map((r) => [r.name, r.count, r.selfSize, r.retainedSize]),
  })}\n`,
);
