/**
 * The in-process API: `takeAllocationSnapshot()` (tracemalloc's take_snapshot, the sampler started on
 * first use) and `traceAllocations(block)`: what a block allocated, by statement and stack, and how
 * much of it is still alive after it.
 */
import { formatBytes } from '../shared/units.js';
import { allocatedSoFar, HEAP, memoryCounters } from '../runtime/counters.js';
import { fullGc } from '../runtime/force-gc.js';
import { SettingError } from '../shared/errors.js';
import { DEFAULT_ALLOC_DEPTH } from '../shared/settings.js';
import { buildSnapshot, lineTotalsBetween } from './build.js';
import { Filter, type FilterInput } from './filter.js';
import { FrameResolver } from './frames.js';
import { currentLineSource } from './line-source.js';
import { checkSamplingInterval, readSamplingProfile, samplerRunning, startSampler, stopSampler } from './sampler.js';
import type { SamplingHeapProfile } from '../formats/heap-profile.js';
import { AllocationSnapshot } from './allocation-snapshot.js';
import type { Statistic, StatisticKey } from './statistic.js';

/** Finer than --heap-prof's 512 KiB: a block is usually short. */
export const DEFAULT_BLOCK_INTERVAL = 16 * 1024;

export interface AllocationSamplingOptions {
  /** Mean bytes between two samples (default 16 KiB). */
  samplingInterval?: number;
  /** Frames kept per stack, innermost first (default 128). */
  stackDepth?: number;
}

export interface TraceAllocationsOptions extends AllocationSamplingOptions {
  /** Keep only allocations whose site matches one of these (file globs, or filter specs). */
  include?: readonly FilterInput[];
  /** Leave out allocations whose site matches one of these. */
  exclude?: readonly FilterInput[];
  /**
   * 'total' (default): every allocation the block made, collected or not; 'live': only those still
   * alive after it (after a full GC), by statement and stack.
   */
  samples?: 'total' | 'live';
}

function checkOptions(options: AllocationSamplingOptions): { samplingInterval: number; stackDepth: number } {
  const samplingInterval = checkSamplingInterval(options.samplingInterval ?? DEFAULT_BLOCK_INTERVAL);
  const stackDepth = options.stackDepth ?? DEFAULT_ALLOC_DEPTH;
  if (!Number.isInteger(stackDepth) || stackDepth < 1)
    throw new SettingError('stackDepth', String(stackDepth), 'a whole number of frames, 1 or more');
  return { samplingInterval, stackDepth };
}

let stackDepthInUse = DEFAULT_ALLOC_DEPTH;

/**
 * Starts sampling live allocations on this thread (tracemalloc.start()): later snapshots hold the
 * sampled objects still alive when taken. Does nothing if the sampler runs already.
 */
export function startAllocationSampling(options: AllocationSamplingOptions = {}): void {
  const checked = checkOptions(options);
  if (samplerRunning()) return;
  stackDepthInUse = checked.stackDepth;
  currentLineSource();
  startSampler({ samplingInterval: checked.samplingInterval, keepCollected: false });
}

/** Stops the sampler (its samples are gone). */
export function stopAllocationSampling(): void {
  if (samplerRunning()) stopSampler();
}

/**
 * The sampled allocations now (starting the sampler first if it does not run: that snapshot is empty).
 * A live sampler's snapshot comes after a full GC: V8 drops a sample only when a GC collects its
 * object, so without one a snapshot would hold garbage not yet collected.
 */
export function takeAllocationSnapshot(options: AllocationSamplingOptions = {}): AllocationSnapshot {
  startAllocationSampling(options);
  const running = samplerRunning()!;
  if (!running.keepCollected) fullGc();
  const source = currentLineSource();
  return new AllocationSnapshot(
    buildSnapshot(readSamplingProfile(), {
      kind: running.keepCollected ? 'total' : 'live',
      samplingInterval: running.samplingInterval,
      stackDepth: stackDepthInUse,
      resolver: new FrameResolver(source.functions),
      ...(source.totals ? { lineTotals: source.totals, sampledLines: source.sampled } : { noLinesReason: source.reason! }),
    }),
  );
}

/** Allocated bytes so far (kept from going down) and the used heap of the same reading. */
function readAllocated(): { allocated: number; heap: number } {
  const counters = memoryCounters();
  const allocated = allocatedSoFar(counters);
  return { allocated, heap: counters.values[HEAP] };
}

/** What `traceAllocations` found. */
export class AllocationResult<T = unknown> {
  constructor(
    /** What the block returned. */
    readonly value: T,
    /** The block's sampled allocations: kind 'total' (collected ones too) or 'live' (options.samples, or a live sampler already running). */
    readonly allocations: AllocationSnapshot,
    /** Bytes the block allocated, exactly (memtrace's allocation counter). */
    readonly allocatedBytes: number,
    /** Growth of the used heap over the block, each side after a full GC: what the block left alive. */
    readonly liveBytes: number,
  ) {}

  statistics(key: StatisticKey = 'line', cumulative = false): Statistic[] {
    return this.allocations.statistics(key, cumulative);
  }

  /** Rows for CSV (one per statistic). */
  toRows(key: StatisticKey = 'line'): Array<Record<string, string | number>> {
    return this.statistics(key).map((s) => s.toRow());
  }

  format(key: StatisticKey = 'line', limit = 10): string {
    const head = `allocated ${formatBytes(this.allocatedBytes)} (exact), still alive after it ${formatBytes(this.liveBytes)} (exact, after a full GC)`;
    return `${head}\n${this.allocations.format(key, limit)}`;
  }

  toString(): string {
    return this.format();
  }
}

/**
 * Runs `block` with V8's sampling heap profiler on: what it allocated by statement and stack, and how
 * much of it stayed alive. Forces a full GC before and after the block (for the live figure).
 */
export async function traceAllocations<T>(
  block: () => T | Promise<T>,
  options: TraceAllocationsOptions = {},
): Promise<AllocationResult<Awaited<T>>> {
  const { samplingInterval, stackDepth } = checkOptions(options);
  const filters = [
    ...(options.include ?? []).map((f) => Filter.from(f, true)),
    ...(options.exclude ?? []).map((f) => Filter.from(f, false)),
  ];
  const live = options.samples === 'live';
  if (options.samples !== undefined && options.samples !== 'total' && !live)
    throw new SettingError('samples', String(options.samples), "'total' or 'live'");
  const ownSampler = !samplerRunning();
  let afterOrdinal = -1;
  if (ownSampler) startSampler({ samplingInterval, keepCollected: !live });
  else afterOrdinal = lastOrdinal(readSamplingProfile());
  const running = samplerRunning()!;
  const sourceBefore = currentLineSource();
  fullGc();
  const before = readAllocated();
  let value: Awaited<T>;
  try {
    value = await block();
  } catch (error) {
    if (ownSampler) stopSampler();
    throw error;
  }
  const after = readAllocated();
  const sourceAfter = currentLineSource();
  // A live sampler drops a sample when a GC collects its object: collect first, then read.
  fullGc();
  const liveHeap = readAllocated().heap;
  const profile = ownSampler ? stopSampler() : readSamplingProfile();
  const allocatedBytes = after.allocated - before.allocated;
  const liveBytes = liveHeap - before.heap;
  const lineTotals = sourceBefore.totals && sourceAfter.totals ? lineTotalsBetween(sourceBefore.totals, sourceAfter.totals) : undefined;
  let snapshot = new AllocationSnapshot(
    buildSnapshot(profile, {
      kind: running.keepCollected ? 'total' : 'live',
      samplingInterval: running.samplingInterval,
      stackDepth,
      resolver: new FrameResolver(sourceAfter.functions),
      afterOrdinal,
      // The samples share out the exact figure of their kind: bytes allocated, or bytes left alive.
      ...(running.keepCollected ? { exactBytes: allocatedBytes } : liveBytes > 0 ? { exactBytes: liveBytes } : {}),
      ...(lineTotals ? { lineTotals } : { noLinesReason: sourceAfter.reason! }),
    }),
  );
  if (filters.length > 0) snapshot = snapshot.filter(filters);
  return new AllocationResult(value, snapshot, allocatedBytes, liveBytes);
}

function lastOrdinal(profile: SamplingHeapProfile): number {
  let last = -1;
  for (const sample of profile.samples) if (sample.ordinal > last) last = sample.ordinal;
  return last;
}
