/**
 * events.csv: one row per probe event whose memory moved by at least the trigger. The writer thread
 * and the final flush format rows with EventFormatter; reporters and tests read them with
 * readEventsCsv.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import * as Col from '../buffer/event-buffer.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { parseCsv } from './csv.js';

export const EVENT_COLUMNS = [
  'seq', 'time_ns', 'event', 'function_id', 'function', 'file', 'line', 'column', 'depth', 'async_id',
  'heap_used', 'd_heap', 'allocated', 'd_allocated', 'rss', 'external', 'array_buffers',
] as const;

export const EVENT_HEADER = `${EVENT_COLUMNS.join(',')}\n`;

export const EVENT_KINDS = ['call', 'return', 'throw', 'suspend', 'resume', 'line', 'label'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const enum Kind { Call = 0, Return = 1, Throw = 2, Suspend = 3, Resume = 4, Line = 5, Label = 6 }

export interface EventRow {
  seq: number;
  timeNs: number;
  event: EventKind;
  functionId: number | null;
  function: string;
  file: string;
  line: number | null;
  column: number | null;
  depth: number;
  asyncId: number;
  heapUsed: number;
  dHeap: number;
  allocated: number;
  dAllocated: number;
  rss: number | null;
  external: number | null;
  arrayBuffers: number | null;
}

/** Formats rows of the event buffer. Function names and files are quoted once each, by csv-stringify. */
export class EventFormatter {
  private readonly quoted: string[] = [];

  /** `sequence[0]` is the seq of the next row; shared when two threads take turns writing. */
  constructor(private readonly functions: readonly FunctionInfo[], private readonly labels: readonly string[], private readonly sequence: Float64Array<ArrayBufferLike> = new Float64Array(1)) {}

  /** Forget a function's quoted name (it was renamed). */
  invalidate(id: number): void {
    this.quoted[id] = undefined as unknown as string;
  }

  format(data: Float64Array<ArrayBufferLike>, firstRow: number, rows: number): string {
    let text = '';
    let seq = this.sequence[0]!;
    for (let row = firstRow; row < firstRow + rows; row++) {
      const at = row * Col.COLUMNS;
      const kind = data[at + Col.KIND]!;
      const id = data[at + Col.FUNCTION_ID]!;
      let names: string;
      let column = '';
      if (kind === Kind.Label) {
        names = this.quote(this.labels[id] ?? '', '');
      } else {
        names = this.quoted[id] ?? (this.quoted[id] = this.quoteFunction(id));
        if (kind !== Kind.Line) column = String(this.functions[id]?.column ?? '');
      }
      text += `${seq++},${Math.round(data[at + Col.TIME]!)},${EVENT_KINDS[kind]},${kind === Kind.Label ? '' : id},${names},`
        + `${kind === Kind.Label ? '' : data[at + Col.LINE]},${column},${data[at + Col.DEPTH]},${data[at + Col.ASYNC_ID]},`
        + `${data[at + Col.HEAP]},${Math.round(data[at + Col.D_HEAP]!)},${Math.round(data[at + Col.ALLOCATED]!)},${Math.round(data[at + Col.D_ALLOCATED]!)},`
        + `${optional(data[at + Col.RSS]!)},${optional(data[at + Col.EXTERNAL]!)},${optional(data[at + Col.ARRAY_BUFFERS]!)}\n`;
    }
    this.sequence[0] = seq;
    return text;
  }

  private quoteFunction(id: number): string {
    const info = this.functions[id];
    return info ? this.quote(info.name, info.file) : `#${id},`;
  }

  private quote(a: string, b: string): string {
    return stringify([[a, b]], { eof: false });
  }
}

function optional(value: number): string {
  return Number.isNaN(value) ? '' : String(Math.round(value));
}

function nullable(text: string | undefined): number | null {
  return text === undefined || text === '' ? null : Number(text);
}

export function readEventsCsv(path: string): EventRow[] {
  const records = parseCsv(path, readFileSync(path, 'utf8'), EVENT_COLUMNS);
  return records.map((r) => ({
    seq: Number(r.seq),
    timeNs: Number(r.time_ns),
    event: r.event as EventKind,
    functionId: nullable(r.function_id),
    function: r.function!,
    file: r.file!,
    line: nullable(r.line),
    column: nullable(r.column),
    depth: Number(r.depth),
    asyncId: Number(r.async_id),
    heapUsed: Number(r.heap_used),
    dHeap: Number(r.d_heap),
    allocated: Number(r.allocated),
    dAllocated: Number(r.d_allocated),
    rss: nullable(r.rss),
    external: nullable(r.external),
    arrayBuffers: nullable(r.array_buffers),
  }));
}
