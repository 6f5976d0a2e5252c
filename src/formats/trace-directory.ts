/**
 * A trace directory as one value: its meta.json, functions.csv, and where its events files are (the
 * reports stream them with readEventFileBatches; events() reads them whole, for small traces and tests).
 */
import { existsSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import { TraceFileError } from '../shared/errors.js';
import { readEventsCsv, type EventRow } from './events-csv.js';
import { readFunctionsCsv, type FunctionRow } from './functions-csv.js';
import { readMeta, type TraceMeta } from './meta.js';

export interface Trace {
  directory: string;
  meta: TraceMeta;
  functions: FunctionRow[];
  /** Its events files, oldest rows first (several where --max-trace-size rotated them): stream them with readEventFileBatches. */
  eventFiles: string[];
  events(): EventRow[];
}

export function readTrace(directory: string): Trace {
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new TraceFileError(directory, 'not a trace directory');
  return {
    directory,
    meta: readMeta(join(directory, 'meta.json')),
    functions: readFunctionsCsv(join(directory, 'functions.csv')),
    eventFiles: eventFiles(directory),
    events: () => eventFiles(directory).flatMap((file) => readEventsCsv(file)),
  };
}

/**
 * The events files of a trace, oldest rows first: events.3.csv … events.1.csv, then events.csv.
 * A trace written under --max-trace-size has several (rotated; each has the header, and `seq` goes on
 * from one to the next); any other has events.csv alone.
 */
export function eventFiles(directory: string): string[] {
  const rotated = existsSync(directory)
    ? readdirSync(directory)
        .map((name) => /^events\.(\d+)\.csv$/.exec(name))
        .filter((m) => m !== null)
    : [];
  rotated.sort((a, b) => Number(b[1]) - Number(a[1]));
  return [...rotated.map((m) => join(directory, m[0])), join(directory, 'events.csv')];
}

/** The memtrace-<pid>-<time> directories under `parent`, oldest first. */
export function findTraces(parent: string): string[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .filter((name) => name.startsWith('memtrace-'))
    .map((name) => join(parent, name))
    .filter((path) => statSync(path).isDirectory())
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

/** The directory a process (or worker thread) started at `start` writes under `out`: memtrace-<pid>[-t<thread>]-<UTC time>. */
export function traceDirectoryName(out: string, start: Date): string {
  const stamp = start
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return join(out, `memtrace-${process.pid}${isMainThread ? '' : `-t${threadId}`}-${stamp}`);
}

/** Writes a whole file or nothing: a reader never sees half a CSV. */
export function atomicWrite(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
