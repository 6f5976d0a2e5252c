/**
 * The probes the transform calls: enter/exit/thrown at function entry and exit, suspend/resume at
 * `await` and `yield`, line before statements. They read the counters, keep a shadow stack of the
 * measured calls, add each call's figures to its function's totals and write an event row when memory
 * moved by at least the trigger.
 *
 * All state is in typed arrays (src/layout/layouts.ts), so that with the native counters the measured path
 * (entry of a measured call, end of a running one) runs in the addon over the same arrays
 * (native/probes.cc); the JS functions below stay the reference and run everything else, and
 * everything with the pure-JS counters.
 *
 * Hot path: everything here runs at every traced call. It allocates nothing on the JS heap (all state
 * is in typed arrays or small integers), formats nothing and touches no file. Speed beats clarity
 * here; keep it small.
 */
import { executionAsyncId } from 'node:async_hooks';
import type { MemoryCounters } from './counters.js';
import { TIME as C_TIME, HEAP as C_HEAP, FREED as C_FREED, EXTERNAL as C_EXTERNAL, ARRAY_BUFFERS as C_ARRAY_BUFFERS } from './counters.js';
import type { EventBuffer } from '../buffer/event-buffer.js';
import { FunctionStats, Policy } from './function-stats.js';
import type { Calibration } from '../formats/meta.js';
import type { NativeProbes } from './native-counters.js';
import { EventColumn as Col, Frame, FrameState, Global, Int, Kind, LAYOUT_VERSION, LEFT_TO_JS, NEEDS_ROOM, Stat } from '../layout/layouts.js';

const FREE = FrameState.Free, RUNNING = FrameState.Running, SUSPENDED = FrameState.Suspended;

/** Numbers shared with the native probes (Global slots). */
const globals = new Float64Array(Global.SIZE);
/** Flags and counts shared with the native probes (Int slots). */
const ints = new Int32Array(Int.SIZE);

function read(): void {
  counters.readFast();
  const allocated = readings[C_HEAP] + readings[C_FREED] + globals[Global.ALLOC_CORRECTION];
  if (ints[Int.MONOTONIC] !== 0 && allocated < globals[Global.ALLOC_LAST]) globals[Global.ALLOC_CORRECTION] += globals[Global.ALLOC_LAST] - allocated;
  else globals[Global.ALLOC_LAST] = allocated;
}

export interface ProbeSettings {
  trigger: number;
  exact: boolean;
  rssIntervalNs: number;
  /** Run the measured path in the addon where the counters have it (else in JS). */
  nativeProbes: boolean;
}

export interface Probes {
  enter(id: number): number;
  exit(frame: number): void;
  thrown(frame: number): void;
  /** The value first, the frame last: the transform's closing text is then `,__mt$c)` (transforms/probe-text.ts). */
  /** Before an await or yield: the call leaves the stack until it resumes. Returns `value`. */
  suspend<T>(value: T, frame: number): T;
  /** After an await or yield, around the value it gave back (the resumption of an expression). */
  resume<T>(value: T, frame: number): T;
  /** The same as a statement, where no value passes: at the top of a catch or finally block, and of a `for await` body. */
  resumed(frame: number): void;
  line(frame: number, line: number): void;
}

let counters: MemoryCounters;
/** The counters' last reading (counters.ts's slots: time, heap used, freed by GC, external...). */
let readings: Float64Array;
let buffer: EventBuffer;
let stats: FunctionStats;
/** stats.table, in a variable of its own for enterCounted (replaced as it grows: statsGrew). */
let statsTable = new Float64Array(0);
/** One Frame record per measured call in progress (stride Frame.SIZE); doubled when full. */
let frames = new Float64Array(1024 * Frame.SIZE);
/** The free frames' numbers, a stack whose top is ints[Int.FREE_TOP]. */
let free = new Int32Array(1024);
/** The shadow stack: the frames of the measured calls running, innermost at ints[Int.DEPTH] - 1. */
let stack = new Int32Array(1024);
/** Whether readFast reads the large-object spaces' sizes directly (native/space-fields.cc). */
let spaceFields = false;
/** The addon's measured path, while it is bound to the arrays above (else null: all in JS). */
let native: NativeProbes | null = null;

export function configureProbes(c: MemoryCounters, b: EventBuffer, s: FunctionStats, settings: ProbeSettings): void {
  counters = c;
  readings = c.values;
  buffer = b;
  stats = s;
  statsTable = s.table;
  // The large-object spaces read where V8 keeps their sizes (native/space-fields.cc), unless told not to.
  spaceFields = process.env.MEMTRACE_SPACE_FIELDS !== 'api' && (c.findSpaceFields?.() ?? false);
  globals.fill(0);
  ints.fill(0);
  globals[Global.TRIGGER] = settings.trigger;
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
  for (let i = 0; i < free.length; i++) free[i] = free.length - 1 - i;
  ints[Int.FREE_TOP] = free.length;
  native = settings.nativeProbes ? (c.probes ?? null) : null;
  probes.enter = native ? enterCounted : enterAny;
  probes.exit = native ? exitNative : exitJs;
  bindNative();
}

/** Hands the native probes the arrays as they are now (again after any of them grew). */
function bindNative(): void {
  if (!native) return;
  const bound = native.bindProbes(LAYOUT_VERSION, globals, ints, frames, free, stack, stats.table, buffer.data, buffer.position);
  if (!bound) {
    // An addon built from other sources than this dist/: the JS probes do it all.
    native = null;
    probes.enter = enterAny;
    probes.exit = exitJs;
  }
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

/** The function stats' table was replaced (it grew): the addon must use the new one. */
export function statsGrew(): void {
  statsTable = stats.table;
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

function allocFrame(): number {
  if (ints[Int.FREE_TOP] === 0) growFrames();
  return free[--ints[Int.FREE_TOP]];
}

function growFrames(): void {
  const old = frames.length / Frame.SIZE;
  const grown = new Float64Array(frames.length * 2);
  grown.set(frames);
  frames = grown;
  const freeGrown = new Int32Array(old * 2);
  for (let i = 0; i < old; i++) freeGrown[i] = 2 * old - 1 - i;
  free = freeGrown;
  ints[Int.FREE_TOP] = old;
  bindNative();
}

function growStack(): void {
  const grown = new Int32Array(stack.length * 2);
  grown.set(stack);
  stack = grown;
  bindNative();
}

function push(slot: number): void {
  if (ints[Int.DEPTH] === stack.length) growStack();
  stack[ints[Int.DEPTH]++] = slot;
}

function pop(slot: number): void {
  const depth = ints[Int.DEPTH];
  if (depth > 0 && stack[depth - 1] === slot) {
    ints[Int.DEPTH] = depth - 1;
    return;
  }
  // A frame left out of order (a generator abandoned while running cannot be; this is defensive).
  for (let i = depth - 1; i >= 0; i--) {
    if (stack[i] === slot) {
      stack.copyWithin(i, i + 1, depth);
      ints[Int.DEPTH] = depth - 1;
      return;
    }
  }
}

/**
 * The whole entry probe: a counted call is only counted; a measured call (a measured function's, or a
 * counted function's one call in ResampleEvery) reads the counters and opens a frame. Too big for V8
 * to inline into the traced functions, which is what the pure-JS counters need: inlined into a traced
 * function, their reading's statistics object (~360 B) can be optimised away there and not in the
 * calibration's functions. With the split entry for them, 100 000 nested calls read -330 B each in 2 of
 * 10 runs of test/accuracy.test.js; with this one in 1 of 16 (V8 can still compile the probes only
 * after the calibration measured them).
 */
function enterAny(id: number): number {
  const t = stats.table;
  const at = id * Stat.STRIDE;
  const left = t[at + Stat.COUNTDOWN];
  if (left > 1) {
    t[at + Stat.COUNTDOWN] = left - 1;
    t[at + Stat.CALLS]++;
    globals[Global.COUNTED]++;
    return -1;
  }
  if (!(id >= 0 && id < stats.capacity) || ints[Int.ENABLED] === 0) return -1;
  t[at + Stat.CALLS]++;
  // The last of a counted stretch is measured, to see whether the function still deserves counting.
  if (left === 1) t[at + Stat.COUNTDOWN] = Policy.ResampleEvery;
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

/**
 * The entry probe with the native counters: the counted path of enterAny, and nothing else here, small
 * enough for V8 to inline into the traced functions (2.2 ns of 9 ns per counted call in a loop of 5e7
 * calls); a measured call goes to the addon. countdown is 0 for measured functions (and undefined for a
 * NaN id, a hoisted call before its module registered).
 */
function enterCounted(id: number): number {
  // As few bytecodes as it can be (V8 counts them against the budget for inlining the traced
  // function's own callees): the table in a variable of its own, read once (each read of a module
  // variable is also a check that it is initialised), COUNTDOWN (field 0) without `+ 0`.
  const t = statsTable;
  const at = id * Stat.STRIDE;
  const left = t[at];
  if (left > 1) {
    t[at] = left - 1;
    t[at + Stat.CALLS]++;
    globals[Global.COUNTED]++;
    return -1;
  }
  return enterMeasured(id);
}

function enterMeasured(id: number): number {
  if (native === null) return enterAny(id);
  let slot = native.enterMeasured(id);
  if (slot === NEEDS_ROOM) {
    if (ints[Int.FREE_TOP] === 0) growFrames();
    if (ints[Int.DEPTH] === stack.length) growStack();
    slot = native === null ? enterAny(id) : native.enterMeasured(id);
  }
  if (ints[Int.HANDOVER] !== 0) handOver();
  return slot;
}

function exitJs(frame: number): void {
  if (frame >= 0) finish(frame);
}

/** The exit probe with the native counters: a counted call's is one comparison (inlined, it is small). */
function exitNative(frame: number): void {
  if (frame >= 0) finishNative(frame);
}

function finishNative(frame: number): void {
  if (native === null || native.finishCall(frame) === LEFT_TO_JS) finish(frame);
  else if (ints[Int.HANDOVER] !== 0) handOver();
}

/** A native row filled the half being filled: give it to the writer (JS does the atomics). */
function handOver(): void {
  ints[Int.HANDOVER] = 0;
  buffer.handOverFull();
}

/** What instrumented code calls; configureProbes sets `enter` and `exit` for the counters in use. */
export const probes: Probes = {
  enter: enterAny,
  exit: exitJs,

  thrown(frame: number): void {
    if (frame >= 0) frames[frame * Frame.SIZE + Frame.THREW] = 1;
  },

  suspend<T>(value: T, frame: number): T {
    if (frame < 0) return value;
    const b = frame * Frame.SIZE;
    if (frames[b + Frame.STATE] !== RUNNING) return value;
    read();
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

  line(frame: number, line: number): void {
    if (frame < 0) return;
    const b = frame * Frame.SIZE;
    if (frames[b + Frame.STATE] === SUSPENDED) resumeFrame(frame);
    read();
    // The row is for the line that just ran: what it allocated is the delta since the last event.
    const previous = frames[b + Frame.LINE];
    if (previous > 0) {
      if (lineTotals) addLineBytes(b, previous);
      eventSinceLast(Kind.Line, frame, previous);
    }
    else markEvent(b);
    frames[b + Frame.LINE] = line;
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
    frames[p + Frame.CALLEES_NS] += segTime - nested * globals[Global.CAL_NESTED_NS] - counted * globals[Global.CAL_COUNTED_NS] - first * globals[Global.CAL_SELF_NS];
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
    if (lineTotals) addLineBytes(b, previousLine);
    eventSinceLast(Kind.Line, frame, previousLine);
  }
  endSegment(frame);
  const id = frames[b + Frame.FUNCTION_ID];
  const nested = frames[b + Frame.NESTED_MEASURED];
  const total = frames[b + Frame.SUM_ALLOCATED] - globals[Global.CAL_SELF_B] - nested * globals[Global.CAL_NESTED_B];
  const time = frames[b + Frame.SUM_NS] - globals[Global.CAL_SELF_NS] - nested * globals[Global.CAL_NESTED_NS] - frames[b + Frame.NESTED_COUNTED] * globals[Global.CAL_COUNTED_NS];
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
  if (!exact && t[at + Stat.COUNTDOWN] === 0) s.observe(id, total, time);
  else if (!exact && total >= Policy.PromoteBytes) s.promote(id);
  pop(frame);
  eventSinceLast(frames[b + Frame.THREW] === 1 ? Kind.Throw : Kind.Return, frame, t[at + Stat.LINE]);
  frames[b + Frame.STATE] = FREE;
  free[ints[Int.FREE_TOP]++] = frame;
}

/**
 * Per-line totals (on for `--alloc --lines`): the bytes a statement allocated itself (its measured
 * callees' bytes left out, as they are credited to the call through Frame.CALLEES_ALLOCATED) and the bytes of the
 * measured callees it called. Slots are found through one Map per function (small-integer keys: no
 * allocation); a slot is made the first time a line of a function allocates.
 */
let lineTotals = false;
// lineSlots[fn] maps the nearest measured caller's function id (+1; 0 at the top) to line → slot.
let lineSlots: Array<Map<number, Map<number, number>> | undefined> = [];
let lineSelf = new Float64Array(1024);
let lineCallees = new Float64Array(1024);
let lineFunction = new Int32Array(1024);
let lineCaller = new Int32Array(1024);
let lineNumber = new Int32Array(1024);
let lineSlotCount = 0;

function addLineBytes(b: number, line: number): void {
  const nested = globals[Global.MEASURED] - frames[b + Frame.EVENT_MEASURED];
  const callees = frames[b + Frame.CALLEES_ALLOCATED] - frames[b + Frame.EVENT_CALLEES_ALLOCATED];
  const self = globals[Global.ALLOC_LAST] - frames[b + Frame.EVENT_ALLOCATED] - nested * globals[Global.CAL_NESTED_B] - callees;
  if (self <= 0 && callees <= 0) return;
  // Keys as small integers (`| 0`): a double read from a Float64Array would be boxed to look up a
  // Map, an allocation at every line probe that the next line would be charged with.
  const fn = frames[b + Frame.FUNCTION_ID] | 0;
  // The frame runs on top of the shadow stack; the one below it is its nearest measured caller.
  const depth = ints[Int.DEPTH];
  const caller = depth >= 2 ? (frames[stack[depth - 2] * Frame.SIZE + Frame.FUNCTION_ID] | 0) + 1 : 0;
  const key = line | 0;
  let slot = lineSlots[fn]?.get(caller)?.get(key);
  if (slot === undefined) slot = newLineSlot(fn, caller, key);
  if (self > 0) lineSelf[slot] += self;
  if (callees > 0) lineCallees[slot] += callees;
}

/**
 * The first bytes of a (function, caller, line): a slot and its map entries. What that allocates is
 * memtrace's own: read exactly around it and taken out of the allocated figure, so no line is
 * charged with it.
 */
function newLineSlot(fn: number, caller: number, line: number): number {
  counters.read();
  const before = readings[C_HEAP] + readings[C_FREED];
  if (lineSlotCount === lineSelf.length) {
    const grow = <T extends Float64Array | Int32Array>(from: T, to: T): T => (to.set(from), to);
    lineSelf = grow(lineSelf, new Float64Array(lineSelf.length * 2));
    lineCallees = grow(lineCallees, new Float64Array(lineCallees.length * 2));
    lineFunction = grow(lineFunction, new Int32Array(lineFunction.length * 2));
    lineCaller = grow(lineCaller, new Int32Array(lineCaller.length * 2));
    lineNumber = grow(lineNumber, new Int32Array(lineNumber.length * 2));
  }
  const slot = lineSlotCount++;
  lineFunction[slot] = fn;
  lineCaller[slot] = caller - 1;
  lineNumber[slot] = line;
  let byCaller = lineSlots[fn];
  if (byCaller === undefined) byCaller = lineSlots[fn] = new Map();
  let slots = byCaller.get(caller);
  if (slots === undefined) byCaller.set(caller, (slots = new Map()));
  slots.set(line, slot);
  counters.read();
  globals[Global.ALLOC_CORRECTION] -= readings[C_HEAP] + readings[C_FREED] - before;
  return slot;
}

/** Turns the per-line totals on (they cost a lookup in small-integer Maps per allocating line). */
export function setLineTotals(on: boolean): void {
  if (on && !lineTotals) warmLineTotals();
  lineTotals = on;
}

/**
 * Interpreted code boxes its doubles: until the JIT compiles addLineBytes, every call would allocate,
 * and the next line would be charged with it. Run it on a scratch frame until it is compiled (as the
 * calibration does for the other probes), then forget what it recorded.
 */
function warmLineTotals(): void {
  const slot = allocFrame();
  const b = slot * Frame.SIZE;
  frames.fill(0, b, b + Frame.SIZE);
  for (let i = 0; i < 20000; i++) {
    frames[b + Frame.EVENT_ALLOCATED] = globals[Global.ALLOC_LAST] - 64;
    addLineBytes(b, 1 + (i & 7));
  }
  free[ints[Int.FREE_TOP]++] = slot;
  lineSlots = [];
  lineSlotCount = 0;
  lineSelf.fill(0);
  lineCallees.fill(0);
}

export interface LineTotal {
  functionId: number;
  /** The nearest measured caller's function id (-1: none). */
  callerId: number;
  line: number;
  /** Bytes the statement allocated itself (calibrated; measured callees left out). */
  selfBytes: number;
  /** Bytes allocated by the measured calls it made. */
  calleeBytes: number;
}

/** The per-line totals so far (a copy; off the hot path). */
export function lineTotalsSoFar(): LineTotal[] {
  const rows: LineTotal[] = [];
  for (let slot = 0; slot < lineSlotCount; slot++) {
    rows.push({ functionId: lineFunction[slot], callerId: lineCaller[slot], line: lineNumber[slot], selfBytes: lineSelf[slot], calleeBytes: lineCallees[slot] });
  }
  return rows;
}

/** Writes a row for an event of a call if memory moved by the trigger since its previous event. */
function eventSinceLast(kind: Kind, frame: number, line: number): void {
  const b = frame * Frame.SIZE;
  const alloc = globals[Global.ALLOC_LAST];
  const nested = globals[Global.MEASURED] - frames[b + Frame.EVENT_MEASURED];
  let dAlloc = alloc - frames[b + Frame.EVENT_ALLOCATED] - nested * globals[Global.CAL_NESTED_B];
  if (kind === Kind.Return || kind === Kind.Throw) dAlloc -= globals[Global.CAL_SELF_B];
  const dHeap = readings[C_HEAP] - frames[b + Frame.EVENT_HEAP];
  const trigger = globals[Global.TRIGGER];
  if (trigger === 0 || dAlloc >= trigger || dHeap >= trigger || dHeap <= -trigger) writeRow(kind, frame, line, dHeap, dAlloc);
  markEvent(b);
}

function markEvent(b: number): void {
  frames[b + Frame.EVENT_CALLEES_ALLOCATED] = frames[b + Frame.CALLEES_ALLOCATED];
  frames[b + Frame.EVENT_ALLOCATED] = globals[Global.ALLOC_LAST];
  frames[b + Frame.EVENT_HEAP] = readings[C_HEAP];
  frames[b + Frame.EVENT_MEASURED] = globals[Global.MEASURED];
}

function writeRow(kind: Kind, frame: number, line: number, dHeap: number, dAlloc: number): void {
  const b = frame * Frame.SIZE;
  const now = readings[C_TIME];
  let rss = NaN;
  let arrayBuffers = NaN;
  if (now - globals[Global.LAST_RSS_NS] >= globals[Global.RSS_INTERVAL_NS]) {
    globals[Global.LAST_RSS_NS] = now;
    rss = counters.readRss();
    counters.readExternal();
    arrayBuffers = readings[C_ARRAY_BUFFERS];
  }
  const d = buffer.data;
  const at = buffer.reserve();
  d[at + Col.TIME] = now - globals[Global.START_NS];
  d[at + Col.KIND] = kind;
  d[at + Col.FUNCTION_ID] = frames[b + Frame.FUNCTION_ID];
  d[at + Col.LINE] = line;
  d[at + Col.DEPTH] = frames[b + Frame.DEPTH];
  d[at + Col.ASYNC_ID] = executionAsyncId();
  d[at + Col.HEAP] = readings[C_HEAP];
  d[at + Col.D_HEAP] = dHeap;
  d[at + Col.ALLOCATED] = globals[Global.ALLOC_LAST];
  d[at + Col.D_ALLOCATED] = dAlloc;
  d[at + Col.RSS] = rss;
  d[at + Col.EXTERNAL] = readings[C_EXTERNAL];
  d[at + Col.ARRAY_BUFFERS] = arrayBuffers;
  buffer.commit();
}

/** A label row (label id in the function column), outside any call. */
export function writeLabel(labelId: number): void {
  read();
  const d = buffer.data;
  const at = buffer.reserve();
  d[at + Col.TIME] = readings[C_TIME] - globals[Global.START_NS];
  d[at + Col.KIND] = Kind.Label;
  d[at + Col.FUNCTION_ID] = labelId;
  d[at + Col.LINE] = 0;
  d[at + Col.DEPTH] = ints[Int.DEPTH];
  d[at + Col.ASYNC_ID] = executionAsyncId();
  d[at + Col.HEAP] = readings[C_HEAP];
  d[at + Col.D_HEAP] = 0;
  d[at + Col.ALLOCATED] = globals[Global.ALLOC_LAST];
  d[at + Col.D_ALLOCATED] = 0;
  d[at + Col.RSS] = counters.readRss();
  counters.readExternal();
  d[at + Col.EXTERNAL] = readings[C_EXTERNAL];
  d[at + Col.ARRAY_BUFFERS] = readings[C_ARRAY_BUFFERS];
  buffer.commit();
}

/** Ends the measured calls still on the stack: the process is exiting (process.exit) inside them. */
export function closeOpenCalls(): void {
  while (ints[Int.DEPTH] > 0) finish(stack[ints[Int.DEPTH] - 1]);
}

/** Events recorded so far (whether or not their row was written). */
export function measuredCallCount(): number {
  return globals[Global.MEASURED];
}
