/**
 * Event rows: what probes.ts writes into the ring buffer (src/buffer/event-buffer.ts) when a call's
 * memory moved by at least the trigger since its previous row, and label rows. The writer thread
 * formats them into events.csv.
 *
 * Hot path: eventSinceLast runs at every event of a measured call; writeRow only when memory moved.
 */
import { executionAsyncId } from 'node:async_hooks';
import { EventColumn as Col, Frame, Global, Int, Kind } from '../shared/layouts.js';
import { TIME as C_TIME, HEAP as C_HEAP, EXTERNAL as C_EXTERNAL, ARRAY_BUFFERS as C_ARRAY_BUFFERS } from './counters.js';
import { buffer, counters, frames, globals, ints, read, readings } from './probe-state.js';

/** Writes a row for an event of a call if memory moved by the trigger since its previous event. */
export function eventSinceLast(kind: Kind, frame: number, line: number): void {
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

export function markEvent(b: number): void {
  frames[b + Frame.EVENT_CALLEES_ALLOCATED] = frames[b + Frame.CALLEES_ALLOCATED];
  frames[b + Frame.EVENT_ALLOCATED] = globals[Global.ALLOC_LAST];
  frames[b + Frame.EVENT_HEAP] = readings[C_HEAP];
  frames[b + Frame.EVENT_MEASURED] = globals[Global.MEASURED];
}

export function writeRow(kind: Kind, frame: number, line: number, dHeap: number, dAlloc: number): void {
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
