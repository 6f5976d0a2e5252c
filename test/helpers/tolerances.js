// Every allowance a test makes on a memory figure, in one place, each named by its cause and with
// where it was measured (docs/accuracy.md has the measurements). A test adds the causes that apply
// to the call it checks; when one flakes, find the cause before touching a number here.
import { MiB } from './run-traced.js';

export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * V8 13 (Node 24) moves its used-heap figure in steps of allocation areas: each statistics call hands
 * the current ones back and background compiler threads take their own, so a reading can lag or lead
 * by up to ~0.4 MiB. Node 20 and 22 read exactly.
 */
export const ALLOCATION_AREA_STEP = NODE_MAJOR >= 24 ? 0.4 * MiB : 0;

/**
 * A function's first run allocates its bytecode (old space on Node 20) and feedback on the heap:
 * up to 10 % of a small call's own bytes.
 */
export const FIRST_RUN_CODE = 0.1;

/**
 * What calibration leaves of a call's own probes, per call: 0-1 B with the native counters on Node
 * 20/22, 0-8 B per call (10-31 per nested call) on Node 24's allocation-area steps; the pure-JS
 * counters leave -3 to +104 B per nested call on Node 20 and -2 to +30 on Node 24 (60 and 32 runs
 * of empty-calls.mjs, 4 at once, 2026-12-07; each GC sync leaves some garbage of its own). Before each
 * reading measured its own statistics object, they left -347 to +202 (1 run in 8 outside 128).
 */
export function calibrationResidual(trace) {
  if (trace.meta.counters !== 'native') return 128;
  return NODE_MAJOR >= 24 ? 48 : 1;
}

/** The median of some measurements: for a figure where one run in many can catch V8's own work. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * What V8 and memtrace's own machinery put on the heap while a block runs that the block did not
 * allocate itself: objects of a compile job finished meanwhile (on-stack replacement on Node 20:
 * 150-260 KB seen), the allocation sampler's records. A peak reading includes them, an allocated
 * reading leaves them out. Since limitMemory's start settles external memory with a second scavenge
 * (src/runtime/force-gc.ts), the young generation is empty when a block starts and about a quarter of
 * the churn blocks of limit-memory.mjs run without a GC: then peak and allocated meet, and peak read
 * -387 KB to +405 KB against the allocated figure of another run of the same block (17 runs on Node
 * 20, 2026-12-06, one of them in CI).
 */
export const V8_OWN_WORK = 640 * 1024;

/**
 * `memtrace run --native` at its default interval (256 KiB) samples each 1 MiB block with
 * probability p = 1 - e^-4 = 0.982 and weighs it 1.019 MiB: the estimate of `blocks` such blocks has a
 * standard deviation of √(blocks·p·(1-p))·1.019 MiB (1.1 MiB for 64; 0.81 MiB measured over 20 runs:
 * docs/native.md). Six of them, in bytes.
 */
export function nativeSamplingOfMiBBlocks(blocks) {
  const p = 1 - Math.exp(-4);
  return 6 * Math.sqrt(blocks * p * (1 - p)) * (MiB / p);
}

/**
 * What V8 mallocs for itself (operator new inside V8: the GC's and the compiler's bookkeeping) while a
 * function that allocates only JS objects runs, still held at exit, as --native estimates it at its
 * default interval (each small sampled block weighs ~256 KiB). Measured on 200,000 objects × 5
 * (test/fixtures/native/no-native.cjs), 5 runs each, 2026-12-06: Node 20 0-0.75 MiB, Node 24
 * 1.5-4.0 MiB.
 */
export const V8_OWN_NATIVE_LIVE = NODE_MAJOR >= 24 ? 6 * MiB : 2 * MiB;

/**
 * Statement sampling (`memtrace run --alloc`): a statement's share of its function's bytes, from the
 * windows of statements watched (src/runtime/line-totals.ts), on test/fixtures/alloc/phases.mjs (two
 * phases of ~200 MiB, 420,000 iterations): -9 % to +10 % over 8 runs on Node 20, 2026-12-06 (about
 * 5 % standard deviation, the sampler's own error included). A quarter is about five of them.
 */
export const STATEMENT_SAMPLING = 0.25;

/**
 * Runs whose median a test of statement sampling takes when one statement's figure rests on few
 * windows. V8 handles its interrupts at a loop's back edge (a compile job finished, on-stack
 * replacement) and puts objects of its own on the heap there (10-36 KB at a time, seen at the back
 * edges of both loops of the fixture), and the statement running then is charged with them.
 * Counted in a window that stands for 60 others, one such job added 1.2-1.5 MiB to
 * long-statement.mjs's line 18 (2 MiB): 3.16-3.29 MiB in 2 runs of 80 on Node 20, 2026-12-07
 * (one of them in CI). The median of 3 fails only when two of them catch one.
 */
export const STATEMENT_SAMPLING_RUNS = 3;
