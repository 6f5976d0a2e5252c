/**
 * events.csv: one row per probe event whose memory moved by at least the trigger. The writer thread
 * and the final flush format rows with EventFormatter; reporters read them a chunk at a time with
 * readEventBatches, tests of small traces all at once with readEventsCsv.
 */
import { statSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { EventColumn as Col, EVENT_KINDS, Kind } from '../shared/layouts.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { numberCell, optionalNumberCell, readCsvBatches, readCsvRowsSync, type CsvReadOptions, type CsvRowSplitter } from './csv-rows.js';

export const EVENT_COLUMNS = [
  'seq',
  'time_ns',
  'event',
  'function_id',
  'function',
  'file',
  'line',
  'column',
  'depth',
  'async_id',
  'heap_used',
  'd_heap',
  'allocated',
  'd_allocated',
  'rss',
  'external',
  'array_buffers',
] as const;

export const EVENT_HEADER = `${EVENT_COLUMNS.join(',')}\n`;

export type EventKind = (typeof EVENT_KINDS)[number];

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

/** The addon's formatter (native/format.cc): the same bytes as EventFormatter's JS loop. */
export interface NativeEventFormat {
  /**
   * 0: done; 1: stopped at row progress[0], whose names are not quoted yet; 2: out is full.
   * progress: [next row, bytes written, highest heap_used of the rows formatted], all advanced.
   */
  formatEvents(
    data: Float64Array<ArrayBufferLike>,
    endRow: number,
    sequence: Float64Array<ArrayBufferLike>,
    out: Uint8Array,
    progress: Float64Array,
    functionNames: Uint8Array,
    functionIndex: Int32Array,
    columns: Int32Array,
    labelNames: Uint8Array,
    labelIndex: Int32Array,
  ): number;
}

/** Quoted `name,file` bytes per id, in one growable blob: [start, end) of id at index[2 id]. */
class QuotedNames {
  blob = new Uint8Array(1 << 16);
  index = new Int32Array(512).fill(-1);
  private used = 0;

  has(id: number): boolean {
    return 2 * id + 1 < this.index.length && this.index[2 * id] >= 0;
  }

  forget(id: number): void {
    if (2 * id < this.index.length) this.index[2 * id] = -1;
  }

  put(id: number, text: string): void {
    const bytes = Buffer.from(text);
    if (this.used + bytes.length > this.blob.length) {
      const grown = new Uint8Array(Math.max(2 * this.blob.length, this.used + bytes.length));
      grown.set(this.blob.subarray(0, this.used));
      this.blob = grown;
    }
    if (2 * id + 1 >= this.index.length) {
      const grown = new Int32Array(Math.max(2 * this.index.length, 2 * id + 2)).fill(-1);
      grown.set(this.index);
      this.index = grown;
    }
    this.blob.set(bytes, this.used);
    this.index[2 * id] = this.used;
    this.index[2 * id + 1] = this.used + bytes.length;
    this.used += bytes.length;
  }
}

/**
 * Formats rows of the event buffer as CSV bytes. Function names and files are quoted once each, by
 * csv-stringify; the numbers are written as ASCII digits straight into a reused byte buffer, by the
 * addon where it is loaded (native/format.cc, ~20 ns a row) and else by the JS loop below, which is
 * ten times faster than building strings (the writer must keep up with millions of rows a second).
 */
export class EventFormatter {
  private readonly names = new QuotedNames();
  private readonly labelNames = new QuotedNames();
  private columns = new Int32Array(256);
  private readonly kinds = EVENT_KINDS.map((k) => Buffer.from(k));
  private out: Uint8Array = new Uint8Array(1 << 20);
  /**
   * The highest heap_used of the rows formatted since it was last set to 0 (memtrace run --fail-over
   * reads the run's peak from the rows): taken while each row is read for its text anyway.
   */
  peakHeap = 0;

  /**
   * `sequence[0]` is the seq of the next row; shared when two threads take turns writing. `native`:
   * the addon's formatter, or null for the JS loop.
   */
  constructor(
    private readonly functions: readonly FunctionInfo[],
    private readonly labels: readonly string[],
    private readonly sequence: Float64Array<ArrayBufferLike> = new Float64Array(1),
    private readonly native: NativeEventFormat | null = null,
  ) {}

  /** Forget a function's quoted name (it was renamed). */
  invalidate(id: number): void {
    this.names.forget(id);
  }

  /** The rows as CSV text (bytes, valid until the next call). */
  format(data: Float64Array<ArrayBufferLike>, firstRow: number, rows: number): Uint8Array {
    if (!this.native) {
      for (let row = firstRow; row < firstRow + rows; row++) this.quoteNamesOf(data, row);
      return this.formatInJs(data, firstRow, rows);
    }
    // The addon stops at a row whose names are not quoted yet, or when the buffer is full.
    const progress = this.progress;
    progress[0] = firstRow;
    progress[1] = 0;
    progress[2] = this.peakHeap;
    for (;;) {
      const stop = this.native.formatEvents(
        data,
        firstRow + rows,
        this.sequence,
        this.out,
        progress,
        this.names.blob,
        this.names.index,
        this.columns,
        this.labelNames.blob,
        this.labelNames.index,
      );
      this.peakHeap = progress[2];
      if (stop === 0) return this.out.subarray(0, progress[1]);
      if (stop === 1) this.quoteNamesOf(data, progress[0]);
      else this.out = this.grow(2 * this.out.length, progress[1]);
    }
  }

  private readonly progress = new Float64Array(3);

  /** The function or label a row names, quoted once (and a function's column noted). */
  private quoteNamesOf(data: Float64Array<ArrayBufferLike>, row: number): void {
    const base = row * Col.COUNT;
    const id = data[base + Col.FUNCTION_ID];
    if (data[base + Col.KIND] === Kind.Label) {
      if (!this.labelNames.has(id)) this.labelNames.put(id, this.quote(this.labels[id] ?? '', ''));
    } else if (!this.names.has(id)) {
      const info = this.functions[id];
      this.names.put(id, info ? this.quote(info.name, info.file) : `#${id},`);
      if (id >= this.columns.length) {
        const grown = new Int32Array(Math.max(2 * this.columns.length, id + 1));
        grown.set(this.columns);
        this.columns = grown;
      }
      this.columns[id] = info?.column ?? 0;
    }
  }

  private formatInJs(data: Float64Array<ArrayBufferLike>, firstRow: number, rows: number): Uint8Array {
    // The hot loop of the writer: locals only (out, at), digits written by helpers that return the new
    // offset, so the JIT keeps everything in registers.
    let out = this.out;
    let at = 0;
    let seq = this.sequence[0];
    let peak = this.peakHeap;
    const columns = this.columns;
    for (let row = firstRow; row < firstRow + rows; row++) {
      const base = row * Col.COUNT;
      const kind = data[base + Col.KIND];
      const id = data[base + Col.FUNCTION_ID];
      const table = kind === Kind.Label ? this.labelNames : this.names;
      const start = table.index[2 * id];
      const end = table.index[2 * id + 1];
      // A row is at most 17 numbers of at most 21 characters, plus the quoted names.
      if (at + 400 + end - start > out.length) out = this.grow(at + 400 + end - start, at);
      at = writeInteger(out, at, seq++);
      out[at++] = COMMA;
      at = writeInteger(out, at, Math.round(data[base + Col.TIME]));
      out[at++] = COMMA;
      at = copyBytes(out, at, this.kinds[kind], 0, this.kinds[kind].length);
      out[at++] = COMMA;
      if (kind !== Kind.Label) at = writeInteger(out, at, id);
      out[at++] = COMMA;
      at = copyBytes(out, at, table.blob, start, end);
      out[at++] = COMMA;
      if (kind !== Kind.Label) at = writeInteger(out, at, data[base + Col.LINE]);
      out[at++] = COMMA;
      if (kind !== Kind.Label && kind !== Kind.Line) at = writeInteger(out, at, columns[id] ?? 0);
      out[at++] = COMMA;
      at = writeInteger(out, at, data[base + Col.DEPTH]);
      out[at++] = COMMA;
      at = writeInteger(out, at, data[base + Col.ASYNC_ID]);
      out[at++] = COMMA;
      const heap = data[base + Col.HEAP];
      if (heap > peak) peak = heap;
      at = writeInteger(out, at, heap);
      out[at++] = COMMA;
      at = writeInteger(out, at, Math.round(data[base + Col.D_HEAP]));
      out[at++] = COMMA;
      at = writeInteger(out, at, Math.round(data[base + Col.ALLOCATED]));
      out[at++] = COMMA;
      at = writeInteger(out, at, Math.round(data[base + Col.D_ALLOCATED]));
      out[at++] = COMMA;
      const rss = data[base + Col.RSS];
      if (!Number.isNaN(rss)) at = writeInteger(out, at, Math.round(rss)); // NaN: not read
      out[at++] = COMMA;
      const external = data[base + Col.EXTERNAL];
      if (!Number.isNaN(external)) at = writeInteger(out, at, Math.round(external));
      out[at++] = COMMA;
      const arrayBuffers = data[base + Col.ARRAY_BUFFERS];
      if (!Number.isNaN(arrayBuffers)) at = writeInteger(out, at, Math.round(arrayBuffers));
      out[at++] = NEWLINE;
    }
    this.sequence[0] = seq;
    this.peakHeap = peak;
    return out.subarray(0, at);
  }

  private grow(bytes: number, used: number): Uint8Array {
    const grown = new Uint8Array(Math.max(this.out.length * 2, bytes));
    grown.set(this.out.subarray(0, used));
    this.out = grown;
    return grown;
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

/** bytes[start, end) at `at`; short copies by hand: TypedArray.set costs more than the copy for a few dozen bytes. */
function copyBytes(out: Uint8Array, at: number, bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n > 64) {
    out.set(bytes.subarray(start, end), at);
    return at + n;
  }
  for (let i = 0; i < n; i++) out[at + i] = bytes[start + i];
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
  const digits =
    v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : 9;
  let i = at + digits;
  while (v >= 100) {
    const q = (v / 100) | 0;
    const pair = (v - q * 100) * 2;
    out[--i] = DIGIT_PAIRS[pair + 1];
    out[--i] = DIGIT_PAIRS[pair];
    v = q;
  }
  if (v >= 10) {
    out[--i] = DIGIT_PAIRS[v * 2 + 1];
    out[--i] = DIGIT_PAIRS[v * 2];
  } else {
    out[--i] = 48 + v;
  }
  return at + digits;
}

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);

/** One events.csv record as a row; a record that is not one is a TraceFileError naming its line. */
export function eventRowOf(cells: string[], splitter: CsvRowSplitter): EventRow {
  const event = cells[2];
  if (!KINDS.has(event)) throw splitter.problem(`event is ${JSON.stringify(event.slice(0, 40))}, not one of ${EVENT_KINDS.join(', ')}`);
  return {
    seq: numberCell(cells, 0, 'seq', splitter),
    timeNs: numberCell(cells, 1, 'time_ns', splitter),
    event: event as EventKind,
    functionId: optionalNumberCell(cells[3]),
    function: cells[4],
    file: cells[5],
    line: optionalNumberCell(cells[6]),
    column: optionalNumberCell(cells[7]),
    depth: Number(cells[8]),
    asyncId: Number(cells[9]),
    heapUsed: numberCell(cells, 10, 'heap_used', splitter),
    dHeap: Number(cells[11]),
    allocated: numberCell(cells, 12, 'allocated', splitter),
    dAllocated: Number(cells[13]),
    rss: optionalNumberCell(cells[14]),
    external: optionalNumberCell(cells[15]),
    arrayBuffers: optionalNumberCell(cells[16]),
  };
}

/** The rows of an events.csv, a chunk at a time: what the reports use, in bounded memory at any size. */
export function readEventBatches(path: string, options: CsvReadOptions = {}): AsyncGenerator<EventRow[]> {
  return readCsvBatches(path, EVENT_COLUMNS, eventRowOf, options);
}

/**
 * The rows of a trace's events files in order (events.3.csv … events.1.csv, events.csv where
 * --max-trace-size rotated them; see eventFiles()), as one stream, with progress over all of them.
 */
export async function* readEventFileBatches(paths: readonly string[], options: CsvReadOptions = {}): AsyncGenerator<EventRow[]> {
  const sizes = paths.map((path) => {
    try {
      return statSync(path).size;
    } catch {
      return 0; // the reader says the file is missing
    }
  });
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let before = 0;
  for (const [index, path] of paths.entries()) {
    const { onProgress } = options;
    yield* readEventBatches(path, {
      ...options,
      ...(onProgress ? { onProgress: (read: number) => onProgress(before + read, total) } : {}),
    });
    before += sizes[index];
  }
}

/** Every row of an events.csv in one array: for small traces and tests (the reports stream with readEventBatches). */
export function readEventsCsv(path: string, options: CsvReadOptions = {}): EventRow[] {
  return readCsvRowsSync(path, EVENT_COLUMNS, eventRowOf, options);
}
