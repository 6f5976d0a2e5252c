/**
 * The memtrace side of the heap bench, in its own process: `node memtrace-analyze.js FILE`.
 *
 * readSnapshot (the streaming reader into typed arrays), then the dominator tree and retained sizes
 * (computed on first use of retainedSize), then summary() by constructor. Prints one JSON line with
 * the phase times and the process's peak RSS, like memlab-analyze.js.
 */
import { performance } from 'node:perf_hooks';
import { distUrl } from '../dist-path.js';

// BENCH_DIST: the copy of dist/ that run.js takes at its start (else the repository's dist/).
const memtrace = await import(distUrl('src/index.js').href);
const file = process.argv[2];
if (typeof memtrace.readSnapshot !== 'function') {
  process.stdout.write(
    `${JSON.stringify({ tool: 'memtrace', unavailable: "this build of memtrace has no readSnapshot (engineer A's reader not merged yet)" })}\n`,
  );
  process.exit(0);
}

const t0 = performance.now();
const snapshot = await memtrace.readSnapshot(file);
const t1 = performance.now();
snapshot.retainedSize(0);
const t2 = performance.now();
const summary = snapshot.summary();
const t3 = performance.now();
const byName = new Map(summary.map((row) => [row.name, row]));
process.stdout.write(
  `${JSON.stringify({
    tool: 'memtrace',
    nodes: snapshot.nodeCount,
    parseS: (t1 - t0) / 1000,
    dominatorsS: (t2 - t1) / 1000,
    summaryS: (t3 - t2) / 1000,
    totalS: (t3 - t0) / 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    classes: ['Customer', 'Order', 'LineItem'].map((name) => [name, byName.get(name)?.count ?? 0, byName.get(name)?.selfSize ?? 0]),
    top: summary.slice(0, 5).map((r) => [r.name, r.count, r.selfSize, r.retainedSize]),
  })}\n`,
);
