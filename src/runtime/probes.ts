/**
 * The probes the transform calls: enter/exit/thrown at function entry and exit, suspend/resume at
 * `await` and `yield`, line before statements. They read the counters, keep a shadow stack of the
 * measured calls, add each call's figures to its function's totals and write an event row when memory
 * moved by at least the trigger.
 *
 * Hot path: everything here runs at every traced call. It allocates nothing on the JS heap (all state
 * is in typed arrays or small integers), formats nothing and touches no file. Speed beats clarity
 * here; keep it small.
 */
import { executionAsyncId } from 'node:async_hooks';
import type { MemoryCounters } from './counters.js';
import { TIME as C_TIME, HEAP as C_HEAP, FREED as C_FREED, EXTERNAL as C_EXTERNAL, ARRAY_BUFFERS as C_ARRAY_BUFFERS } from './counters.js';
import * as Col from '../buffer/event-buffer.js';
import type { EventBuffer } from '../buffer/event-buffer.js';
import { Kind } from '../formats/events-csv.js';
import { FunctionStats, Policy } from './function-stats.js';
import type { Calibration } from '../formats/meta.js';

// Frame fields (stride FRAME): one frame per measured call in progress.
const FN = 0, T0 = 1, A0 = 2, H0 = 3, HMAX = 4, ACC_T = 5, ACC_A = 6, CHILD_A = 7, CHILD_T = 8, SEG_M0 = 9,
  SEG_C0 = 10, ACC_M = 11, ACC_C = 12, LAST_A = 13, LAST_H = 14, LAST_M = 15, STATE = 16, DEPTH = 17,
  THREW = 18, FIRST_SEG = 19, LINE_NO = 20, LAST_CA = 21, FRAME = 22;
const FREE = 0, RUNNING = 1, SUSPENDED = 2;

// Global counters: measured and counted calls so far (a call's nested count is a difference of these).
const G = new Float64Array(2);
const MEASURED = 0, COUNTED = 1;

/**
 * Allocated bytes at the last reading; [1] the correction added so far to keep the figure from going
 * down where the counters ask for it (MemoryCounters.monotonic): a call must never show as freeing
 * memory it did not allocate.
 */
const ALLOC = new Float64Array(2);
let monotonic = false;

function read(): void {
  counters.readFast();
  const allocated = V[C_HEAP]! + V[C_FREED]! + ALLOC[1]!;
  if (monotonic && allocated < ALLOC[0]!) ALLOC[1]! += ALLOC[0]! - allocated;
  else ALLOC[0] = allocated;
}

/** Calibration figures, subtracted from every measured call (see calibrate.ts). */
const CAL = new Float64Array(5);
const CAL_SELF_B = 0, CAL_NESTED_B = 1, CAL_SELF_NS = 2, CAL_NESTED_NS = 3, CAL_COUNTED_NS = 4;

export interface ProbeSettings {
  trigger: number;
  exact: boolean;
  rssIntervalNs: number;
}

export interface Probes {
  enter(id: number): number;
  exit(frame: number): void;
  thrown(frame: number): void;
  suspend<T>(frame: number, value: T): T;
  resume<T>(frame: number, value: T): T;
  resumed(frame: number): void;
  line(frame: number, line: number): void;
}

let counters: MemoryCounters;
let V: Float64Array;
let buffer: EventBuffer;
let stats: FunctionStats;
let lineNumbers: Int32Array = new Int32Array(0);
let F = new Float64Array(1024 * FRAME);
let free = new Int32Array(1024);
let freeTop = 0;
let stack = new Int32Array(1024);
let depth = 0;
let trigger = 4096;
let exact = false;
let rssIntervalNs = 10e6;
let lastRssNs = -Infinity;
let startNs = 0;
let enabled = true;

export function configureProbes(c: MemoryCounters, b: EventBuffer, s: FunctionStats, settings: ProbeSettings): void {
  counters = c;
  V = c.values;
  buffer = b;
  stats = s;
  trigger = settings.trigger;
  exact = settings.exact;
  rssIntervalNs = settings.rssIntervalNs;
  c.read();
  ALLOC[0] = V[C_HEAP]! + V[C_FREED]!;
  ALLOC[1] = 0;
  monotonic = c.monotonic;
  startNs = V[C_TIME]!;
  for (let i = 0; i < free.length; i++) free[i] = free.length - 1 - i;
  freeTop = free.length;
}

/**
 * The probes for these counters: with the native ones, the entry probe whose counted path V8 inlines;
 * with the pure-JS ones, the whole entry probe (enterAny), which it does not.
 */
export function probesFor(counterKind: 'native' | 'js'): Probes {
  return counterKind === 'native' ? probes : { ...probes, enter: enterAny };
}

/** Whether a measured call is running on this thread (what a module loaded now would be charged to). */
export function measuredCallOpen(): boolean {
  return depth > 0;
}

/** The line each function starts at, for the call/return rows. */
export function setFunctionLines(lines: Int32Array): void {
  lineNumbers = lines;
}

export function setCalibration(cal: Calibration | null): void {
  CAL[CAL_SELF_B] = cal?.selfBytes ?? 0;
  CAL[CAL_NESTED_B] = cal?.nestedBytes ?? 0;
  CAL[CAL_SELF_NS] = cal?.selfNs ?? 0;
  CAL[CAL_NESTED_NS] = cal?.nestedNs ?? 0;
  CAL[CAL_COUNTED_NS] = cal?.countedNs ?? 0;
}

/** Stops recording (the probes still run, as cheaply as a counted call). */
export function setEnabled(on: boolean): void {
  enabled = on;
}

export function setTrigger(bytes: number): void {
  trigger = bytes;
}

export function setExact(on: boolean): void {
  exact = on;
}

function allocFrame(): number {
  if (freeTop === 0) growFrames();
  return free[--freeTop]!;
}

function growFrames(): void {
  const old = F.length / FRAME;
  const grown = new Float64Array(F.length * 2);
  grown.set(F);
  F = grown;
  const freeGrown = new Int32Array(old * 2);
  for (let i = 0; i < old; i++) freeGrown[i] = 2 * old - 1 - i;
  free = freeGrown;
  freeTop = old;
}

function push(slot: number): void {
  if (depth === stack.length) {
    const grown = new Int32Array(stack.length * 2);
    grown.set(stack);
    stack = grown;
  }
  stack[depth++] = slot;
}

function pop(slot: number): void {
  if (depth > 0 && stack[depth - 1] === slot) {
    depth--;
    return;
  }
  // A frame left out of order (a generator abandoned while running cannot be; this is defensive).
  for (let i = depth - 1; i >= 0; i--) {
    if (stack[i] === slot) {
      stack.copyWithin(i, i + 1, depth);
      depth--;
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
  const s = stats;
  const left = s.countdown[id]!;
  if (left > 1) {
    s.countdown[id] = left - 1;
    s.calls[id]!++;
    G[COUNTED]!++;
    return -1;
  }
  if (!(id >= 0) || !enabled) return -1;
  s.calls[id]!++;
  // The last of a counted stretch is measured, to see whether the function still deserves counting.
  if (left === 1) s.countdown[id] = Policy.ResampleEvery;
  read();
  const heap = V[C_HEAP]!;
  const alloc = ALLOC[0]!;
  const now = V[C_TIME]!;
  if (depth > 0) {
    const p = stack[depth - 1]! * FRAME;
    if (heap > F[p + HMAX]!) F[p + HMAX] = heap;
  }
  // Counted before the snapshots below: a call is not nested in itself.
  G[MEASURED]!++;
  const slot = allocFrame();
  const b = slot * FRAME;
  F[b + FN] = id;
  F[b + T0] = now;
  F[b + A0] = alloc;
  F[b + H0] = heap;
  F[b + HMAX] = heap;
  F[b + ACC_T] = 0;
  F[b + ACC_A] = 0;
  F[b + CHILD_A] = 0;
  F[b + CHILD_T] = 0;
  F[b + SEG_M0] = G[MEASURED]!;
  F[b + SEG_C0] = G[COUNTED]!;
  F[b + ACC_M] = 0;
  F[b + ACC_C] = 0;
  F[b + LAST_A] = alloc;
  F[b + LAST_H] = heap;
  F[b + LAST_M] = G[MEASURED]!;
  F[b + STATE] = RUNNING;
  F[b + DEPTH] = depth;
  F[b + THREW] = 0;
  F[b + FIRST_SEG] = 1;
  F[b + LINE_NO] = 0;
  F[b + LAST_CA] = 0;
  s.active[id]!++;
  push(slot);
  if (trigger === 0) writeRow(Kind.Call, slot, lineNumbers[id]!, 0, 0);
  return slot;
}

export const probes: Probes = {
  enter(id: number): number {
    const s = stats;
    // The counted path of enterAny, and nothing else here: small enough for V8 to inline into the
    // traced functions (2.2 ns of 9 ns per counted call in a loop of 5e7 calls). countdown is 0 for
    // measured functions (and undefined for a NaN id, a hoisted call before its module registered).
    const left = s.countdown[id]!;
    if (left > 1) {
      s.countdown[id] = left - 1;
      s.calls[id]!++;
      G[COUNTED]!++;
      return -1;
    }
    return enterAny(id);
  },

  exit(frame: number): void {
    if (frame >= 0) finish(frame);
  },

  thrown(frame: number): void {
    if (frame >= 0) F[frame * FRAME + THREW] = 1;
  },

  suspend<T>(frame: number, value: T): T {
    if (frame < 0) return value;
    const b = frame * FRAME;
    if (F[b + STATE] !== RUNNING) return value;
    read();
    endSegment(frame);
    F[b + STATE] = SUSPENDED;
    pop(frame);
    eventSinceLast(Kind.Suspend, frame, lineNumbers[F[b + FN]!]!);
    return value;
  },

  resume<T>(frame: number, value: T): T {
    if (frame >= 0 && F[frame * FRAME + STATE] === SUSPENDED) resumeFrame(frame);
    return value;
  },

  resumed(frame: number): void {
    if (frame >= 0 && F[frame * FRAME + STATE] === SUSPENDED) resumeFrame(frame);
  },

  line(frame: number, line: number): void {
    if (frame < 0) return;
    const b = frame * FRAME;
    if (F[b + STATE] === SUSPENDED) resumeFrame(frame);
    read();
    // The row is for the line that just ran: what it allocated is the delta since the last event.
    const previous = F[b + LINE_NO]!;
    if (previous > 0) {
      if (lineTotals) addLineBytes(b, previous);
      eventSinceLast(Kind.Line, frame, previous);
    }
    else markEvent(b);
    F[b + LINE_NO] = line;
  },
};

function resumeFrame(frame: number): void {
  read();
  const b = frame * FRAME;
  F[b + T0] = V[C_TIME]!;
  F[b + A0] = ALLOC[0]!;
  F[b + SEG_M0] = G[MEASURED]!;
  F[b + SEG_C0] = G[COUNTED]!;
  F[b + STATE] = RUNNING;
  F[b + DEPTH] = depth;
  push(frame);
  eventSinceLast(Kind.Resume, frame, lineNumbers[F[b + FN]!]!);
}

/**
 * Closes the running segment of a call (entry or resumption to now, counters just read): adds it to
 * the call's accumulators and credits it, calibrated, to the call below it on the stack, so that call's
 * self figures leave it out.
 */
function endSegment(frame: number): void {
  const b = frame * FRAME;
  const alloc = ALLOC[0]!;
  const nested = G[MEASURED]! - F[b + SEG_M0]!;
  const counted = G[COUNTED]! - F[b + SEG_C0]!;
  const segAlloc = alloc - F[b + A0]!;
  const segTime = V[C_TIME]! - F[b + T0]!;
  F[b + ACC_A]! += segAlloc;
  F[b + ACC_T]! += segTime;
  F[b + ACC_M]! += nested;
  F[b + ACC_C]! += counted;
  const first = F[b + FIRST_SEG]!;
  F[b + FIRST_SEG] = 0;
  // Credit the caller (the frame below this one), when there is one.
  let below = -1;
  if (depth > 0) below = stack[depth - 1] === frame ? (depth > 1 ? stack[depth - 2]! : -1) : stack[depth - 1]!;
  if (below >= 0) {
    const p = below * FRAME;
    F[p + CHILD_A]! += segAlloc - nested * CAL[CAL_NESTED_B]! - first * CAL[CAL_SELF_B]!;
    F[p + CHILD_T]! += segTime - nested * CAL[CAL_NESTED_NS]! - counted * CAL[CAL_COUNTED_NS]! - first * CAL[CAL_SELF_NS]!;
    if (F[b + HMAX]! > F[p + HMAX]!) F[p + HMAX] = F[b + HMAX]!;
  }
}

function finish(frame: number): void {
  const b = frame * FRAME;
  if (F[b + STATE] === SUSPENDED) resumeFrame(frame); // generator return()/throw(), or a rejected await
  read();
  const heap = V[C_HEAP]!;
  if (heap > F[b + HMAX]!) F[b + HMAX] = heap;
  const previousLine = F[b + LINE_NO]!;
  if (previousLine > 0) {
    if (lineTotals) addLineBytes(b, previousLine);
    eventSinceLast(Kind.Line, frame, previousLine);
  }
  endSegment(frame);
  const id = F[b + FN]!;
  const nested = F[b + ACC_M]!;
  const total = F[b + ACC_A]! - CAL[CAL_SELF_B]! - nested * CAL[CAL_NESTED_B]!;
  const time = F[b + ACC_T]! - CAL[CAL_SELF_NS]! - nested * CAL[CAL_NESTED_NS]! - F[b + ACC_C]! * CAL[CAL_COUNTED_NS]!;
  const s = stats;
  s.measuredCalls[id]!++;
  s.selfAlloc[id]! += total - F[b + CHILD_A]!;
  s.selfTime[id]! += time - F[b + CHILD_T]!;
  if (--s.active[id]! === 0) {
    // Recursion: only the outermost activation adds to the inclusive totals.
    s.totalAlloc[id]! += total;
    s.totalTime[id]! += time;
  }
  const growth = F[b + HMAX]! - F[b + H0]!;
  if (growth > s.maxHeapGrowth[id]!) s.maxHeapGrowth[id] = growth;
  if (!exact && s.countdown[id] === 0) s.observe(id, total, time);
  else if (!exact && total >= Policy.PromoteBytes) s.promote(id);
  pop(frame);
  eventSinceLast(F[b + THREW] === 1 ? Kind.Throw : Kind.Return, frame, lineNumbers[id]!);
  F[b + STATE] = FREE;
  free[freeTop++] = frame;
}

/**
 * Per-line totals (on for `--alloc --lines`): the bytes a statement allocated itself (its measured
 * callees' bytes left out, as they are credited to the call through CHILD_A) and the bytes of the
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
  const nested = G[MEASURED]! - F[b + LAST_M]!;
  const callees = F[b + CHILD_A]! - F[b + LAST_CA]!;
  const self = ALLOC[0]! - F[b + LAST_A]! - nested * CAL[CAL_NESTED_B]! - callees;
  if (self <= 0 && callees <= 0) return;
  // Keys as small integers (`| 0`): a double read from a Float64Array would be boxed to look up a
  // Map, an allocation at every line probe that the next line would be charged with.
  const fn = F[b + FN]! | 0;
  // The frame runs on top of the shadow stack; the one below it is its nearest measured caller.
  const caller = depth >= 2 ? (F[stack[depth - 2]! * FRAME + FN]! | 0) + 1 : 0;
  const key = line | 0;
  let slot = lineSlots[fn]?.get(caller)?.get(key);
  if (slot === undefined) slot = newLineSlot(fn, caller, key);
  if (self > 0) lineSelf[slot]! += self;
  if (callees > 0) lineCallees[slot]! += callees;
}

/**
 * The first bytes of a (function, caller, line): a slot and its map entries. What that allocates is
 * memtrace's own: read exactly around it and taken out of the allocated figure, so no line is
 * charged with it.
 */
function newLineSlot(fn: number, caller: number, line: number): number {
  counters.read();
  const before = V[C_HEAP]! + V[C_FREED]!;
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
  ALLOC[1]! -= V[C_HEAP]! + V[C_FREED]! - before;
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
  const b = slot * FRAME;
  F.fill(0, b, b + FRAME);
  for (let i = 0; i < 20000; i++) {
    F[b + LAST_A] = ALLOC[0]! - 64;
    addLineBytes(b, 1 + (i & 7));
  }
  free[freeTop++] = slot;
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
    rows.push({ functionId: lineFunction[slot]!, callerId: lineCaller[slot]!, line: lineNumber[slot]!, selfBytes: lineSelf[slot]!, calleeBytes: lineCallees[slot]! });
  }
  return rows;
}

/** Writes a row for an event of a call if memory moved by the trigger since its previous event. */
function eventSinceLast(kind: Kind, frame: number, line: number): void {
  const b = frame * FRAME;
  const alloc = ALLOC[0]!;
  const nested = G[MEASURED]! - F[b + LAST_M]!;
  let dAlloc = alloc - F[b + LAST_A]! - nested * CAL[CAL_NESTED_B]!;
  if (kind === Kind.Return || kind === Kind.Throw) dAlloc -= CAL[CAL_SELF_B]!;
  const dHeap = V[C_HEAP]! - F[b + LAST_H]!;
  if (trigger === 0 || dAlloc >= trigger || dHeap >= trigger || dHeap <= -trigger) writeRow(kind, frame, line, dHeap, dAlloc);
  markEvent(b);
}

function markEvent(b: number): void {
  F[b + LAST_CA] = F[b + CHILD_A]!;
  F[b + LAST_A] = ALLOC[0]!;
  F[b + LAST_H] = V[C_HEAP]!;
  F[b + LAST_M] = G[MEASURED]!;
}

function writeRow(kind: Kind, frame: number, line: number, dHeap: number, dAlloc: number): void {
  const b = frame * FRAME;
  const now = V[C_TIME]!;
  let rss = NaN;
  let arrayBuffers = NaN;
  if (now - lastRssNs >= rssIntervalNs) {
    lastRssNs = now;
    rss = counters.readRss();
    counters.readExternal();
    arrayBuffers = V[C_ARRAY_BUFFERS]!;
  }
  const d = buffer.data;
  const at = buffer.reserve();
  d[at + Col.TIME] = now - startNs;
  d[at + Col.KIND] = kind;
  d[at + Col.FUNCTION_ID] = F[b + FN]!;
  d[at + Col.LINE] = line;
  d[at + Col.DEPTH] = F[b + DEPTH]!;
  d[at + Col.ASYNC_ID] = executionAsyncId();
  d[at + Col.HEAP] = V[C_HEAP]!;
  d[at + Col.D_HEAP] = dHeap;
  d[at + Col.ALLOCATED] = ALLOC[0]!;
  d[at + Col.D_ALLOCATED] = dAlloc;
  d[at + Col.RSS] = rss;
  d[at + Col.EXTERNAL] = V[C_EXTERNAL]!;
  d[at + Col.ARRAY_BUFFERS] = arrayBuffers;
  buffer.commit();
}

/** A label row (label id in the function column), outside any call. */
export function writeLabel(labelId: number): void {
  read();
  const d = buffer.data;
  const at = buffer.reserve();
  d[at + Col.TIME] = V[C_TIME]! - startNs;
  d[at + Col.KIND] = Kind.Label;
  d[at + Col.FUNCTION_ID] = labelId;
  d[at + Col.LINE] = 0;
  d[at + Col.DEPTH] = depth;
  d[at + Col.ASYNC_ID] = executionAsyncId();
  d[at + Col.HEAP] = V[C_HEAP]!;
  d[at + Col.D_HEAP] = 0;
  d[at + Col.ALLOCATED] = ALLOC[0]!;
  d[at + Col.D_ALLOCATED] = 0;
  d[at + Col.RSS] = counters.readRss();
  counters.readExternal();
  d[at + Col.EXTERNAL] = V[C_EXTERNAL]!;
  d[at + Col.ARRAY_BUFFERS] = V[C_ARRAY_BUFFERS]!;
  buffer.commit();
}

/** Ends the measured calls still on the stack: the process is exiting (process.exit) inside them. */
export function closeOpenCalls(): void {
  while (depth > 0) finish(stack[depth - 1]!);
}

/** Events recorded so far (whether or not their row was written). */
export function measuredCallCount(): number {
  return G[MEASURED]!;
}
