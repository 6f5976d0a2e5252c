/**
 * The probes' state, shared by the modules of the hot path (probes.ts: calls; event-rows.ts: rows of
 * events.csv; line-totals.ts: bytes per statement): the typed arrays of src/shared/layouts.ts that the
 * native probes (native/probes.cc) work on too, the counters and their last reading, and the shadow
 * stack. Other modules read these bindings live (an array replaced when it grows is seen at once);
 * only this module assigns them.
 *
 * Hot path: read(), allocFrame(), push() and pop() run at every measured call; they allocate nothing.
 */
import type { EventBuffer } from '../buffer/event-buffer.js';
import { Frame, Global, Int } from '../shared/layouts.js';
import type { MemoryCounters } from './counters.js';
import { HEAP as C_HEAP, FREED as C_FREED } from './counters.js';
import type { FunctionStats } from './function-stats.js';

/** Numbers shared with the native probes (Global slots). */
export const globals = new Float64Array(Global.SIZE);
/** Flags and counts shared with the native probes (Int slots). */
export const ints = new Int32Array(Int.SIZE);

export let counters: MemoryCounters;
/** The counters' last reading (counters.ts's slots: time, heap used, freed by GC, external...). */
export let readings: Float64Array;
export let buffer: EventBuffer;
export let stats: FunctionStats;
/** One Frame record per measured call in progress (stride Frame.SIZE); doubled when full. */
export let frames = new Float64Array(1024 * Frame.SIZE);
/** The free frames' numbers, a stack whose top is ints[Int.FREE_TOP]. */
export let free = new Int32Array(1024);
/** The shadow stack: the frames of the measured calls running, innermost at ints[Int.DEPTH] - 1. */
export let stack = new Int32Array(1024);

/** Called after an array above was replaced (grown): the native probes must be bound to the new one. */
let arraysReplaced: () => void = () => {};

/** The counters, buffer and stats of the trace being recorded; resets the globals, ints and free list. */
export function useTargets(c: MemoryCounters, b: EventBuffer, s: FunctionStats, onArraysReplaced: () => void): void {
  counters = c;
  readings = c.values;
  buffer = b;
  stats = s;
  arraysReplaced = onArraysReplaced;
  globals.fill(0);
  ints.fill(0);
  for (let i = 0; i < free.length; i++) free[i] = free.length - 1 - i;
  ints[Int.FREE_TOP] = free.length;
}

/**
 * Reads the counters into `readings`, and the allocated figure into Global.ALLOC_LAST: kept from
 * going down where the counters ask for it (MemoryCounters.monotonic), by a correction that grows.
 */
export function read(): void {
  counters.readFast();
  const allocated = readings[C_HEAP] + readings[C_FREED] + globals[Global.ALLOC_CORRECTION];
  if (ints[Int.MONOTONIC] !== 0 && allocated < globals[Global.ALLOC_LAST])
    globals[Global.ALLOC_CORRECTION] += globals[Global.ALLOC_LAST] - allocated;
  else globals[Global.ALLOC_LAST] = allocated;
}

/** A free frame's number (the frames double when none is left). */
export function allocFrame(): number {
  if (ints[Int.FREE_TOP] === 0) growFrames();
  return free[--ints[Int.FREE_TOP]];
}

export function releaseFrame(slot: number): void {
  free[ints[Int.FREE_TOP]++] = slot;
}

export function growFrames(): void {
  const old = frames.length / Frame.SIZE;
  const grown = new Float64Array(frames.length * 2);
  grown.set(frames);
  frames = grown;
  const freeGrown = new Int32Array(old * 2);
  for (let i = 0; i < old; i++) freeGrown[i] = 2 * old - 1 - i;
  free = freeGrown;
  ints[Int.FREE_TOP] = old;
  arraysReplaced();
}

export function growStack(): void {
  const grown = new Int32Array(stack.length * 2);
  grown.set(stack);
  stack = grown;
  arraysReplaced();
}

/** Puts a frame on the shadow stack. */
export function push(slot: number): void {
  if (ints[Int.DEPTH] === stack.length) growStack();
  stack[ints[Int.DEPTH]++] = slot;
}

/** Takes a frame off the shadow stack: the top one, or (defensively) one deeper. */
export function pop(slot: number): void {
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
