/**
 * Memory and clock readings for the probes. Two implementations fill the same slots: the native addon
 * (allocation-free, exact GC accounting through GC callbacks) and a pure-JS fallback for where the
 * addon could not be built.
 */
import v8 from 'node:v8';
import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import { loadNativeCounters, nativeUnavailableReason, type NativeProbes } from './native-counters.js';

/** Slots of `MemoryCounters.values`. */
export const TIME = 0;
export const HEAP = 1;
/**
 * Bytes freed by GCs so far (less, in the JS path, what the counters themselves allocated; in the
 * native one, less V8's JIT code, which HEAP + FREED then leaves out).
 */
export const FREED = 2;
export const GCS = 3;
export const EXTERNAL = 4;
export const ARRAY_BUFFERS = 5;

export interface MemoryCounters {
  readonly kind: 'native' | 'js';
  readonly monotonic: boolean;
  /**
   * [TIME] ns, [HEAP] used heap bytes, [FREED], [GCS]; allocated bytes so far = HEAP + FREED. It may
   * step down where a GC report falls short of what the heap lost (JS) or V8 hands an allocation
   * area back (Node 24): `monotonic` says the probes must keep it from going down.
   */
  readonly values: Float64Array;
  read(): void;
  /**
   * Like read(), cheaper where the counters can follow the heap between exact readings (the native
   * addon); a byte may be seen at a later reading than the one after its allocation, never lost.
   */
  readFast(): void;
  readTime(): void;
  readRss(): number;
  /** Fills [EXTERNAL] and [ARRAY_BUFFERS]. */
  readExternal(): void;
  /** See NativeCounters.findSpaceFields (native counters only). */
  findSpaceFields?(): boolean;
  /** The addon's measured path of the probes (native counters only). */
  readonly probes?: NativeProbes;
}

/** More than a statistics object could be (its ~20 fields are ~360 B): another allocation, not ours. */
const MAX_STATISTICS_BYTES = 4096;

/** How often the JS path asks V8 for the GCs it may have missed, at the latest. */
const GC_SYNC_INTERVAL_NS = 1e6;

/**
 * Pure JS. V8 offers no cumulative allocation counter and no synchronous GC callback to JS, so a GC
 * is noticed when the used heap is found smaller than at the previous reading, or at the latest
 * after a millisecond; then v8.GCProfiler tells the bytes each GC freed (a stop/start costs ~15-20 µs
 * here, so at most ~2 % of run time). A GC hidden by net growth is counted at the next sync, at most
 * 1 ms later: a call shorter than that can be charged with a GC that happened just before it, while
 * calls of a millisecond and more are exact. What a reading allocates is measured by the calibration
 * and subtracted.
 */
class JsCounters implements MemoryCounters {
  readonly kind = 'js' as const;
  readonly monotonic = true;
  readonly values = new Float64Array(6);
  private profiler = new v8.GCProfiler();
  private lastSyncNs = 0;
  /** The size of the statistics object the last reading left on the heap after it read (see read()). */
  private pendingOwn = 0;

  constructor() {
    this.profiler.start();
    this.read();
  }

  read(): void {
    const values = this.values;
    const now = performance.now() * 1e6;
    // v8.getHeapStatistics() builds its result object after it reads the heap: ~360 B that land in
    // the next interval, or none where V8 has optimised the caller and elided the object. Which one
    // depends on the tier the probes run in at that moment, so no constant could take it out
    // (calibration measured one tier and the program ran in another: -347 to +202 B per nested call
    // on empty-calls.mjs). Asking twice measures it: the second reading sees the first's object.
    const first = v8.getHeapStatistics().used_heap_size;
    const stats = v8.getHeapStatistics();
    const used = stats.used_heap_size;
    const own = used - first;
    // A GC between the two readings leaves own below 0; the sync below accounts for it.
    const statistics = own > 0 && own < MAX_STATISTICS_BYTES ? own : 0;
    // This reading's first object, and the previous reading's second one (the same size: the same code).
    values[FREED] -= statistics + this.pendingOwn;
    this.pendingOwn = statistics;
    values[TIME] = now;
    values[EXTERNAL] = stats.external_memory;
    if (used < values[HEAP] || now - this.lastSyncNs > GC_SYNC_INTERVAL_NS) {
      values[HEAP] = this.syncGcs(used, now);
    } else {
      values[HEAP] = used;
    }
  }

  readFast(): void {
    this.read();
  }

  readTime(): void {
    this.values[TIME] = performance.now() * 1e6;
  }

  readRss(): number {
    return process.memoryUsage.rss();
  }

  readExternal(): void {
    const usage = process.memoryUsage();
    this.values[EXTERNAL] = usage.external;
    this.values[ARRAY_BUFFERS] = usage.arrayBuffers;
  }

  /** Adds the bytes freed by GCs since the last sync; returns the used heap after its own garbage. */
  private syncGcs(used: number, now: number): number {
    const values = this.values;
    this.lastSyncNs = now;
    const report = this.profiler.stop();
    this.profiler = new v8.GCProfiler();
    this.profiler.start();
    for (const gc of report?.statistics ?? []) {
      values[FREED] += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
      values[GCS]++;
    }
    // The report is garbage this module made: take it out of the allocation counter.
    const after = v8.getHeapStatistics().used_heap_size;
    if (after > used) values[FREED] -= after - used;
    return after;
  }
}

let shared: MemoryCounters | undefined;

/** The counters of this thread: native where the addon loads (unless `preferJs`), else pure JS. */
export function memoryCounters(preferJs = false): MemoryCounters {
  if (shared && (!preferJs || shared.kind === 'js')) return shared;
  const native = preferJs ? null : loadNativeCounters();
  if (!preferJs && !native && nativeUnavailableReason() && isMainThread) {
    // Once per process: the numbers are less exact without the addon (docs/accuracy.md).
    process.stderr.write(`memtrace: native counters not available (${nativeUnavailableReason()}); using the pure-JS counters\n`);
  }
  // V8 13 (Node 24) can report a used heap below the previous reading without a GC; on Node 20 the
  // native figures never go down, and keeping them from it would only add bias (~1.6 B per call).
  const counters: MemoryCounters = native ? { ...native, monotonic: Number(process.versions.node.split('.')[0]) >= 24 } : new JsCounters();
  shared = counters;
  return counters;
}

let lastAllocated = 0;
let allocatedCorrection = 0;

/**
 * Bytes this thread allocated so far, read exactly (used heap plus what GCs freed), kept from going
 * down where `monotonic` asks for it: for readers around a block or a run (traceAllocations, the
 * --alloc recorder). The probes apply the same rule inline, on their hot path.
 */
export function allocatedSoFar(counters: MemoryCounters = memoryCounters()): number {
  counters.read();
  const allocated = counters.values[HEAP] + counters.values[FREED] + allocatedCorrection;
  if (counters.monotonic && allocated < lastAllocated) {
    allocatedCorrection += lastAllocated - allocated;
    return lastAllocated;
  }
  lastAllocated = allocated;
  return allocated;
}
