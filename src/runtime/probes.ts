/**
 * The probes the transform calls: enter/exit at the entry and exit of a measured call (a counted call
 * only counts its function's countdown down, in the traced code: transforms/probe-text.ts),
 * suspend/resume at `await` and `yield`, line before statements. They read the counters, keep a
 * shadow stack of the measured calls, add each call's figures to its function's totals and write an
 * event row when memory moved by at least the trigger.
 *
 * All state is in typed arrays (their layouts: src/shared/layouts.ts; the arrays: probe-state.ts), so
 * that with the native counters the measured path (entry of a measured call, end of a running one)
 * runs in the addon over the same arrays (native/probes.cc); the JS functions below stay the reference
 * and run everything else, and everything with the pure-JS counters. Rows of events.csv are written
 * by event-rows.ts, bytes per statement kept by line-totals.ts.
 *
 * Hot path: everything here runs at every measured call. It allocates nothing on the JS heap (all state
 * is in typed arrays or small integers), formats nothing and touches no file. Speed beats clarity
 * here; keep it small.
 */
import type { MemoryCounters } from './counters.js';
import { TIME as C_TIME, HEAP as C_HEAP, FREED as C_FREED } from './counters.js';
import type { EventBuffer } from '../buffer/event-buffer.js';
import { type FunctionStats, Policy } from './function-stats.js';
import type { NativeProbes } from './native-counters.js';
import { Frame, FrameState, Global, Int, Kind, LAYOUT_VERSION, LEFT_TO_JS, NEEDS_ROOM, Stat } from '../shared/layouts.js';
import {
  allocFrame,
  buffer,
  frames,
  free,
  globals,
  growFrames,
  growStack,
  ints,
  pop,
  push,
  read,
  readings,
  releaseFrame,
  stack,
  stats,
  useTargets,
} from './probe-state.js';
import { eventSinceLast, markEvent, writeRow } from './event-rows.js';
import {
  endStatement,
  lineTotals,
  markLine,
  sampleStatement,
  unwatch,
  watchedFrames,
  watchedStatement,
  watchFirstCall,
} from './line-totals.js';
import type { Calibration } from './calibration.js';
import { COUNTDOWNS_GLOBAL } from '../../transforms/probe-text.js';

const FREE = FrameState.Free,
  RUNNING = FrameState.Running,
  SUSPENDED = FrameState.Suspended;

export interface ProbeSettings {
  trigger: number;
  exact: boolean;
  rssIntervalNs: number;
  /** Run the measured path in the addon where the counters have it (else in JS). */
  nativeProbes: boolean;
  /**
   * What the line probes do: 'rows', every statement of a measured call is an event (`--lines`);
   * 'sampled', statements are sampled for the per-line totals only (`--alloc`: line-totals.ts).
   */
  lines: 'rows' | 'sampled';
  /** The traced code has line probes (`--alloc`, `--lines`). */
  lineProbes: boolean;
}

export interface Probes {
  enter(id: number): number;
  /**
   * The end of a call. `completion` is the traced function's `__mt$t` (transforms/probe-text.ts): the
   * runtime object itself (the `this` of the call through `__mt$`) while the call can only be leaving
   * by an exception, so a measured call is marked as thrown there.
   */
  exit(frame: number, completion?: unknown): void;
  thrown(frame: number): void;
  /** The value first, the frame last: the transform's closing text is then `,__mt$c)` (transforms/probe-text.ts). */
  /** Before an await or yield: the call leaves the stack until it resumes. Returns `value`. */
  suspend<T>(value: T, frame: number): T;
  /** After an await or yield, around the value it gave back (the resumption of an expression). */
  resume<T>(value: T, frame: number): T;
  /** The same as a statement, where no value passes: at the top of a catch or finally block, and of a `for await` body. */
  resumed(frame: number): void;
  line(frame: number, line: number, column: number): void;
  /**
   * Statements of measured calls the line probes skip before they call line() again: the probe
   * counts it down (`--__mt$.skip>0`), line() sets it (1 with `--lines`: every statement).
   */
  skip: number;
  /** Frames whose statement is followed to its end between windows (1): they call line() anyway. */
  w: Uint8Array;
}

/** Whether readFast reads the large-object spaces' sizes directly (native/space-fields.cc). */
let spaceFields = false;
/** The addon's measured path, while it is bound to the arrays above (else null: all in JS). */
let native: NativeProbes | null = null;
/** Line probes write event rows (`--lines`); else they sample statements (line-totals.ts). */
let lineRows = true;
/** Sampled statements (`--alloc`): the first calls of each function are watched (enterWatchingFirstCalls). */
let watchingFirstCalls = false;

export function configureProbes(c: MemoryCounters, b: EventBuffer, s: FunctionStats, settings: ProbeSettings): void {
  useTargets(c, b, s, bindNative);
  publishCountdowns();
  // The large-object spaces read where V8 keeps their sizes (native/space-fields.cc), unless told not to.
  spaceFields = process.env.MEMTRACE_SPACE_FIELDS !== 'api' && (c.findSpaceFields?.() ?? false);
  globals[Global.TRIGGER] = settings.trigger;
  lineRows = settings.lines === 'rows';
  ints[Int.EXACT] = settings.exact ? 1 : 0;
  ints[Int.ENABLED] = 1;
  globals[Global.RSS_INTERVAL_NS] = settings.rssIntervalNs;
  globals[Global.LAST_RSS_NS] = -Infinity;
  globals[Global.PROBATION] = Policy.Probation;
  globals[Global.DEMOTE_BYTES] = Policy.DemoteBytes;
  globals[Global.DEMOTE_NS] = Policy.DemoteNs;
  globals[Global.RESAMPLE_EVERY] = Policy.ResampleEvery;
  globals[Global.PROMOTE_BYTES] = Policy.PromoteBytes;
  c.read();
  globals[Global.ALLOC_LAST] = readings[C_HEAP] + readings[C_FREED];
  ints[Int.MONOTONIC] = c.monotonic ? 1 : 0;
  globals[Global.START_NS] = readings[C_TIME];
  native = settings.nativeProbes ? (c.probes ?? null) : null;
  watchingFirstCalls = settings.lines === 'sampled' && settings.lineProbes;
  bindNative();
}

/**
 * The countdowns as they are now, for the traced code (again after they grew), which reads them at
 * every call of a traced function. A global, not a binding of each module: a hoisted function can run
 * before its module's preamble. Left in place when a trace stops: modules traced until then still
 * count down, and their calls are no trace's.
 */
function publishCountdowns(): void {
  Object.defineProperty(globalThis, COUNTDOWNS_GLOBAL, { value: stats.countdowns, enumerable: false, configurable: true, writable: true });
}

/** Hands the native probes the arrays as they are now (again after any of them grew). */
function bindNative(): void {
  if (!native) {
    setProbes();
    return;
  }
  const bound = native.bindProbes(
    LAYOUT_VERSION,
    globals,
    ints,
    frames,
    free,
    stack,
    stats.table,
    buffer.data,
    buffer.position,
    stats.countdowns,
  );
  if (!bound) {
    // An addon built from other sources than this dist/: the JS probes do it all. Unbound, the
    // addon's probes answer -1, so the traced code's copies of them (tracer.ts) go to JS too.
    native.unbindProbes();
    native = null;
  }
  setProbes();
}

/** The probes as configured (configureProbes picks the entry and exit for the counters in use). */
export function currentProbes(): Probes {
  return { ...probes };
}

/** Whether the measured path runs in the addon (false: all in JS). */
export function nativeProbesBound(): boolean {
  return native !== null;
}

/** Whether the readings take the large-object spaces' sizes from where V8 keeps them. */
export function spaceFieldsFound(): boolean {
  return spaceFields;
}

/** Whether a measured call is running on this thread (what a module loaded now would be charged to). */
export function measuredCallOpen(): boolean {
  return ints[Int.DEPTH] > 0;
}

/** The function stats' table and countdowns were replaced (they grew): the traced code and the addon must use the new ones. */
export function statsGrew(): void {
  publishCountdowns();
  bindNative();
}

export function setCalibration(cal: Calibration | null): void {
  globals[Global.CAL_SELF_B] = cal?.selfBytes ?? 0;
  globals[Global.CAL_NESTED_B] = cal?.nestedBytes ?? 0;
  globals[Global.CAL_SELF_NS] = cal?.selfNs ?? 0;
  globals[Global.CAL_NESTED_NS] = cal?.nestedNs ?? 0;
  globals[Global.CAL_COUNTED_NS] = cal?.countedNs ?? 0;
}

/** Stops recording (the probes still run, as cheaply as a counted call). */
export function setEnabled(on: boolean): void {
  ints[Int.ENABLED] = on ? 1 : 0;
}

export function setTrigger(bytes: number): void {
  globals[Global.TRIGGER] = bytes;
}

export function setExact(on: boolean): void {
  ints[Int.EXACT] = on ? 1 : 0;
}

/**
 * The entry of a measured call: the traced code calls it once the function's countdown is down to 0
 * or below (transforms/probe-text.ts); the calls before it, while the countdown was above 0, were only
 * counted, by the traced code itself. A measured function's countdown is 0 (each call takes it to -1);
 * a counted function's reaches 0 at the last call of its stretch, which is measured, to see whether
 * the function still deserves counting. Reads the counters and opens a frame. Too big for V8 to inline
 * into the traced functions, which is what the pure-JS counters need: inlined into a traced function,
 * their reading's statistics object (~360 B) can be optimised away there and not in the calibration's
 * functions (100 000 nested calls read -330 B each in 2 of 10 runs of test/accuracy.test.js).
 */
function enterAny(id: number): number {
  if (!(id >= 0 && id < stats.capacity)) return -1;
  const t = stats.table;
  const at = id * Stat.STRIDE;
  const stretch = t[at + Stat.STRETCH];
  const countdowns = stats.countdowns;
  if (ints[Int.ENABLED] === 0) {
    // Not recording (the trace stopped): a new stretch, and the calls of this one are no trace's.
    countdowns[id] = stretch;
    return -1;
  }
  // The stretch that ends here: its counted calls (the countdown went from `stretch` to its value
  // now, one less than 0 for this call), and this one. The next starts where this one did. None when
  // the countdown was not counted down: a hoisted function's call before its module's preamble ran
  // (the traced code's index was NaN; `__mt$i()` then gave this id).
  const counted = Math.max(0, stretch - 1 - countdowns[id]!);
  countdowns[id] = stretch;
  t[at + Stat.CALLS] += counted + 1;
  globals[Global.COUNTED] += counted;
  read();
  const heap = readings[C_HEAP];
  const alloc = globals[Global.ALLOC_LAST];
  const now = readings[C_TIME];
  const depth = ints[Int.DEPTH];
  if (depth > 0) {
    const p = stack[depth - 1] * Frame.SIZE;
    if (heap > frames[p + Frame.MAX_HEAP]) frames[p + Frame.MAX_HEAP] = heap;
  }
  // Counted before the snapshots below: a call is not nested in itself.
  const measured = ++globals[Global.MEASURED];
  const slot = allocFrame();
  const b = slot * Frame.SIZE;
  frames[b + Frame.FUNCTION_ID] = id;
  frames[b + Frame.SEGMENT_START_NS] = now;
  frames[b + Frame.SEGMENT_START_ALLOCATED] = alloc;
  frames[b + Frame.START_HEAP] = heap;
  frames[b + Frame.MAX_HEAP] = heap;
  frames[b + Frame.SUM_NS] = 0;
  frames[b + Frame.SUM_ALLOCATED] = 0;
  frames[b + Frame.CALLEES_ALLOCATED] = 0;
  frames[b + Frame.CALLEES_NS] = 0;
  frames[b + Frame.SEGMENT_START_MEASURED] = measured;
  frames[b + Frame.SEGMENT_START_COUNTED] = globals[Global.COUNTED];
  frames[b + Frame.NESTED_MEASURED] = 0;
  frames[b + Frame.NESTED_COUNTED] = 0;
  frames[b + Frame.EVENT_ALLOCATED] = alloc;
  frames[b + Frame.EVENT_HEAP] = heap;
  frames[b + Frame.EVENT_MEASURED] = measured;
  frames[b + Frame.STATE] = RUNNING;
  frames[b + Frame.DEPTH] = depth;
  frames[b + Frame.THREW] = 0;
  frames[b + Frame.FIRST_SEGMENT] = 1;
  frames[b + Frame.LINE] = 0;
  frames[b + Frame.EVENT_CALLEES_ALLOCATED] = 0;
  t[at + Stat.ACTIVE]++;
  push(slot);
  if (globals[Global.TRIGGER] === 0) writeRow(Kind.Call, slot, t[at + Stat.LINE], 0, 0);
  return slot;
}

/** The entry of a measured call for the counters in use, which enterWatchingFirstCalls wraps. */
let entry: (id: number) => number = enterAny;

/** Sets the entry and exit probes for the counters in use, and for statement sampling (`--alloc`). */
function setProbes(): void {
  const [enter, exit] = native ? nativePathFor(native) : [enterAny, exitJs];
  entry = enter;
  probes.enter = watchingFirstCalls ? enterWatchingFirstCalls : enter;
  probes.exit = exit;
}

/**
 * The entry of a measured call under statement sampling (`--alloc`): in its function's first calls,
 * which the policy judges it on, its statements are counted too (line-totals.ts, watchFirstCall).
 */
function enterWatchingFirstCalls(this: Probes, id: number): number {
  const slot = entry(id);
  if (slot >= 0) watchFirstCall(this, slot, stats.table[id * Stat.STRIDE + Stat.MEASURED_CALLS] < Policy.Probation);
  return slot;
}

/**
 * A call's entry from outside the traced code (traceMemory's wrapper): it counts down first, as the
 * traced code does. Returns the frame, or -1 for a counted call.
 */
export function enterCall(id: number): number {
  return --stats.countdowns[id]! > 0 ? -1 : probes.enter(id);
}

function exitJs(this: unknown, frame: number, completion?: unknown): void {
  if (frame >= 0) {
    markIfThrown(frame, completion, this);
    finish(frame);
  }
}

/**
 * The entry and exit probes of a measured call through the addon (made once for it: nativePathFor).
 * TurboFan inlines them into every measured function. What they use is a parameter of this closure,
 * never assigned, which TurboFan folds into a constant there; read from the module's bindings
 * instead, each use was checked to still hold what it held and to be past its temporal dead zone,
 * and the two probes added ~1.7 KB of code to each measured function (docs/performance.md, "A
 * measured call counted, not timed"). `state` is `ints`, which is never replaced; the arrays that
 * grow (frames) are left to the rare paths, out of line, as are a half to hand over and a call JS
 * must end. The traced code holds these two for the whole trace (tracer.ts copies the probes into
 * its runtime object), so they must not capture anything that a rebinding replaces.
 */
function nativePath(
  enterNative: NativeProbes['enterMeasured'],
  finishNative: NativeProbes['finishCall'],
  state: Int32Array,
): [Probes['enter'], Probes['exit']] {
  const enter = (id: number): number => {
    const slot = enterNative(id);
    return slot >= 0 && state[Int.HANDOVER] === 0 ? slot : enteredRarely(id, slot);
  };
  // `this` is the runtime object the traced code calls through: a method, not an arrow function.
  const exit = function (this: unknown, frame: number, completion?: unknown): void {
    if (frame < 0) return;
    // `typeof` first, as in markIfThrown: the completion is the call's return value, of any type.
    if (typeof completion === 'object' && completion !== null && completion === this) markThrown(frame);
    const ended = finishNative(frame);
    if (ended !== 0 || state[Int.HANDOVER] !== 0) finishedRarely(frame, ended);
  };
  return [enter, exit];
}

let path: { addon: NativeProbes; enter: Probes['enter']; exit: Probes['exit'] } | null = null;

/** The addon's entry and exit probes. */
function nativePathFor(addon: NativeProbes): [Probes['enter'], Probes['exit']] {
  if (path === null || path.addon !== addon) {
    const [enter, exit] = nativePath(addon.enterMeasured, addon.finishCall, ints);
    path = { addon, enter, exit };
  }
  return [path.enter, path.exit];
}

function markThrown(frame: number): void {
  frames[frame * Frame.SIZE + Frame.THREW] = 1;
}

/** The entry's rare cases: no room for the frame (the arrays grow, then the addon again), a half to hand over, or -1. */
function enteredRarely(id: number, slot: number): number {
  if (native === null) return enterAny(id); // unbound (bindNative): the JS probes do it all
  if (slot === NEEDS_ROOM) {
    if (ints[Int.FREE_TOP] === 0) growFrames();
    if (ints[Int.DEPTH] === stack.length) growStack();
    slot = native === null ? enterAny(id) : native.enterMeasured(id);
  }
  if (ints[Int.HANDOVER] !== 0) handOver();
  return slot;
}

/** The exit's rare cases: a call JS must end (suspended, or with line events), or a half to hand over. */
function finishedRarely(frame: number, ended: number): void {
  if (ended === LEFT_TO_JS) finish(frame);
  else if (ints[Int.HANDOVER] !== 0) handOver();
}

/** A native row filled the half being filled: give it to the writer (JS does the atomics). */
function handOver(): void {
  ints[Int.HANDOVER] = 0;
  buffer.handOverFull();
}

/**
 * Marks the call as thrown where it is leaving by an exception: its `__mt$t` is still the runtime
 * object it was called through (undefined for neither: exit() called without a receiver).
 */
function markIfThrown(frame: number, completion: unknown, runtime: unknown): void {
  // `typeof` first: the completion is the call's return value, of any type, and a `===` that has
  // seen any type is a call to V8's generic StrictEqual in optimised code; between objects it is a
  // comparison of references.
  if (typeof completion === 'object' && completion !== null && completion === runtime) markThrown(frame);
}

/** What instrumented code calls; configureProbes sets `enter` and `exit` for the counters in use. */
export const probes: Probes = {
  enter: enterAny,
  exit: exitJs,
  skip: 1,
  w: watchedFrames(),

  thrown(frame: number): void {
    if (frame >= 0) frames[frame * Frame.SIZE + Frame.THREW] = 1;
  },

  suspend<T>(value: T, frame: number): T {
    if (frame < 0) return value;
    const b = frame * Frame.SIZE;
    if (frames[b + Frame.STATE] !== RUNNING) return value;
    read();
    // The statement's bytes up to here; it goes on counting from the resumption (resumeFrame).
    if (lineTotals) endStatement(b);
    endSegment(frame);
    frames[b + Frame.STATE] = SUSPENDED;
    // A suspended call is off the stack: a call of the same function that starts or ends meanwhile
    // (concurrent requests) is not inside it, so it adds to the inclusive totals (finish()).
    stats.table[frames[b + Frame.FUNCTION_ID] * Stat.STRIDE + Stat.ACTIVE]--;
    pop(frame);
    eventSinceLast(Kind.Suspend, frame, stats.get(frames[b + Frame.FUNCTION_ID], Stat.LINE));
    return value;
  },

  resume<T>(value: T, frame: number): T {
    if (frame >= 0 && frames[frame * Frame.SIZE + Frame.STATE] === SUSPENDED) resumeFrame(frame);
    return value;
  },

  resumed(frame: number): void {
    if (frame >= 0 && frames[frame * Frame.SIZE + Frame.STATE] === SUSPENDED) resumeFrame(frame);
  },

  line(this: Probes, frame: number, line: number, column: number): void {
    if (frame < 0) return;
    const b = frame * Frame.SIZE;
    if (frames[b + Frame.STATE] === SUSPENDED) resumeFrame(frame);
    if (!lineRows) {
      // The countdown ran out (a window's statement), or a watched frame (a window's, or a first call's) reached its next.
      if (this.skip > 0) watchedStatement(this, frame, b, line, column);
      else this.skip = sampleStatement(this, frame, b, line, column);
      return;
    }
    this.skip = 1;
    frames[b + Frame.LINE_WEIGHT] = 1;
    read();
    // The row is for the line that just ran: what it allocated is the delta since the last event.
    const previous = frames[b + Frame.LINE];
    if (lineTotals) endStatement(b);
    if (previous > 0) eventSinceLast(Kind.Line, frame, previous);
    else markEvent(b);
    // The next statement's bytes start after the row: what writing it allocated is memtrace's own.
    if (lineTotals) read();
    markLine(b);
    frames[b + Frame.LINE] = line;
    frames[b + Frame.LINE_COLUMN] = column;
  },
};

function resumeFrame(frame: number): void {
  read();
  const b = frame * Frame.SIZE;
  frames[b + Frame.SEGMENT_START_NS] = readings[C_TIME];
  frames[b + Frame.SEGMENT_START_ALLOCATED] = globals[Global.ALLOC_LAST];
  frames[b + Frame.SEGMENT_START_MEASURED] = globals[Global.MEASURED];
  frames[b + Frame.SEGMENT_START_COUNTED] = globals[Global.COUNTED];
  frames[b + Frame.STATE] = RUNNING;
  frames[b + Frame.DEPTH] = ints[Int.DEPTH];
  markLine(b);
  stats.table[frames[b + Frame.FUNCTION_ID] * Stat.STRIDE + Stat.ACTIVE]++;
  push(frame);
  eventSinceLast(Kind.Resume, frame, stats.get(frames[b + Frame.FUNCTION_ID], Stat.LINE));
}

/**
 * Closes the running segment of a call (entry or resumption to now, counters just read): adds it to
 * the call's accumulators and credits it, calibrated, to the call below it on the stack, so that call's
 * self figures leave it out.
 */
function endSegment(frame: number): void {
  const b = frame * Frame.SIZE;
  const alloc = globals[Global.ALLOC_LAST];
  const nested = globals[Global.MEASURED] - frames[b + Frame.SEGMENT_START_MEASURED];
  const counted = globals[Global.COUNTED] - frames[b + Frame.SEGMENT_START_COUNTED];
  const segAlloc = alloc - frames[b + Frame.SEGMENT_START_ALLOCATED];
  const segTime = readings[C_TIME] - frames[b + Frame.SEGMENT_START_NS];
  frames[b + Frame.SUM_ALLOCATED] += segAlloc;
  frames[b + Frame.SUM_NS] += segTime;
  frames[b + Frame.NESTED_MEASURED] += nested;
  frames[b + Frame.NESTED_COUNTED] += counted;
  const first = frames[b + Frame.FIRST_SEGMENT];
  frames[b + Frame.FIRST_SEGMENT] = 0;
  // Credit the caller (the frame below this one), when there is one.
  const depth = ints[Int.DEPTH];
  let below = -1;
  if (depth > 0) below = stack[depth - 1] === frame ? (depth > 1 ? stack[depth - 2] : -1) : stack[depth - 1];
  if (below >= 0) {
    const p = below * Frame.SIZE;
    frames[p + Frame.CALLEES_ALLOCATED] += segAlloc - nested * globals[Global.CAL_NESTED_B] - first * globals[Global.CAL_SELF_B];
    frames[p + Frame.CALLEES_NS] +=
      segTime - nested * globals[Global.CAL_NESTED_NS] - counted * globals[Global.CAL_COUNTED_NS] - first * globals[Global.CAL_SELF_NS];
    if (frames[b + Frame.MAX_HEAP] > frames[p + Frame.MAX_HEAP]) frames[p + Frame.MAX_HEAP] = frames[b + Frame.MAX_HEAP];
  }
}

function finish(frame: number): void {
  const b = frame * Frame.SIZE;
  if (frames[b + Frame.STATE] === SUSPENDED) resumeFrame(frame); // generator return()/throw(), or a rejected await
  read();
  const heap = readings[C_HEAP];
  if (heap > frames[b + Frame.MAX_HEAP]) frames[b + Frame.MAX_HEAP] = heap;
  const previousLine = frames[b + Frame.LINE];
  if (previousLine > 0) {
    if (lineTotals) endStatement(b);
    if (lineRows) eventSinceLast(Kind.Line, frame, previousLine);
    unwatch(frame);
  }
  endSegment(frame);
  const id = frames[b + Frame.FUNCTION_ID];
  const nested = frames[b + Frame.NESTED_MEASURED];
  const total = frames[b + Frame.SUM_ALLOCATED] - globals[Global.CAL_SELF_B] - nested * globals[Global.CAL_NESTED_B];
  const time =
    frames[b + Frame.SUM_NS] -
    globals[Global.CAL_SELF_NS] -
    nested * globals[Global.CAL_NESTED_NS] -
    frames[b + Frame.NESTED_COUNTED] * globals[Global.CAL_COUNTED_NS];
  const s = stats;
  const t = s.table;
  const at = id * Stat.STRIDE;
  t[at + Stat.MEASURED_CALLS]++;
  t[at + Stat.SELF_ALLOC] += total - frames[b + Frame.CALLEES_ALLOCATED];
  t[at + Stat.SELF_TIME] += time - frames[b + Frame.CALLEES_NS];
  if (--t[at + Stat.ACTIVE] === 0) {
    // Recursion: only the outermost running activation adds to the inclusive totals.
    t[at + Stat.TOTAL_ALLOC] += total;
    t[at + Stat.TOTAL_TIME] += time;
  }
  const growth = frames[b + Frame.MAX_HEAP] - frames[b + Frame.START_HEAP];
  if (growth > t[at + Stat.MAX_HEAP_GROWTH]) t[at + Stat.MAX_HEAP_GROWTH] = growth;
  const exact = ints[Int.EXACT] !== 0;
  if (!exact && t[at + Stat.STRETCH] === 0) s.observe(id, total, time);
  else if (!exact && total >= Policy.PromoteBytes) s.promote(id);
  pop(frame);
  eventSinceLast(frames[b + Frame.THREW] === 1 ? Kind.Throw : Kind.Return, frame, t[at + Stat.LINE]);
  frames[b + Frame.STATE] = FREE;
  releaseFrame(frame);
}

/** Ends the measured calls still on the stack: the process is exiting (process.exit) inside them. */
export function closeOpenCalls(): void {
  while (ints[Int.DEPTH] > 0) finish(stack[ints[Int.DEPTH] - 1]);
}

/** Events recorded so far (whether or not their row was written). */
export function measuredCallCount(): number {
  return globals[Global.MEASURED];
}
