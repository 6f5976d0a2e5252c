/**
 * The native counters (native/memtrace.cc): the clock and V8's memory counters read into a shared
 * Float64Array without allocating on the JS heap. Prebuilt per platform and Node ABI in the package
 * (prebuilds/, scripts/prebuild.js) or built from source (scripts/build-native.js), found by
 * src/shared/native-addon.ts; where there is none for this Node, it fails to load, its first reading disagrees
 * with V8 or MEMTRACE_NO_NATIVE=1, `loadNativeCounters()` returns null and the pure-JS counters are used.
 *
 * Cost per call on this machine (bench/native-counters.js): read() 165-190 ns on Node 20, 200-215 ns
 * on Node 24 on a quiet day (as much as v8.getHeapStatistics(): V8 walks every space); readFast()
 * 50-70 ns / 170-250 ns on a busy one (2026-12-02, when read() took 360-380 ns); readTime() 12-13 ns. On Node 24 every V8 heap statistics call, these included, also gives V8's
 * allocation buffers back, so the program's next allocation takes a slower path (~50 ns).
 */
import v8 from 'node:v8';
import { loadNativeAddon, nativeAddonError } from '../shared/native-addon.js';

export interface NativeCounters {
  readonly kind: 'native';
  /**
   * Filled by read(): [0] monotonic time in ns since the addon was initialised, [1] V8 used heap
   * bytes (exact, as v8.getHeapStatistics().used_heap_size) less V8's compiled code (code space and
   * code large-object space, and on Node 22+ the trusted spaces with bytecode: the compiler's, not
   * the running call's), [2] cumulative bytes freed by all
   * GCs since init, outside those spaces (sum over GCs of used-before minus used-after, measured in
   * GC prologue/epilogue callbacks), [3] number of GCs since init
   */
  readonly values: Float64Array;
  /** Fills values[0..3]. Allocates nothing on the JS heap. */
  read(): void;
  /**
   * Fills values[0..3] like read(), values[1] followed cheaply between exact readings (the new-space
   * allocation top plus live reads of the spaces that change otherwise). Agrees with read() to the
   * byte in most allocation patterns tested and within 1 % in all; what it misses for a while
   * (bytes allocated just before someone else's heap-statistics call on Node 24)
   * shows up at its next exact reading: the bytes move to a later reading, the totals stay exact.
   */
  readFast(): void;
  /** Fills values[0] only (the clock). */
  readTime(): void;
  /** Resident set size in bytes, via a kept-open /proc/self/statm (pread). */
  readRss(): number;
  /** Fills values[4] = external memory bytes, values[5] = array buffer bytes. */
  readExternal(): void;
  /**
   * Makes readFast read the large-object spaces' sizes where V8 keeps them (native/space-fields.cc)
   * rather than through the API; true if it found them. Allocates two large objects in each (its
   * garbage, taken out of the allocation counter) and takes 5-10 ms: the tracer calls it as it starts.
   */
  findSpaceFields(): boolean;
  /** The measured path of the probes (native/probes.cc), where the addon has it. */
  readonly probes?: NativeProbes;
}

/**
 * The probes' measured path in the addon, over the typed arrays of src/shared/layouts.ts (probes.ts binds
 * them, in bindProbes' order, and again whenever one is replaced).
 */
export interface NativeProbes {
  bindProbes(layoutVersion: number, ...arrays: Array<Float64Array | Int32Array>): boolean;
  /** A frame slot, -1 (counted, disabled) or NEEDS_ROOM. */
  enterMeasured(id: number): number;
  /** 0, or LEFT_TO_JS. */
  finishCall(frame: number): number;
  /** Drops the arrays: enterMeasured answers -1 and finishCall LEFT_TO_JS from then on. */
  unbindProbes(): void;
}

/** What the compiled addon exports (plus `info()`, for diagnostics). */
interface Binding {
  init(buffer: ArrayBuffer): void;
  read(): void;
  readFast(): void;
  readTime(): void;
  readRss(): number;
  readExternal(): void;
  findSpaceFields?(): boolean;
  bindProbes?: NativeProbes['bindProbes'];
  enterMeasured?: NativeProbes['enterMeasured'];
  finishCall?: NativeProbes['finishCall'];
  unbindProbes?: NativeProbes['unbindProbes'];
}

/** Slots the addon writes: time, used heap, freed by GCs, GC count, external, array buffers. */
const SLOT_COUNT = 6;
const USED_HEAP_SLOT = 1;
const GC_COUNT_SLOT = 3;
/** A loaded addon whose first reading is further than this from V8's own is not used. */
const SANITY_TOLERANCE_BYTES = 1 << 20;

/** The spaces of V8's compiled code, which the addon's figures leave out (native/counters.h). */
export const CODE_SPACES = new Set(['code_space', 'code_large_object_space', 'trusted_space', 'trusted_large_object_space']);

/** V8's used heap less its compiled code, as the addon counts it. */
export function programHeap(): number {
  const code = v8.getHeapSpaceStatistics().reduce((sum, s) => sum + (CODE_SPACES.has(s.space_name) ? s.space_used_size : 0), 0);
  return v8.getHeapStatistics().used_heap_size - code;
}

/** Readings compared before the addon is trusted: a GC between two of them spoils only that pair. */
const SANITY_ATTEMPTS = 3;

/**
 * Undefined when the addon's used heap agrees with V8's own figure, else the figures that disagreed.
 * The two readings are compared only when no GC ran between them (the addon's GC count says so):
 * programHeap() allocates, and a scavenge it sets off during a busy start-up frees megabytes, which
 * read as a disagreement about once in 60 starts before this check.
 */
function firstReadingDisagreement(binding: Binding, values: Float64Array): string | undefined {
  let last = '';
  for (let attempt = 0; attempt < SANITY_ATTEMPTS; attempt++) {
    binding.read();
    const gcsBefore = values[GC_COUNT_SLOT];
    const v8Figure = programHeap();
    binding.read();
    if (values[GC_COUNT_SLOT] !== gcsBefore) continue;
    if (Math.abs(values[USED_HEAP_SLOT] - v8Figure) <= SANITY_TOLERANCE_BYTES) return undefined;
    last = `addon ${values[USED_HEAP_SLOT]} B, V8 ${v8Figure} B`;
  }
  return last || `a GC ran during each of ${SANITY_ATTEMPTS} comparisons`;
}

let loaded: NativeCounters | null | undefined;
let unavailable = '';

/** Why loadNativeCounters() returned null ('' when it did not, or was told not to load). */
export function nativeUnavailableReason(): string {
  return unavailable;
}

/** This thread's native counters, or null where the addon is not available. Never throws. */
export function loadNativeCounters(): NativeCounters | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const binding = loadNativeAddon() as Binding | null;
  if (!binding) {
    unavailable = nativeAddonError();
    return loaded;
  }
  try {
    const values = new Float64Array(SLOT_COUNT);
    binding.init(values.buffer);
    const disagreement = firstReadingDisagreement(binding, values);
    if (disagreement !== undefined) {
      unavailable = `its first reading disagreed with V8 (${disagreement})`;
      return loaded;
    }
    loaded = Object.freeze({
      kind: 'native' as const,
      values,
      read: binding.read,
      readFast: binding.readFast,
      readTime: binding.readTime,
      readRss: binding.readRss,
      readExternal: binding.readExternal,
      findSpaceFields: binding.findSpaceFields ?? (() => false),
      ...(binding.bindProbes && binding.enterMeasured && binding.finishCall && binding.unbindProbes
        ? {
            probes: {
              bindProbes: binding.bindProbes,
              enterMeasured: binding.enterMeasured,
              finishCall: binding.finishCall,
              unbindProbes: binding.unbindProbes,
            },
          }
        : {}),
    });
  } catch (error) {
    unavailable = `it did not load: ${(error as Error).message.split('\n')[0]}`;
    loaded = null;
  }
  return loaded;
}
