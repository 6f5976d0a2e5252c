/**
 * events.csv: one row per probe event whose memory moved by at least the trigger. The writer thread
 * and the final flush format rows with EventFormatter; reporters and tests read them with
 * readEventsCsv.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import * as Col from '../buffer/event-buffer.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { parseCsv, optionalNumber } from './csv.js';

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
  private readonly quoted: Array<Uint8Array<ArrayBufferLike> | undefined> = [];
  private readonly kinds = EVENT_KINDS.map((k) => Buffer.from(k));
  private out: Uint8Array = new Uint8Array(1 << 20);

  /** `sequence[0]` is the seq of the next row; shared when two threads take turns writing. */
  constructor(private readonly functions: readonly FunctionInfo[], private readonly labels: readonly string[], private readonly sequence: Float64Array<ArrayBufferLike> = new Float64Array(1)) {}

  /** Forget a function's quoted name (it was renamed). */
  invalidate(id: number): void {
    this.quoted[id] = undefined;
  }

  /** The rows as CSV text (bytes, valid until the next call). */
  format(data: Float64Array<ArrayBufferLike>, firstRow: number, rows: number): Uint8Array {
    // The hot loop of the writer: locals only (out, at), digits written by helpers that return the new
    // offset, so the JIT keeps everything in registers.
    let out = this.out;
    let at = 0;
    let seq = this.sequence[0]!;
    const functions = this.functions;
    for (let row = firstRow; row < firstRow + rows; row++) {
      const base = row * Col.COLUMNS;
      const kind = data[base + Col.KIND]!;
      const id = data[base + Col.FUNCTION_ID]!;
      const names = kind === Kind.Label ? Buffer.from(this.quote(this.labels[id] ?? '', '')) : (this.quoted[id] ?? (this.quoted[id] = Buffer.from(this.quoteFunction(id))));
      // A row is at most 17 numbers of at most 21 characters, plus the quoted names.
      if (at + 400 + names.length > out.length) out = this.grow(at + 400 + names.length, at);
      at = writeInteger(out, at, seq++);
      out[at++] = COMMA;
      at = writeInteger(out, at, Math.round(data[base + Col.TIME]!));
      out[at++] = COMMA;
      at = copyBytes(out, at, this.kinds[kind]!);
      out[at++] = COMMA;
      if (kind !== Kind.Label) at = writeInteger(out, at, id);
      out[at++] = COMMA;
      at = copyBytes(out, at, names);
      out[at++] = COMMA;
      if (kind !== Kind.Label) at = writeInteger(out, at, data[base + Col.LINE]!);
      out[at++] = COMMA;
      if (kind !== Kind.Label && kind !== Kind.Line) at = writeInteger(out, at, functions[id]?.column ?? 0);
      out[at++] = COMMA;
      at = writeInteger(out, at, data[base + Col.DEPTH]!);
      out[at++] = COMMA;
      at = writeInteger(out, at, data[base + Col.ASYNC_ID]!);
      out[at++] = COMMA;
      at = writeInteger(out, at, data[base + Col.HEAP]!);
      out[at++] = COMMA;
      at = writeInteger(out, at, Math.round(data[base + Col.D_HEAP]!));
      out[at++] = COMMA;
      at = writeInteger(out, at, Math.round(data[base + Col.ALLOCATED]!));
      out[at++] = COMMA;
      at = writeInteger(out, at, Math.round(data[base + Col.D_ALLOCATED]!));
      out[at++] = COMMA;
      const rss = data[base + Col.RSS]!;
      if (rss === rss) at = writeInteger(out, at, Math.round(rss)); // NaN: not read
      out[at++] = COMMA;
      const external = data[base + Col.EXTERNAL]!;
      if (external === external) at = writeInteger(out, at, Math.round(external));
      out[at++] = COMMA;
      const arrayBuffers = data[base + Col.ARRAY_BUFFERS]!;
      if (arrayBuffers === arrayBuffers) at = writeInteger(out, at, Math.round(arrayBuffers));
      out[at++] = NEWLINE;
    }
    this.sequence[0] = seq;
    return out.subarray(0, at);
  }

  private grow(bytes: number, used: number): Uint8Array {
    const grown = new Uint8Array(Math.max(this.out.length * 2, bytes));
    grown.set(this.out.subarray(0, used));
    this.out = grown;
    return grown;
  }

  private quoteFunction(id: number): string {
    const info = this.functions[id];
    return info ? this.quote(info.name, info.file) : `#${id},`;
  }

  private quote(a: string, b: string): string {
    return stringify([[a, b]], { eof: false });
  }
}

const COMMA = 44;
const NEWLINE = 10;
const MINUS = 45;
/** "00".."99": two digits per division. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Short copies by hand: TypedArray.set costs more than the copy for a few dozen bytes. */
function copyBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > 64) {
    out.set(bytes, at);
    return at + n;
  }
  for (let i = 0; i < n; i++) out[at + i] = bytes[i]!;
  return at + n;
}

/** A whole number (|n| < 2^53) in decimal at `at`; returns the offset after it. */
function writeInteger(out: Uint8Array, at: number, n: number): number {
  if (n < 0) {
    out[at++] = MINUS;
    n = -n;
  }
  if (n < 1e9) return writeSmall(out, at, n | 0);
  // Above small-integer range: the high part, then the low nine digits zero-padded.
  const high = Math.floor(n / 1e9);
  at = writeSmall(out, at, high | 0);
  let v = (n - high * 1e9) | 0;
  for (let i = at + 8; i >= at; i--) {
    const q = (v / 10) | 0;
    out[i] = 48 + v - q * 10;
    v = q;
  }
  return at + 9;
}

/** 0 <= v < 1e9, integer arithmetic only, two digits at a time. */
function writeSmall(out: Uint8Array, at: number, v: number): number {
  const digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : 9;
  let i = at + digits;
  while (v >= 100) {
    const q = (v / 100) | 0;
    const pair = (v - q * 100) * 2;
    out[--i] = DIGIT_PAIRS[pair + 1]!;
    out[--i] = DIGIT_PAIRS[pair]!;
    v = q;
  }
  if (v >= 10) {
    out[--i] = DIGIT_PAIRS[v * 2 + 1]!;
    out[--i] = DIGIT_PAIRS[v * 2]!;
  } else {
    out[--i] = 48 + v;
  }
  return at + digits;
}

export function readEventsCsv(path: string): EventRow[] {
  const records = parseCsv(path, readFileSync(path, 'utf8'), EVENT_COLUMNS);
  return records.map((r) => ({
    seq: Number(r.seq),
    timeNs: Number(r.time_ns),
    event: r.event as EventKind,
    functionId: optionalNumber(r.function_id),
    function: r.function!,
    file: r.file!,
    line: optionalNumber(r.line),
    column: optionalNumber(r.column),
    depth: Number(r.depth),
    asyncId: Number(r.async_id),
    heapUsed: Number(r.heap_used),
    dHeap: Number(r.d_heap),
    allocated: Number(r.allocated),
    dAllocated: Number(r.d_allocated),
    rss: optionalNumber(r.rss),
    external: optionalNumber(r.external),
    arrayBuffers: optionalNumber(r.array_buffers),
  }));
}
