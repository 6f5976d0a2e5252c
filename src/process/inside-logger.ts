/**
 * The in-process logger (`node --import memtrace/process app.js`, or startProcessLog() in code): what
 * `memtrace process` logs from outside, plus the V8 heap and every GC, written by a worker thread.
 */
import { resolve } from 'node:path';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { ProcessCsvWriter, emptyRow, type ProcessRow } from '../formats/process-csv.js';
import { readProc, sampleRow } from './proc-reader.js';
import { parseIntervalSetting, parseSmapsInterval } from './settings.js';
import { startHeapSampler, type HeapSampler } from './heap-sampler.js';
import type { SamplerMessage, SamplerWorkerData } from './sampler-worker.js';

export interface ProcessLogOptions {
  /** Seconds between samples (default MEMTRACE_PROCESS_INTERVAL, else 0.1). */
  intervalS?: number;
  /** The CSV to write (default MEMTRACE_PROCESS_OUT, else memtrace-process-<pid>.csv). */
  out?: string;
  /** Seconds between USS/PSS reads (default MEMTRACE_PROCESS_SMAPS_INTERVAL, else 1; 0: never). */
  smapsIntervalS?: number;
}

export interface ProcessLog {
  readonly path: string;
  /** 'native' when heap readings keep coming while the main thread is busy; 'js' otherwise. */
  readonly heapSampler: 'native' | 'js';
  /** Resolves once the sampler worker runs (it takes ~0.1 s to start; the first row is written before). */
  readonly ready: Promise<void>;
}

interface Running extends ProcessLog {
  worker: Worker;
  sampler: HeapSampler;
  stopped: Promise<void>;
}

let running: Running | undefined;

function writeFirstRow(path: string, smaps: boolean): void {
  const writer = new ProcessCsvWriter(path, true);
  const proc = readProc(process.pid, { smaps });
  const heap = v8.getHeapStatistics();
  const memory = process.memoryUsage();
  const row: ProcessRow = {
    ...(proc ? sampleRow(0, proc) : emptyRow(0, process.pid, process.ppid, 'node')),
    heapUsed: heap.used_heap_size,
    heapTotal: heap.total_heap_size,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
  };
  writer.write([row]);
  writer.close();
}

/** The log running in this process, if any. */
export function activeProcessLog(): ProcessLog | undefined {
  return running;
}

/** Starts logging this process (or returns the running log). */
export function startProcessLog(options: ProcessLogOptions = {}): ProcessLog {
  if (running) return running;
  const intervalS = options.intervalS ?? parseIntervalSetting(process.env.MEMTRACE_PROCESS_INTERVAL);
  const path = resolve(options.out ?? process.env.MEMTRACE_PROCESS_OUT ?? `memtrace-process-${process.pid}.csv`);
  const smapsIntervalS = options.smapsIntervalS ?? parseSmapsInterval(process.env.MEMTRACE_PROCESS_SMAPS_INTERVAL);
  const startNs = Number(process.hrtime.bigint());
  // The first row comes from here: a worker takes a while (~0.1 s) to start.
  writeFirstRow(path, smapsIntervalS > 0);
  const sampler = startHeapSampler(intervalS);
  const workerData: SamplerWorkerData = {
    buffer: sampler.buffer,
    native: sampler.kind === 'native',
    intervalS,
    out: path,
    smapsIntervalS,
    startNs,
  };
  // No execArgv: the worker must not load --import memtrace/register (or this module) itself; and
  // where NODE_OPTIONS carries it (memtrace run), MEMTRACE_DISABLE keeps it from tracing the worker.
  const worker = new Worker(new URL('./sampler-worker.js', import.meta.url), {
    workerData,
    execArgv: [],
    env: { ...process.env, MEMTRACE_DISABLE: '1' },
  });
  worker.unref();
  const stopped = new Promise<void>((done) => {
    worker.once('exit', () => done());
    worker.once('error', () => done());
  });
  const ready = new Promise<void>((done) => {
    worker.once('message', () => done());
    worker.once('exit', () => done());
  });
  running = { path, heapSampler: sampler.kind, worker, sampler, stopped, ready };
  return running;
}

/** Marks the next row of the running log; false when none runs. */
export function labelProcessLog(text: string): boolean {
  if (!running) return false;
  running.worker.postMessage({ type: 'label', text } satisfies SamplerMessage);
  return true;
}

/** Takes a last sample, closes the CSV and resolves to its path (undefined when no log runs). */
export async function stopProcessLog(): Promise<string | undefined> {
  const log = running;
  if (!log) return undefined;
  running = undefined;
  log.worker.ref(); // keep the program alive until the last rows are written
  log.worker.postMessage({ type: 'stop' } satisfies SamplerMessage);
  await log.stopped;
  log.sampler.stop();
  return log.path;
}
