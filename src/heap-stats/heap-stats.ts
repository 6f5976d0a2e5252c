/**
 * heapStats: every V8 heap figure before and after a block (pymemtrace's debug_malloc_stats, for V8).
 *
 *   const d = await heapStats(async () => { ... });   // or: const m = startHeapStats(); ...; m.stop()
 *   console.log(String(d));                             // the figures that changed significantly
 *
 * Its own cost is taken out: before each measurement it measures an empty block the same way a few
 * times, and subtracts the median change of each figure (the readings allocate a few KiB themselves),
 * so an empty block shows no significant change.
 */
import { SettingError } from '../shared/errors.js';
import { gcCounter, readHeapFigures, type GcCounter } from './heap-figures.js';
import { HeapStatsDiff, type OwnCost, type Threshold } from './heap-stats-diff.js';

export interface HeapStatsOptions {
  /** Smallest change shown: bytes (default 16 KiB) or a percentage of the figure before, as '5%'. */
  threshold?: Threshold;
}

/**
 * Empty measurements per calibration: the first WARM_UP_RUNS only run the code path (so V8 has
 * compiled and tiered it up before the measurement, instead of during it), the median of the rest
 * is the cost taken out.
 */
const WARM_UP_RUNS = 3;
const CALIBRATION_RUNS = WARM_UP_RUNS + 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function checkThreshold(threshold: Threshold | undefined): Threshold {
  if (threshold === undefined) return 16 * 1024;
  const ok = typeof threshold === 'number' ? threshold >= 0 : /^\d+(\.\d+)?%$/.test(threshold);
  if (!ok) throw new SettingError('heapStats threshold', String(threshold), 'a number of bytes (>= 0) or a percentage such as "5%"');
  return threshold;
}

/**
 * From empty measurements: each figure's median change (heapStats' own cost) and its noise (the
 * largest distance of an empty change from that median: what V8's background threads, such as the
 * concurrent compilers and the ArrayBuffer sweeper, moved meanwhile).
 */
function ownCost(samples: Float64Array[][]): OwnCost {
  const cost: number[] = [];
  const noise: number[] = [];
  for (let i = 0; i < samples[0][0].length; i++) {
    const changes = samples.map(([before, after]) => after![i] - before![i]);
    const middle = median(changes);
    cost.push(middle);
    noise.push(Math.max(...changes.map((change) => Math.abs(change - middle))));
  }
  return { cost, noise };
}

/** A measurement in progress: stop() reads the figures again and returns the difference. */
export interface HeapStatsMeasurement {
  stop(): HeapStatsDiff;
}

/** Starts measuring: the synchronous form of heapStats. */
export function startHeapStats(options: HeapStatsOptions = {}): HeapStatsMeasurement {
  const threshold = checkThreshold(options.threshold);
  const gc = gcCounter();
  const empty: Float64Array[][] = [];
  for (let i = 0; i < CALIBRATION_RUNS; i++) {
    gc.start();
    const before = readHeapFigures();
    empty.push([before, withGcCount(readHeapFigures(), gc.stop())]);
  }
  const cost = ownCost(empty.slice(WARM_UP_RUNS));
  const startNs = process.hrtime.bigint();
  gc.start();
  const before = readHeapFigures();
  return {
    stop(): HeapStatsDiff {
      const after = readHeapFigures();
      const durationS = Number(process.hrtime.bigint() - startNs) / 1e9;
      return new HeapStatsDiff(before, withGcCount(after, gc.stop()), cost, threshold, durationS, gc.kind);
    },
  };
}

/** A reading with the measurement's GC count in its last slot (gc_count). */
function withGcCount(figures: Float64Array, count: number): Float64Array {
  figures[figures.length - 1] = count;
  return figures;
}

async function measureAsync(gc: GcCounter, block: () => unknown): Promise<[Float64Array, Float64Array]> {
  gc.start();
  const before = readHeapFigures();
  await block();
  const after = readHeapFigures();
  return [before, withGcCount(after, gc.stop())];
}

/** Runs `block` (sync or async) and returns how every V8 heap figure changed across it. */
export async function heapStats(block: () => unknown, options: HeapStatsOptions = {}): Promise<HeapStatsDiff> {
  const threshold = checkThreshold(options.threshold);
  const gc = gcCounter();
  const empty: Float64Array[][] = [];
  const nothing = async (): Promise<void> => {};
  for (let i = 0; i < CALIBRATION_RUNS; i++) empty.push(await measureAsync(gc, nothing));
  const cost = ownCost(empty.slice(WARM_UP_RUNS));
  const startNs = process.hrtime.bigint();
  const [before, after] = await measureAsync(gc, block);
  const durationS = Number(process.hrtime.bigint() - startNs) / 1e9;
  return new HeapStatsDiff(before, after, cost, threshold, durationS, gc.kind);
}
