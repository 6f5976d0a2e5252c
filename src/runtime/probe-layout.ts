/**
 * The probes' state as typed arrays: the layout both implementations of the measured path share, the
 * JS one (probes.ts) and the native one (native/probes.cc, which mirrors these numbers and refuses to
 * bind when LAYOUT_VERSION differs). Change one side, change the other and the version.
 */

export const LAYOUT_VERSION = 2;

/** Fields of one frame (stride FRAME in a Float64Array): one frame per measured call in progress. */
export const enum Frame {
  FN = 0, T0, A0, H0, HMAX, ACC_T, ACC_A, CHILD_A, CHILD_T, SEG_M0, SEG_C0, ACC_M, ACC_C, LAST_A, LAST_H,
  LAST_M, STATE, DEPTH, THREW, FIRST_SEG, LINE_NO, LAST_CA, SIZE,
}

/** Frame[STATE]. */
export const enum FrameState { Free = 0, Running = 1, Suspended = 2 }

/** Slots of the Float64Array of numbers (`globals`). */
export const enum Global {
  /** Measured and counted calls so far (a call's nested count is a difference of these). */
  MEASURED = 0, COUNTED,
  /**
   * Allocated bytes at the last reading, and the correction added so far to keep the figure from
   * going down where the counters ask for it (MemoryCounters.monotonic).
   */
  ALLOC_LAST, ALLOC_CORRECTION,
  /** Calibration figures, subtracted from every measured call (tracer/calibrate.ts). */
  CAL_SELF_B, CAL_NESTED_B, CAL_SELF_NS, CAL_NESTED_NS, CAL_COUNTED_NS,
  TRIGGER, START_NS, LAST_RSS_NS, RSS_INTERVAL_NS,
  /** The policy (function-stats.ts's Policy), for the native side. */
  PROBATION, DEMOTE_BYTES, DEMOTE_NS, RESAMPLE_EVERY, PROMOTE_BYTES,
  SIZE,
}

/** Slots of the Int32Array of flags and counts (`ints`). */
export const enum Int {
  /** Measured calls on the shadow stack; free frames left. */
  DEPTH = 0, FREE_TOP,
  EXACT, ENABLED, MONOTONIC,
  /** Set by the native probes when a row filled the event buffer's half: JS hands it over. */
  HANDOVER,
  SIZE,
}

/** What the native entry probe returns when the frames or the stack are full: JS grows them, asks again. */
export const NEEDS_ROOM = -2;
/** What the native exit probe returns for a call it leaves to JS (suspended, or with line events). */
export const LEFT_TO_JS = -1;

/**
 * Fields of one function's record in FunctionStats.table (stride Stat.STRIDE doubles, 128 bytes: two
 * cache lines). A probe touches one function's figures at a time, so they are kept together: a column
 * per figure cost a cache miss per column in programs of thousands of functions. The first line holds
 * what every call touches (the counted path: COUNTDOWN and CALLS) and what a measured call adds to.
 */
export const enum Stat {
  /** Calls left before a counted function's next measured call; 0 while it is measured. */
  COUNTDOWN = 0, CALLS, MEASURED_CALLS, SELF_ALLOC, SELF_TIME, TOTAL_ALLOC, TOTAL_TIME,
  /**
   * Activations running, i.e. on the stack (recursion): a suspended async call or generator is not,
   * so concurrent calls of one async function each add to the inclusive totals.
   */
  ACTIVE,
  MAX_HEAP_GROWTH,
  /** Bytes, ns and calls seen during probation. */
  PROBATION_BYTES, PROBATION_NS, PROBATION_CALLS,
  /** The line the function starts at, for its call/return rows. */
  LINE,
  STRIDE = 16,
}

/** What the probes cost one measured call, measured at start (tracer/calibrate.ts) and subtracted from every call; meta.json records it. */
export interface Calibration {
  /** Bytes one measured call's own probes add to its own total. */
  selfBytes: number;
  /** Bytes one measured call's probes add to each enclosing measured call. */
  nestedBytes: number;
  selfNs: number;
  nestedNs: number;
  /** ns a counted (not measured) call's probes add to its enclosing measured call. */
  countedNs: number;
  /** Calls run to measure the figures above. */
  samples: number;
}
