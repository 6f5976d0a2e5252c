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

/**
 * Formats rows of the event buffer as CSV bytes. Function names and files are quoted once each, by
 * csv-stringify; the numbers are written as ASCII digits straight into a reused byte buffer, which is
 * ten times faster than building strings (the writer must keep up with millions of rows a second).
 */
export class EventFormatter {
  private readonly quoted: Array<Uint8Array | undefined> = [];
  private readonly kinds = EVENT_KINDS.map((k) => Buffer.from(k));
  private out = new Uint8Array(1 << 20);
  private at = 0;

  /** `sequence[0]` is the seq of the next row; shared when two threads take turns writing. */
  constructor(private readonly functions: readonly FunctionInfo[], private readonly labels: readonly string[], private readonly sequence: Float64Array<ArrayBufferLike> = new Float64Array(1)) {}

  /** Forget a function's quoted name (it was renamed). */
  invalidate(id: number): void {
    this.quoted[id] = undefined;
  }

  /** The rows as CSV text (bytes, valid until the next call). */
  format(data: Float64Array<ArrayBufferLike>, firstRow: number, rows: number): Uint8Array {
    // A row is at most ~17 numbers of ≤ 21 characters plus the quoted names.
    this.at = 0;
    let seq = this.sequence[0]!;
    for (let row = firstRow; row < firstRow + rows; row++) {
      const at = row * Col.COLUMNS;
      const kind = data[at + Col.KIND]!;
      const id = data[at + Col.FUNCTION_ID]!;
      const names = kind === Kind.Label ? Buffer.from(this.quote(this.labels[id] ?? '', '')) : (this.quoted[id] ?? (this.quoted[id] = Buffer.from(this.quoteFunction(id))));
      this.reserve(400 + names.length);
      this.integer(seq++);
      this.comma();
      this.integer(Math.round(data[at + Col.TIME]!));
      this.comma();
      this.bytes(this.kinds[kind]!);
      this.comma();
      if (kind !== Kind.Label) this.integer(id);
      this.comma();
      this.bytes(names);
      this.comma();
      if (kind !== Kind.Label) this.integer(data[at + Col.LINE]!);
      this.comma();
      if (kind !== Kind.Label && kind !== Kind.Line) this.integer(this.functions[id]?.column ?? 0);
      this.comma();
      this.integer(data[at + Col.DEPTH]!);
      this.comma();
      this.integer(data[at + Col.ASYNC_ID]!);
      this.comma();
      this.integer(data[at + Col.HEAP]!);
      this.comma();
      this.integer(Math.round(data[at + Col.D_HEAP]!));
      this.comma();
      this.integer(Math.round(data[at + Col.ALLOCATED]!));
      this.comma();
      this.integer(Math.round(data[at + Col.D_ALLOCATED]!));
      this.comma();
      this.optional(data[at + Col.RSS]!);
      this.comma();
      this.optional(data[at + Col.EXTERNAL]!);
      this.comma();
      this.optional(data[at + Col.ARRAY_BUFFERS]!);
      this.out[this.at++] = 10;
    }
    this.sequence[0] = seq;
    return this.out.subarray(0, this.at);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.out.length) return;
    const grown = new Uint8Array(Math.max(this.out.length * 2, this.at + bytes));
    grown.set(this.out.subarray(0, this.at));
    this.out = grown;
  }

  private comma(): void {
    this.out[this.at++] = 44;
  }

  private bytes(bytes: Uint8Array): void {
    this.out.set(bytes, this.at);
    this.at += bytes.length;
  }

  private optional(value: number): void {
    if (!Number.isNaN(value)) this.integer(Math.round(value));
  }

  /** A whole number (|n| < 2^53) in decimal. */
  private integer(n: number): void {
    const out = this.out;
    if (n < 0) {
      out[this.at++] = 45;
      n = -n;
    }
    if (n >= 1e9) {
      // Above small-integer range: the high part, then the low nine digits zero-padded.
      const high = Math.floor(n / 1e9);
      this.smallInteger(high);
      this.padded9(n - high * 1e9);
    } else {
      this.smallInteger(n);
    }
  }

  /** 0 <= n < 1e9: integer arithmetic only. */
  private smallInteger(n: number): void {
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    const out = this.out;
    let at = this.at + digits;
    this.at = at;
    let v = n | 0;
    do {
      const q = (v / 10) | 0;
      out[--at] = 48 + v - q * 10;
      v = q;
    } while (v > 0);
  }

  private padded9(n: number): void {
    const out = this.out;
    let v = n | 0;
    for (let at = this.at + 8; at >= this.at; at--) {
      const q = (v / 10) | 0;
      out[at] = 48 + v - q * 10;
      v = q;
    }
    this.at += 9;
  }

  private quoteFunction(id: number): string {
    const info = this.functions[id];
    return info ? this.quote(info.name, info.file) : `#${id},`;
  }

  private quote(a: string, b: string): string {
    return stringify([[a, b]], { eof: false });
  }
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
