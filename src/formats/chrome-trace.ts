/**
 * trace.json: a trace in Chrome's trace-event format (the JSON object form), which Perfetto
 * (ui.perfetto.dev) and Chrome DevTools open: calls as complete slices ("X"), memory as counters ("C"),
 * labels as instant events ("i"). Made from events.csv; a call is a slice only where both its call and
 * its return rows are there, which the trigger decides (`--trigger 0` writes every row): returns without
 * their call row become instant events, so nothing is invented.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { TraceFileError } from '../shared/errors.js';
import { CallMatcher } from './call-matcher.js';
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

/**
 * Turns events.csv rows, in file order, into trace events, handed to `emit` as they are made (the
 * streaming writer in src/report/trace-json.ts writes them as it reads). Every row goes through
 * add(), so calls pair up across a window's edge; only the rows `shown` emit events.
 */
export class ChromeTraceConverter {
  private readonly matcher = new CallMatcher();
  private readonly pid: number;
  private readonly tid: number;

  constructor(
    private readonly meta: TraceMeta,
    private readonly emit: (event: TraceEvent) => void,
  ) {
    this.pid = meta.pid;
    this.tid = meta.threadId;
  }

  /** The process and thread names: first in the file. */
  names(): void {
    const { pid, tid } = this;
    this.emit({ name: 'process_name', ph: 'M', ts: 0, pid, tid, args: { name: `node ${this.meta.argv.slice(1).join(' ')}` } });
    this.emit({ name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name: tid === 0 ? 'main thread' : `worker ${tid}` } });
  }

  add(row: EventRow, shown = true): void {
    const matched = this.matcher.add(row);
    if (!shown) return;
    const { pid, tid } = this;
    const ts = row.timeNs / 1000;
    if (row.event === 'label') {
      this.emit({ name: row.function, ph: 'i', s: 'g', ts, pid, tid, cat: 'label' });
      return;
    }
    this.emit({ name: 'memory', ph: 'C', ts, pid, tid, args: { heap_used: row.heapUsed, allocated: row.allocated } });
    if (row.rss !== null) this.emit({ name: 'rss', ph: 'C', ts, pid, tid, args: { rss: row.rss } });
    const where = `${row.file}:${row.line ?? 0}`;
    if (matched) {
      const args = { where, d_allocated: row.dAllocated, d_heap: row.dHeap, async_id: row.asyncId };
      const start = matched.startNs / 1000;
      this.emit({
        name: row.function,
        ph: 'X',
        ts: start,
        dur: ts - start,
        pid,
        tid,
        cat: row.event === 'throw' ? 'call,throw' : 'call',
        args,
      });
    } else if (matched === null) {
      this.emit({
        name: `${row.function} ${row.event}`,
        ph: 'i',
        s: 't',
        ts,
        pid,
        tid,
        cat: 'return',
        args: { where, d_allocated: row.dAllocated, d_heap: row.dHeap, async_id: row.asyncId },
      });
    } else if (row.event !== 'call') {
      this.emit({
        name: `${row.function} ${row.event}`,
        ph: 'i',
        s: 't',
        ts,
        pid,
        tid,
        cat: row.event,
        args: { where, d_allocated: row.dAllocated, async_id: row.asyncId },
      });
    }
  }
}

/** What follows the events in the file. */
export function chromeTraceTrailer(meta: TraceMeta): Omit<ChromeTrace, 'traceEvents'> {
  return {
    displayTimeUnit: 'ms',
    otherData: { memtrace: meta.memtrace, node: meta.node, startTime: meta.startTime, trigger: String(meta.trigger) },
  };
}

/** The whole trace in memory: for small traces (the CLI streams with src/report/trace-json.ts). */
export function chromeTraceFromEvents(meta: TraceMeta, events: readonly EventRow[]): ChromeTrace {
  const traceEvents: TraceEvent[] = [];
  const converter = new ChromeTraceConverter(meta, (event) => traceEvents.push(event));
  converter.names();
  for (const row of events) converter.add(row);
  return { traceEvents, ...chromeTraceTrailer(meta) };
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
    const bad =
      typeof event.name !== 'string'
        ? 'name'
        : !PHASES.has(String(event.ph))
          ? 'ph'
          : typeof event.ts !== 'number' || !(event.ts >= 0)
            ? 'ts'
            : typeof event.pid !== 'number'
              ? 'pid'
              : typeof event.tid !== 'number'
                ? 'tid'
                : event.ph === 'X' && !(typeof event.dur === 'number' && event.dur >= 0)
                  ? 'dur'
                  : undefined;
    if (bad) throw new TraceFileError(path, `event ${i} has no valid "${bad}"`);
  });
  return value as ChromeTrace;
}
