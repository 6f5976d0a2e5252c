/**
 * Bytes per statement (`--alloc`): the line probes of probes.ts add what each statement of a measured
 * call allocated itself, and what the measured calls it made allocated, per (function, nearest measured
 * caller, line). alloc/line-source.ts reads them at the end of a run.
 *
 * Two ways to run. With `--lines` every statement of every measured call is counted (and events.csv
 * gets its line rows). With `--alloc` alone the statements of measured calls are sampled
 * (sampleStatement): those that start in windows of WINDOW statements at random places, rarer as the
 * run goes on, each followed to its end. The totals then estimate each statement's share of its
 * function's bytes, which is all the split of the sampler's bytes over statements uses
 * (alloc/build.ts); docs/allocations.md states the error.
 *
 * Hot path while on: addLineBytes runs at every line event; it allocates nothing once a slot exists.
 */
import { Frame, Global, Int } from '../shared/layouts.js';
import { HEAP as C_HEAP, FREED as C_FREED } from './counters.js';
import { allocFrame, counters, frames, globals, ints, read, readings, releaseFrame, stack } from './probe-state.js';

/** Statements in one window of statement sampling. */
export const WINDOW = 256;
/**
 * The gap between two windows is gapRatio windows' worth of statements on average (uniform, 1 to
 * twice that), and gapRatio grows with the windows seen, up to MAX_GAP_RATIO: a short program has
 * its statements watched nearly all the time, a long one about one in MAX_GAP_RATIO + 1 (what a
 * watched statement costs, ~200 ns, then stays a few per cent of the run). Each window's bytes are
 * weighted by the statements it stands for, so early windows do not count for more.
 */
const MAX_GAP_RATIO = 255;
/** Windows before gapRatio grows by one. */
const WINDOWS_PER_STEP = 4;

let windowOn = false;
let statementsLeft = 0;
let windowsSeen = 0;
let gapRatio = 0;
/** What each byte of the open window stands for: the window and the gap before it, over the window. */
let lineWeight = 1;
/**
 * Frames whose running statement started in a window, or that run a first call (watchFirstCall), by
 * frame number (1): the runtime's `w`, which the probes read. Between windows such a frame's probes
 * still call line(), so the statement is seen to its end however many statements run inside it: a
 * statement counts when it *starts* in a window, whatever its length (one that must also end in the
 * window would leave out the long ones).
 */
let watched = new Uint8Array(1024);

/**
 * Statements still to count, by frame number, in a frame of one of its function's first calls (see
 * watchFirstCall); 0 for any other frame.
 */
let firstCallLeft = new Int32Array(1024);
/**
 * Statements counted at most in one first call: a `main()` whose first call is the whole program is
 * not followed line by line.
 */
const FIRST_CALL_STATEMENTS = WINDOW;

/** The array the probes read as `__mt$.w` (it is replaced as it grows; see sampleStatement). */
export function watchedFrames(): Uint8Array {
  return watched;
}

/**
 * Makes room for frame number `frame` in the arrays by frame number. `runtime` is the object the
 * probe was called through; its `w` is set to the array in use every time, as the traced code's
 * runtime object (a copy of probes.ts's) and the one traceMemory's wrapper calls may each have grown it.
 */
function roomFor(runtime: { w: Uint8Array }, frame: number): void {
  if (frame >= watched.length) {
    const length = Math.max(frame + 1, watched.length * 2);
    const grown = new Uint8Array(length);
    grown.set(watched);
    watched = grown;
    const left = new Int32Array(length);
    left.set(firstCallLeft);
    firstCallLeft = left;
  }
  runtime.w = watched;
}

/**
 * A measured call starts in frame `frame` (`--alloc` without `--lines`): in one of its function's
 * first calls (`first`) its first FIRST_CALL_STATEMENTS statements are counted, each for itself, as
 * well as those the windows see. The policy counts a function that allocates little after its first
 * calls and never measures it again (function-stats.ts), so without these its statements would only
 * be seen where a window happened to open during them, and its sampled bytes would get no line.
 * They are the calls V8 keeps no type feedback for, so the probes' calls cost its optimised code nothing.
 */
export function watchFirstCall(runtime: { w: Uint8Array }, frame: number, first: boolean): void {
  roomFor(runtime, frame);
  // Set for every measured call, first or not: a frame the addon ended (no statement ran in it) was
  // never unwatched, and its slot is reused here.
  watched[frame] = first ? 1 : 0;
  firstCallLeft[frame] = first ? FIRST_CALL_STATEMENTS : 0;
}

/**
 * Between windows, a watched frame reached its next statement: a first call's counts (for itself,
 * weight 1) until it has counted FIRST_CALL_STATEMENTS; else the statement it was running ends here.
 */
export function watchedStatement(runtime: { w: Uint8Array }, frame: number, b: number, line: number, column: number): void {
  runtime.w = watched;
  if (firstCallLeft[frame] > 0) {
    firstCallLeft[frame]--;
    countStatement(b, line, column);
    frames[b + Frame.LINE_WEIGHT] = 1;
  } else {
    endWatchedStatement(frame, b);
  }
}

/**
 * The line probe under statement sampling (`--alloc` without `--lines`) when the countdown ran out:
 * frame `frame` (at `b`) is about to run the statement at `line`:`column`, and a window is open or
 * opens now. Returns how many statements of measured calls to skip before the next probe call (the
 * probe counts them down itself, transforms/probe-text.ts): 1 inside a window, a random gap when it
 * closes. `runtime.w` follows `watched` when it grows.
 */
export function sampleStatement(runtime: { w: Uint8Array }, frame: number, b: number, line: number, column: number): number {
  if (!windowOn) {
    windowOn = true;
    statementsLeft = WINDOW;
    lineWeight = 1 + gapRatio;
  }
  roomFor(runtime, frame);
  countStatement(b, line, column);
  watched[frame] = 1;
  if (--statementsLeft > 0) return 1;
  windowOn = false;
  windowsSeen++;
  gapRatio = Math.min(MAX_GAP_RATIO, Math.floor(windowsSeen / WINDOWS_PER_STEP));
  return 1 + Math.floor(Math.random() * 2 * gapRatio * WINDOW);
}

/** Between windows, a watched frame reached its next statement: the one it was running ends here. */
function endWatchedStatement(frame: number, b: number): void {
  read();
  endStatement(b);
  frames[b + Frame.LINE] = 0;
  watched[frame] = 0;
}

/** Frame `frame` ends: nothing of it is watched any more. */
export function unwatch(frame: number): void {
  if (frame < watched.length) {
    watched[frame] = 0;
    firstCallLeft[frame] = 0;
  }
}

/** Frame `b` starts the statement at `line`:`column`: the one before it gets its bytes. */
function countStatement(b: number, line: number, column: number): void {
  read();
  endStatement(b);
  markLine(b);
  frames[b + Frame.LINE_WEIGHT] = lineWeight;
  frames[b + Frame.LINE] = line;
  frames[b + Frame.LINE_COLUMN] = column;
}

export let lineTotals = false;
// lineSlots[fn] maps the nearest measured caller's function id (+1; 0 at the top) to line → column → slot.
let lineSlots: Array<Map<number, Map<number, Map<number, number>>> | undefined> = [];
let lineSelf = new Float64Array(1024);
let lineCallees = new Float64Array(1024);
let lineFunction = new Int32Array(1024);
let lineCaller = new Int32Array(1024);
let lineNumber = new Int32Array(1024);
let lineColumn = new Int32Array(1024);
let lineSlotCount = 0;

/** The running statement of frame `b` starts now (counters just read). */
export function markLine(b: number): void {
  frames[b + Frame.LINE_ALLOCATED] = globals[Global.ALLOC_LAST];
  frames[b + Frame.LINE_MEASURED] = globals[Global.MEASURED];
  frames[b + Frame.LINE_CALLEES_ALLOCATED] = frames[b + Frame.CALLEES_ALLOCATED];
}

/** The statement frame `b` runs, if any, gets what it allocated up to now (counters just read). */
export function endStatement(b: number): void {
  const line = frames[b + Frame.LINE];
  if (line > 0) addLineBytes(b, line, frames[b + Frame.LINE_COLUMN]);
}

/**
 * Adds what the statement at `line`:`column` of frame `b` allocated since markLine() (counters just
 * read), times what it stands for (Frame.LINE_WEIGHT).
 */
export function addLineBytes(b: number, line: number, column: number): void {
  const nested = globals[Global.MEASURED] - frames[b + Frame.LINE_MEASURED];
  const callees = frames[b + Frame.CALLEES_ALLOCATED] - frames[b + Frame.LINE_CALLEES_ALLOCATED];
  const self = globals[Global.ALLOC_LAST] - frames[b + Frame.LINE_ALLOCATED] - nested * globals[Global.CAL_NESTED_B] - callees;
  if (self <= 0 && callees <= 0) return;
  // Keys as small integers (`| 0`): a double read from a Float64Array would be boxed to look up a
  // Map, an allocation at every line probe that the next line would be charged with.
  const fn = frames[b + Frame.FUNCTION_ID] | 0;
  // The frame runs on top of the shadow stack; the one below it is its nearest measured caller.
  const depth = ints[Int.DEPTH];
  const caller = depth >= 2 ? (frames[stack[depth - 2] * Frame.SIZE + Frame.FUNCTION_ID] | 0) + 1 : 0;
  const key = line | 0;
  const at = column | 0;
  let slot = lineSlots[fn]?.get(caller)?.get(key)?.get(at);
  if (slot === undefined) slot = newLineSlot(fn, caller, key, at);
  const weight = frames[b + Frame.LINE_WEIGHT];
  if (self > 0) lineSelf[slot] += self * weight;
  if (callees > 0) lineCallees[slot] += callees * weight;
}

/**
 * The first bytes of a (function, caller, line): a slot and its map entries. What that allocates is
 * memtrace's own: read exactly around it and taken out of the allocated figure, so no line is
 * charged with it.
 */
function newLineSlot(fn: number, caller: number, line: number, column: number): number {
  counters.read();
  const before = readings[C_HEAP] + readings[C_FREED];
  if (lineSlotCount === lineSelf.length) {
    const grow = <T extends Float64Array | Int32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    lineSelf = grow(lineSelf, new Float64Array(lineSelf.length * 2));
    lineCallees = grow(lineCallees, new Float64Array(lineCallees.length * 2));
    lineFunction = grow(lineFunction, new Int32Array(lineFunction.length * 2));
    lineCaller = grow(lineCaller, new Int32Array(lineCaller.length * 2));
    lineNumber = grow(lineNumber, new Int32Array(lineNumber.length * 2));
    lineColumn = grow(lineColumn, new Int32Array(lineColumn.length * 2));
  }
  const slot = lineSlotCount++;
  lineFunction[slot] = fn;
  lineCaller[slot] = caller - 1;
  lineNumber[slot] = line;
  lineColumn[slot] = column;
  let byCaller = lineSlots[fn];
  if (byCaller === undefined) byCaller = lineSlots[fn] = new Map();
  let byLine = byCaller.get(caller);
  if (byLine === undefined) byCaller.set(caller, (byLine = new Map()));
  let byColumn = byLine.get(line);
  if (byColumn === undefined) byLine.set(line, (byColumn = new Map()));
  byColumn.set(column, slot);
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
    markLine(b);
    frames[b + Frame.LINE_WEIGHT] = 1;
    frames[b + Frame.LINE_ALLOCATED] = globals[Global.ALLOC_LAST] - 64;
    addLineBytes(b, 1 + (i & 7), 1 + (i & 3));
    countStatement(b, 1 + (i & 7), 1 + (i & 3));
  }
  releaseFrame(slot);
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
  /** The statement's column (1-based). */
  column: number;
  /** Bytes the statement allocated itself (calibrated; measured callees left out). */
  selfBytes: number;
  /** Bytes allocated by the measured calls it made. */
  calleeBytes: number;
}

/** The per-line totals so far (a copy; off the hot path). */
export function lineTotalsSoFar(): LineTotal[] {
  const rows: LineTotal[] = [];
  for (let slot = 0; slot < lineSlotCount; slot++) {
    rows.push({
      functionId: lineFunction[slot],
      callerId: lineCaller[slot],
      line: lineNumber[slot],
      column: lineColumn[slot],
      selfBytes: lineSelf[slot],
      calleeBytes: lineCallees[slot],
    });
  }
  return rows;
}
