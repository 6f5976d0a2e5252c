/**
 * Bytes per statement (`--alloc`): the line probes of probes.ts add what each statement of a measured
 * call allocated itself, and what the measured calls it made allocated, per (function, nearest measured
 * caller, line). alloc/line-source.ts reads them at the end of a run.
 *
 * Two ways to run. With `--lines` every statement of every measured call is counted (and events.csv
 * gets its line rows). With `--alloc` alone the statements of measured calls are sampled
 * (sampleStatement): in windows of WINDOW statements at random places, rarer as the run goes on. The
 * totals then estimate each statement's share of its function's bytes, which is all the split of the
 * sampler's bytes over statements uses (alloc/build.ts); docs/allocations.md states the error.
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
 * The window of statement sampling running, counted up at each start and end (odd: one is open). A
 * statement's bytes count only if it started in the window still open: the statements between two
 * windows run unwatched, and one that started before them is not charged with them. Stays 0 with
 * `--lines` (every statement watched).
 */
let lineWindow = 0;

/**
 * The line probe under statement sampling (`--alloc` without `--lines`): frame `b` is about to run the
 * statement `line`, and a window is open or opens now. Returns how many statements of measured calls
 * to skip before the next probe call (the probe counts them down itself, transforms/probe-text.ts): 1
 * inside a window, a random gap when it closes.
 */
export function sampleStatement(b: number, line: number, column: number): number {
  if (!windowOn) {
    windowOn = true;
    lineWindow++;
    statementsLeft = WINDOW;
    lineWeight = 1 + gapRatio;
  }
  countStatement(b, line, column);
  if (--statementsLeft > 0) return 1;
  windowOn = false;
  lineWindow++;
  windowsSeen++;
  gapRatio = Math.min(MAX_GAP_RATIO, Math.floor(windowsSeen / WINDOWS_PER_STEP));
  return 1 + Math.floor(Math.random() * 2 * gapRatio * WINDOW);
}

/** Frame `b` starts the statement at `line`:`column`: the one before it gets its bytes. */
function countStatement(b: number, line: number, column: number): void {
  read();
  const previous = frames[b + Frame.LINE];
  if (previous > 0) addLineBytes(b, previous, frames[b + Frame.LINE_COLUMN]);
  markLine(b);
  frames[b + Frame.LINE] = line;
  frames[b + Frame.LINE_COLUMN] = column;
}

/**
 * Per-line totals (on for `--alloc --lines`): the bytes a statement allocated itself (its measured
 * callees' bytes left out, as they are credited to the call through Frame.CALLEES_ALLOCATED) and the bytes of the
 * measured callees it called. Slots are found through one Map per function (small-integer keys: no
 * allocation); a slot is made the first time a line of a function allocates.
 */
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
  frames[b + Frame.LINE_WINDOW] = lineWindow;
  frames[b + Frame.LINE_ALLOCATED] = globals[Global.ALLOC_LAST];
  frames[b + Frame.LINE_MEASURED] = globals[Global.MEASURED];
  frames[b + Frame.LINE_CALLEES_ALLOCATED] = frames[b + Frame.CALLEES_ALLOCATED];
}

/**
 * Adds what the statement at `line`:`column` of frame `b` allocated since markLine() (counters just
 * read), if it was watched all along (the same window of statement sampling).
 */
export function addLineBytes(b: number, line: number, column: number): void {
  if (frames[b + Frame.LINE_WINDOW] !== lineWindow) return;
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
  if (self > 0) lineSelf[slot] += self * lineWeight;
  if (callees > 0) lineCallees[slot] += callees * lineWeight;
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
