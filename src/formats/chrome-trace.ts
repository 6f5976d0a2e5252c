/**
 * trace.json: a trace in Chrome's trace-event format (the JSON object form), which Perfetto
 * (ui.perfetto.dev) and Chrome DevTools open: calls as complete slices ("X"), memory as counters ("C"),
 * labels as instant events ("i"). Made from events.csv; a call is a slice only where both its call and
 * its return rows are there, which the trigger decides (`--trigger 0` writes every row): returns without
 * their call row become instant events, so nothing is invented.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { TraceFileError } from '../errors.js';
import type { EventRow } from './events-csv.js';
import type { TraceMeta } from './meta.js';

export type TraceEventPhase = 'X' | 'C' | 'i' | 'M';

export interface TraceEvent {
  name: string;
  ph: TraceEventPhase;
  /** Microseconds since the tracer started. */
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  /** Instant events: the scope ("g": global, "t": thread). */
  s?: 'g' | 't';
  args?: Record<string, string | number>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms' | 'ns';
  otherData: Record<string, string>;
}

const PHASES: ReadonlySet<string> = new Set(['X', 'C', 'i', 'M']);

export function chromeTraceFromEvents(meta: TraceMeta, events: readonly EventRow[]): ChromeTrace {
  const pid = meta.pid;
  const tid = meta.threadId;
  const us = (ns: number) => ns / 1000;
  const traceEvents: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid, tid, args: { name: `node ${meta.argv.slice(1).join(' ')}` } },
    { name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name: tid === 0 ? 'main thread' : `worker ${tid}` } },
  ];
  // Open calls by async context and function: a return closes the latest open call of its function.
  const open = new Map<string, EventRow[]>();
  for (const row of events) {
    const where = `${row.file}:${row.line ?? 0}`;
    if (row.event === 'label') {
      traceEvents.push({ name: row.function, ph: 'i', s: 'g', ts: us(row.timeNs), pid, tid, cat: 'label' });
      continue;
    }
    const counters: Record<string, number> = { heap_used: row.heapUsed, allocated: row.allocated };
    traceEvents.push({ name: 'memory', ph: 'C', ts: us(row.timeNs), pid, tid, args: counters });
    if (row.rss !== null) traceEvents.push({ name: 'rss', ph: 'C', ts: us(row.timeNs), pid, tid, args: { rss: row.rss } });
    const key = `${row.asyncId}:${row.functionId}`;
    if (row.event === 'call') {
      let stack = open.get(key);
      if (!stack) open.set(key, (stack = []));
      stack.push(row);
    } else if (row.event === 'return' || row.event === 'throw') {
      const call = open.get(key)?.pop();
      const args = { where, d_allocated: row.dAllocated, d_heap: row.dHeap, async_id: row.asyncId };
      if (call) {
        traceEvents.push({ name: row.function, ph: 'X', ts: us(call.timeNs), dur: us(row.timeNs - call.timeNs), pid, tid, cat: row.event === 'throw' ? 'call,throw' : 'call', args });
      } else {
        traceEvents.push({ name: `${row.function} ${row.event}`, ph: 'i', s: 't', ts: us(row.timeNs), pid, tid, cat: 'return', args });
      }
    } else {
      traceEvents.push({ name: `${row.function} ${row.event}`, ph: 'i', s: 't', ts: us(row.timeNs), pid, tid, cat: row.event, args: { where, d_allocated: row.dAllocated, async_id: row.asyncId } });
    }
  }
  return {
    traceEvents,
    displayTimeUnit: 'ms',
    otherData: { memtrace: meta.memtrace, node: meta.node, startTime: meta.startTime, trigger: String(meta.trigger) },
  };
}

export function writeChromeTrace(path: string, trace: ChromeTrace): void {
  writeFileSync(path, JSON.stringify(trace));
}

/** Reads a trace.json and checks it has the shape viewers need (every event: name, phase, time, pid, tid). */
export function readChromeTrace(path: string): ChromeTrace {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TraceFileError(path, `not a trace-event JSON file: ${(error as Error).message}`);
  }
  const events = (value as { traceEvents?: unknown }).traceEvents;
  if (!Array.isArray(events)) throw new TraceFileError(path, 'not a trace-event JSON file: no "traceEvents" list');
  events.forEach((event: Record<string, unknown>, i) => {
    const bad = typeof event.name !== 'string' ? 'name' : !PHASES.has(String(event.ph)) ? 'ph' : typeof event.ts !== 'number' || !(event.ts >= 0) ? 'ts'
      : typeof event.pid !== 'number' ? 'pid' : typeof event.tid !== 'number' ? 'tid' : event.ph === 'X' && !(typeof event.dur === 'number' && event.dur >= 0) ? 'dur' : undefined;
    if (bad) throw new TraceFileError(path, `event ${i} has no valid "${bad}"`);
  });
  return value as ChromeTrace;
}
