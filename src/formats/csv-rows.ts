/**
 * Reading memtrace's CSV files row by row, in chunks, so a file of any size is read in bounded memory.
 *
 * The files are written by memtrace (csv-stringify quotes a cell only when it holds a comma, a quote
 * or a line break), so almost every line is a record of plain cells: those are split on commas here,
 * and the rare record with a quote (a function name or file with a comma, a label with a line break)
 * is handed whole to csv-parse. Measured on a real events.csv (55 MB, 377 k rows, Node 20): csv-parse's
 * stream 7.8 MB/s (13 MB/s returning arrays), this splitter 76 MB/s; see docs/decisions.md.
 *
 * A last line without its newline is a row the writer never finished (the process was killed
 * mid-write): it is left out, and `onTruncated` is told, once, with the line number. A record with
 * the wrong number of cells is a TraceFileError naming the file and the line.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse/sync';
import { TraceFileError } from '../shared/errors.js';

export interface CsvReadOptions {
  /** Bytes read at a time (default 1 MiB); tests make it small to cross many chunk boundaries. */
  chunkBytes?: number;
  /** Called after each chunk with the bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called once, with a one-line message naming the file, when it ends in the middle of a row (that row is left out). */
  onTruncated?: (problem: string) => void;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;
const QUOTE = '"';

/**
 * Splits text fed in chunks into records of cells. The first line is the header, checked against
 * `columns`; `line` is the (1-based) line where the last record returned starts.
 */
export class CsvRowSplitter {
  line = 0;
  /** Records returned so far. */
  records = 0;
  private rest = '';
  private nextLine = 1;
  private headerSeen = false;
  /** Lines of a quoted record not closed yet (an odd number of quotes so far). */
  private pending = '';
  private pendingStart = 0;

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
  ) {}

  /** Calls `onRecord` for each complete record in `text` (after what earlier chunks left over); `line` is its line then. */
  push(text: string, onRecord: (cells: string[]) => void): void {
    const data = this.rest.length > 0 ? this.rest + text : text;
    let at = 0;
    for (;;) {
      const newline = data.indexOf('\n', at);
      if (newline < 0) break;
      this.take(data.slice(at, newline), onRecord);
      at = newline + 1;
    }
    this.rest = data.slice(at);
  }

  /** At the end of the file: a problem to report when the last row was cut short, else undefined. */
  end(): string | undefined {
    if (!this.headerSeen && this.rest.length === 0) throw new TraceFileError(this.path, 'the file is empty (expected a CSV header)');
    if (!this.headerSeen) {
      // A header without its newline: a file with no rows yet, not a row cut short.
      this.checkHeader(this.rest);
      return undefined;
    }
    if (this.rest.length === 0 && this.pending.length === 0) return undefined;
    const line = this.pending.length > 0 ? this.pendingStart : this.nextLine;
    return `memtrace: ${this.path}: the file ends mid-row at line ${line} (was the process stopped while writing?); the ${this.records} whole rows before it are read`;
  }

  private take(text: string, onRecord: (cells: string[]) => void): void {
    const lineNumber = this.nextLine++;
    if (!this.headerSeen) {
      this.checkHeader(text);
      this.headerSeen = true;
      return;
    }
    if (this.pending.length > 0) {
      this.pending += `\n${text}`;
      if (countQuotes(this.pending) % 2 === 1) return;
      const record = this.pending;
      this.pending = '';
      this.line = this.pendingStart;
      onRecord(this.checked(this.parseQuoted(record)));
      return;
    }
    if (text.length === 0 || text === '\r') return;
    this.line = lineNumber;
    if (text.indexOf(QUOTE) < 0) {
      onRecord(this.checked(text.split(',')));
    } else if (countQuotes(text) % 2 === 1) {
      this.pending = text;
      this.pendingStart = lineNumber;
    } else {
      onRecord(this.checked(this.parseQuoted(text)));
    }
  }

  private checkHeader(text: string): void {
    if (text.trim() !== this.columns.join(',')) {
      throw new TraceFileError(
        this.path,
        `the header is not ${this.columns.slice(0, 4).join(',')},... (found ${JSON.stringify(text.slice(0, 60))})`,
      );
    }
  }

  private parseQuoted(record: string): string[] {
    try {
      const [cells] = parse(record, { relax_column_count: true }) as string[][];
      return cells ?? [];
    } catch (error) {
      throw this.problem(`not valid CSV: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  private checked(cells: string[]): string[] {
    this.records++;
    if (cells.length !== this.columns.length) throw this.problem(`${cells.length} cells where the header has ${this.columns.length}`);
    return cells;
  }

  /** An error about the record at `line`. */
  problem(text: string): TraceFileError {
    return new TraceFileError(this.path, `line ${this.line}: ${text}`);
  }
}

function countQuotes(text: string): number {
  let count = 0;
  for (let at = text.indexOf(QUOTE); at >= 0; at = text.indexOf(QUOTE, at + 1)) count++;
  return count;
}

function cannotRead(path: string, error: unknown): TraceFileError {
  const code = (error as NodeJS.ErrnoException).code;
  return new TraceFileError(path, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (error as Error).message})`);
}

/**
 * The records of a CSV file whose header is `columns`, a batch (one chunk's rows) at a time: batches
 * rather than single rows, because an async step per row would cost more than parsing it.
 * `toRow` turns cells into the caller's row type; it may throw `splitter.problem(...)` for a bad cell.
 */
export async function* readCsvBatches<Row>(
  path: string,
  columns: readonly string[],
  toRow: (cells: string[], splitter: CsvRowSplitter) => Row,
  options: CsvReadOptions = {},
): AsyncGenerator<Row[]> {
  let totalBytes: number;
  try {
    totalBytes = statSync(path).size;
  } catch (error) {
    throw cannotRead(path, error);
  }
  const splitter = new CsvRowSplitter(path, columns);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
  let rows: Row[] = [];
  const onRecord = (cells: string[]) => rows.push(toRow(cells, splitter));
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      splitter.push(chunk, onRecord);
      if (rows.length > 0) {
        const ready = rows;
        rows = [];
        yield ready;
      }
      options.onProgress?.(stream.bytesRead, totalBytes);
    }
  } catch (error) {
    if (error instanceof TraceFileError) throw error;
    throw cannotRead(path, error);
  } finally {
    stream.destroy();
  }
  const truncated = splitter.end();
  if (truncated) options.onTruncated?.(truncated);
}

/** The same records read synchronously into an array (small files, and the library's array readers). */
export function readCsvRowsSync<Row>(
  path: string,
  columns: readonly string[],
  toRow: (cells: string[], splitter: CsvRowSplitter) => Row,
  options: CsvReadOptions = {},
): Row[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw cannotRead(path, error);
  }
  const splitter = new CsvRowSplitter(path, columns);
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const rows: Row[] = [];
  const onRecord = (cells: string[]) => rows.push(toRow(cells, splitter));
  try {
    for (let bytes = readSync(fd, buffer); bytes > 0; bytes = readSync(fd, buffer))
      splitter.push(decoder.write(buffer.subarray(0, bytes)), onRecord);
    splitter.push(decoder.end(), onRecord);
  } finally {
    closeSync(fd);
  }
  const truncated = splitter.end();
  if (truncated) options.onTruncated?.(truncated);
  return rows;
}

/** A number cell, or a TraceFileError naming the line when it is not one. */
export function numberCell(cells: readonly string[], index: number, column: string, splitter: CsvRowSplitter): number {
  const text = cells[index];
  const value = Number(text);
  if (text === '' || !Number.isFinite(value))
    throw splitter.problem(`${column} is ${JSON.stringify(text.slice(0, 40))}, not a finite number`);
  return value;
}

/** A cell that may be empty (a figure not read, a position not known): null, else its number. */
export function optionalNumberCell(text: string): number | null {
  return text === '' ? null : Number(text);
}
