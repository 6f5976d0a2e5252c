/**
 * native-raw.bin (native-<pid>.raw before the process's trace directory exists): the records the
 * native allocation tracker (native/preload/memtrace-native.c) appends during a `memtrace run --native`.
 * The layout is native/preload/records.h; this reader mirrors it. Read a chunk at a time, so a file of
 * any size takes bounded memory; a record cut short at the end (the process was killed mid-write) is
 * left out.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TraceFileError } from '../shared/errors.js';
import { NATIVE_RAW_FILE } from '../runtime/native-memory.js';

export const RAW_FILE = NATIVE_RAW_FILE;
/** No measured JS function: another thread, or outside any measured call. */
export const FUNCTION_NONE = -1;
/** The main thread before memtrace's runtime started (Node's start-up, memtrace's own loading). */
export const FUNCTION_START_UP = -2;
const RAW_MAGIC = 0x4e54524d;
const RAW_VERSION = 1;
const HEADER_BYTES = 8;
const CHUNK_BYTES = 1 << 20;

const enum Kind {
  Start = 1,
  Stack = 2,
  Alloc = 3,
  Free = 4,
  Function = 5,
  Symbol = 6,
  Exit = 7,
  Thread = 8,
}

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
  const weight = view.getFloat64(at + 24, true);
  if (!Number.isFinite(weight) || weight < 0)
    throw new TraceFileError(path, `is not a native allocation record (a sample weighs ${weight} bytes)`);
  return {
    stack: view.getUint32(at, true),
    function: view.getInt32(at + 4, true),
    tid: view.getUint32(at + 8, true),
    untracked: (view.getUint32(at + 12, true) & 1) !== 0,
    size: Number(view.getBigUint64(at + 16, true)),
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
      while (at + HEADER_BYTES <= filled) {
        const kind = view.getUint32(at, true);
        const length = view.getUint32(at + 4, true);
        if (length < HEADER_BYTES || length % 8 !== 0)
          throw new TraceFileError(path, `is not a native allocation record (bad record at byte ${at})`);
        if (at + length > filled) break;
        if (records === 0 && kind !== Kind.Start) {
          throw new TraceFileError(path, 'is not a native allocation record (no start record)');
        }
        visit(view, buffer, at + HEADER_BYTES, length - HEADER_BYTES, kind, path, visitor);
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

/** The payload bytes each kind needs before its variable part. */
const FIXED_BYTES: Record<number, number> = {
  [Kind.Start]: 32,
  [Kind.Stack]: 8,
  [Kind.Alloc]: 32,
  [Kind.Free]: 32,
  [Kind.Function]: 24,
  [Kind.Symbol]: 32,
  [Kind.Exit]: 8,
  [Kind.Thread]: 8,
};

function visit(view: DataView, buffer: Buffer, at: number, payload: number, kind: number, path: string, visitor: RawVisitor): void {
  const fixed = FIXED_BYTES[kind];
  if (fixed === undefined)
    throw new TraceFileError(path, `is not a native allocation record (unknown record kind ${kind} at byte ${at - HEADER_BYTES})`);
  // What the record says it holds must fit in it: a damaged count is an error, never a read past it.
  const fits = (variable: number): void => {
    if (fixed + variable > payload)
      throw new TraceFileError(
        path,
        `is not a native allocation record (a record at byte ${at - HEADER_BYTES} is shorter than what it holds)`,
      );
  };
  fits(0);
  switch (kind) {
    case Kind.Start: {
      if (view.getUint32(at, true) !== RAW_MAGIC) throw new TraceFileError(path, 'is not a native allocation record (no start record)');
      const version = view.getUint32(at + 4, true);
      if (version !== RAW_VERSION)
        throw new TraceFileError(
          path,
          `was written by another version of the tracker (format ${version}, this memtrace reads ${RAW_VERSION})`,
        );
      visitor.start({ pid: view.getUint32(at + 8, true), ppid: view.getUint32(at + 12, true), interval: view.getFloat64(at + 24, true) });
      break;
    }
    case Kind.Stack: {
      const id = view.getUint32(at, true);
      const count = view.getUint32(at + 4, true);
      fits(count * 8);
      const frames: bigint[] = [];
      for (let i = 0; i < count; i++) frames.push(view.getBigUint64(at + 8 + i * 8, true));
      visitor.stack(id, frames);
      break;
    }
    case Kind.Alloc:
      visitor.alloc(blockAt(view, at, path));
      break;
    case Kind.Free:
      visitor.free(blockAt(view, at, path));
      break;
    case Kind.Function: {
      const nameBytes = view.getUint32(at + 12, true);
      const fileBytes = view.getUint32(at + 16, true);
      fits(nameBytes + fileBytes);
      const text = at + 24;
      visitor.function({
        id: view.getInt32(at, true),
        line: view.getUint32(at + 4, true),
        column: view.getUint32(at + 8, true),
        name: utf8.decode(buffer.subarray(text, text + nameBytes)),
        file: utf8.decode(buffer.subarray(text + nameBytes, text + nameBytes + fileBytes)),
      });
      break;
    }
    case Kind.Symbol: {
      const symbolBytes = view.getUint32(at + 24, true);
      const objectBytes = view.getUint32(at + 28, true);
      fits(symbolBytes + objectBytes);
      const text = at + 32;
      visitor.symbol({
        address: view.getBigUint64(at, true),
        symbolOffset: Number(view.getBigUint64(at + 8, true)),
        objectOffset: Number(view.getBigUint64(at + 16, true)),
        symbol: utf8.decode(buffer.subarray(text, text + symbolBytes)),
        object: utf8.decode(buffer.subarray(text + symbolBytes, text + symbolBytes + objectBytes)),
      });
      break;
    }
    case Kind.Exit:
      visitor.exit();
      break;
    case Kind.Thread: {
      const nameBytes = view.getUint32(at + 4, true);
      fits(nameBytes);
      visitor.thread(view.getUint32(at, true), utf8.decode(buffer.subarray(at + 8, at + 8 + nameBytes)));
      break;
    }
  }
}
