/**
 * native-raw.bin (native-<pid>.raw before the process's trace directory exists): the records the
 * native allocation tracker (native/preload/memtrace-native.c) appends during a `memtrace run --native`.
 * The layout is src/shared/layouts.spec.js's NATIVE_RECORDS, generated into native/preload/records.h
 * for the tracker and src/shared/native-records.ts for this reader. Read a chunk at a time, so a file of
 * any size takes bounded memory; a record cut short at the end (the process was killed mid-write) is
 * left out.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TraceFileError } from '../shared/errors.js';
import { NATIVE_RAW_FILE } from '../runtime/native-memory.js';
import {
  ALLOC_UNTRACKED,
  BlockRecord,
  FunctionRecord,
  RAW_MAGIC,
  RAW_VERSION,
  RecordHeader,
  RecordKind as Kind,
  StackRecord,
  StartRecord,
  SymbolRecord,
  ThreadRecord,
  ExitRecord,
} from '../shared/native-records.js';

export const RAW_FILE = NATIVE_RAW_FILE;
export { FUNCTION_NONE, FUNCTION_START_UP } from '../shared/native-records.js';
const CHUNK_BYTES = 1 << 20;

export interface RawStart {
  pid: number;
  ppid: number;
  /** Mean bytes between samples; 0: every allocation. */
  interval: number;
}

export interface RawBlock {
  stack: number;
  /** memtrace's JS function id, FUNCTION_NONE or FUNCTION_START_UP. */
  function: number;
  tid: number;
  /** The live table was full: this block's free could not be matched. */
  untracked: boolean;
  /** Requested bytes. */
  size: number;
  /** Bytes this sample stands for (size / probability of sampling it). */
  weight: number;
}

export interface RawFunction {
  id: number;
  name: string;
  file: string;
  line: number;
  column: number;
}

export interface RawSymbol {
  address: bigint;
  symbol: string;
  symbolOffset: number;
  object: string;
  objectOffset: number;
}

/** What the reader hands on, record by record, in file order. */
export interface RawVisitor {
  start(start: RawStart): void;
  /** Return addresses, innermost first. */
  stack(id: number, frames: bigint[]): void;
  alloc(block: RawBlock): void;
  free(block: RawBlock): void;
  function(fn: RawFunction): void;
  symbol(symbol: RawSymbol): void;
  /** The program reached its end: what is live now is live at exit. */
  exit(): void;
  /** A thread still running at the end, and its name (/proc's comm). */
  thread(tid: number, name: string): void;
}

function blockAt(view: DataView, at: number, path: string): RawBlock {
  const weight = view.getFloat64(at + BlockRecord.WEIGHT, true);
  if (!Number.isFinite(weight) || weight < 0)
    throw new TraceFileError(path, `is not a native allocation record (a sample weighs ${weight} bytes)`);
  return {
    stack: view.getUint32(at + BlockRecord.STACK, true),
    function: view.getInt32(at + BlockRecord.FUNCTION, true),
    tid: view.getUint32(at + BlockRecord.TID, true),
    untracked: (view.getUint32(at + BlockRecord.FLAGS, true) & ALLOC_UNTRACKED) !== 0,
    size: Number(view.getBigUint64(at + BlockRecord.SIZE, true)),
    weight,
  };
}

const utf8 = new TextDecoder();

/** Reads `path` record by record into `visitor`; a TraceFileError for a file that is not such a record. */
export function readNativeRaw(path: string, visitor: RawVisitor): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new TraceFileError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    let buffer = Buffer.alloc(CHUNK_BYTES);
    let filled = 0;
    let records = 0;
    for (;;) {
      if (filled === buffer.length) {
        const grown = Buffer.alloc(buffer.length * 2);
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      filled += read;
      const view = new DataView(buffer.buffer, buffer.byteOffset, filled);
      let at = 0;
      while (at + RecordHeader.BYTES <= filled) {
        const kind = view.getUint32(at + RecordHeader.KIND, true);
        const length = view.getUint32(at + RecordHeader.LENGTH, true);
        if (length < RecordHeader.BYTES || length % 8 !== 0)
          throw new TraceFileError(path, `is not a native allocation record (bad record at byte ${at})`);
        if (at + length > filled) break;
        if (records === 0 && kind !== Kind.START) {
          throw new TraceFileError(path, 'is not a native allocation record (no start record)');
        }
        visit(view, buffer, at + RecordHeader.BYTES, length - RecordHeader.BYTES, kind, path, visitor);
        records++;
        at += length;
      }
      buffer.copy(buffer, 0, at, filled);
      filled -= at;
      if (read === 0) break;
    }
    if (records === 0) throw new TraceFileError(path, 'is empty: the process ended before the tracker wrote anything');
  } finally {
    closeSync(fd);
  }
}

/**
 * One record's payload: where it starts, its bytes, and a check that what it says it holds fits in
 * it (a damaged count is an error, never a read past it).
 */
interface Payload {
  view: DataView;
  buffer: Buffer;
  at: number;
  path: string;
  fits(variable: number): void;
}

/** Per kind: the payload bytes before its variable part, and what reads it into the visitor. */
const RECORDS: Record<number, { fixed: number; read(p: Payload, visitor: RawVisitor): void }> = {
  [Kind.START]: { fixed: StartRecord.BYTES, read: readStart },
  [Kind.STACK]: { fixed: StackRecord.BYTES, read: readStack },
  [Kind.ALLOC]: { fixed: BlockRecord.BYTES, read: (p, visitor) => visitor.alloc(blockAt(p.view, p.at, p.path)) },
  [Kind.FREE]: { fixed: BlockRecord.BYTES, read: (p, visitor) => visitor.free(blockAt(p.view, p.at, p.path)) },
  [Kind.FUNCTION]: { fixed: FunctionRecord.BYTES, read: readFunction },
  [Kind.SYMBOL]: { fixed: SymbolRecord.BYTES, read: readSymbol },
  [Kind.EXIT]: { fixed: ExitRecord.BYTES, read: (_, visitor) => visitor.exit() },
  [Kind.THREAD]: { fixed: ThreadRecord.BYTES, read: readThread },
};

function visit(view: DataView, buffer: Buffer, at: number, payload: number, kind: number, path: string, visitor: RawVisitor): void {
  const record = RECORDS[kind];
  const start = at - RecordHeader.BYTES;
  if (record === undefined)
    throw new TraceFileError(path, `is not a native allocation record (unknown record kind ${kind} at byte ${start})`);
  const fits = (variable: number): void => {
    if (record.fixed + variable > payload)
      throw new TraceFileError(path, `is not a native allocation record (a record at byte ${start} is shorter than what it holds)`);
  };
  fits(0);
  record.read({ view, buffer, at, path, fits }, visitor);
}

function readStart({ view, at, path }: Payload, visitor: RawVisitor): void {
  if (view.getUint32(at + StartRecord.MAGIC, true) !== RAW_MAGIC)
    throw new TraceFileError(path, 'is not a native allocation record (no start record)');
  const version = view.getUint32(at + StartRecord.VERSION, true);
  if (version !== RAW_VERSION)
    throw new TraceFileError(path, `was written by another version of the tracker (format ${version}, this memtrace reads ${RAW_VERSION})`);
  visitor.start({
    pid: view.getUint32(at + StartRecord.PID, true),
    ppid: view.getUint32(at + StartRecord.PPID, true),
    interval: view.getFloat64(at + StartRecord.INTERVAL, true),
  });
}

function readStack({ view, at, fits }: Payload, visitor: RawVisitor): void {
  const count = view.getUint32(at + StackRecord.COUNT, true);
  fits(count * 8);
  const frames: bigint[] = [];
  const first = at + StackRecord.BYTES;
  for (let i = 0; i < count; i++) frames.push(view.getBigUint64(first + i * 8, true));
  visitor.stack(view.getUint32(at + StackRecord.ID, true), frames);
}

function readFunction(payload: Payload, visitor: RawVisitor): void {
  const { view, at } = payload;
  const [name, file] = trailingText(payload, FunctionRecord.BYTES, [
    view.getUint32(at + FunctionRecord.NAME_BYTES, true),
    view.getUint32(at + FunctionRecord.FILE_BYTES, true),
  ]);
  visitor.function({
    id: view.getInt32(at + FunctionRecord.ID, true),
    line: view.getUint32(at + FunctionRecord.LINE, true),
    column: view.getUint32(at + FunctionRecord.COLUMN, true),
    name,
    file,
  });
}

function readSymbol(payload: Payload, visitor: RawVisitor): void {
  const { view, at } = payload;
  const [symbol, object] = trailingText(payload, SymbolRecord.BYTES, [
    view.getUint32(at + SymbolRecord.SYMBOL_BYTES, true),
    view.getUint32(at + SymbolRecord.OBJECT_BYTES, true),
  ]);
  visitor.symbol({
    address: view.getBigUint64(at + SymbolRecord.ADDRESS, true),
    symbolOffset: Number(view.getBigUint64(at + SymbolRecord.SYMBOL_OFFSET, true)),
    objectOffset: Number(view.getBigUint64(at + SymbolRecord.OBJECT_OFFSET, true)),
    symbol,
    object,
  });
}

function readThread(payload: Payload, visitor: RawVisitor): void {
  const { view, at } = payload;
  const [name] = trailingText(payload, ThreadRecord.BYTES, [view.getUint32(at + ThreadRecord.NAME_BYTES, true)]);
  visitor.thread(view.getUint32(at + ThreadRecord.TID, true), name);
}

/** The UTF-8 strings that follow a record's fixed part of `fixedBytes`, of the given byte lengths. */
function trailingText({ buffer, at, fits }: Payload, fixedBytes: number, lengths: number[]): string[] {
  fits(lengths.reduce((total, bytes) => total + bytes, 0));
  let from = at + fixedBytes;
  return lengths.map((bytes) => utf8.decode(buffer.subarray(from, (from += bytes))));
}
