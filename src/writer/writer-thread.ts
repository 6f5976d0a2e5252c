/**
 * The writer thread: formats the event buffer's full halves into events.csv while the program runs,
 * and writes checkpoints of functions.csv and meta.json about once a second while something changed,
 * so formatting and file writes stay off the traced thread and its heap.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { ignoreThreadInNativeRecord } from '../shared/native-addon.js';
import { Control, type EventBufferShared } from '../buffer/event-buffer.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { FunctionStats } from '../runtime/function-stats.js';
import { EventsFile } from './events-file.js';
import { HalfWriter } from './half-writer.js';
import { buildMeta, functionsCsv, measuredCallsIn, statsSignature, writeSummaries, type MetaBase } from './summaries.js';
import { faultOf, reportFault } from './write-faults.js';
import { Fault, Word, WriterState, type WriterStateShared } from './writer-state.js';

export interface WriterThreadData {
  shared: EventBufferShared;
  state: WriterStateShared;
  directory: string;
  /** Cap on the events files together, in bytes (0: none). */
  maxTraceSize: number;
  /** Interval of the summaries' checkpoints (ms; 0: none). */
  checkpointMs: number;
  functions: FunctionInfo[];
  labels: string[];
  port: MessagePort;
  /** The function totals (none without checkpoints), the ids left out of functions.csv, and meta.json's fixed part. */
  stats: SharedArrayBuffer | undefined;
  internal: number[];
  meta: MetaBase;
  /** Measured calls the probes counted that no function's totals hold (the calibration's). */
  measuredCallsBefore: number;
}

/** Messages from the traced thread: functions as modules register, label texts, a grown stats table. */
export type WriterMessage =
  | { kind: 'functions'; first: number; added: FunctionInfo[] }
  | { kind: 'label'; id: number; text: string }
  | { kind: 'stats'; table: SharedArrayBuffer }
  | { kind: 'internal'; id: number };

const data = workerData as WriterThreadData;
// memtrace's own mallocs are not the program's (`memtrace run --native`).
ignoreThreadInNativeRecord();
const { shared, directory, functions, labels, port } = data;
const state = new WriterState(data.state);
const writer = new HalfWriter(shared, new EventsFile(directory, state, data.maxTraceSize), functions, labels);
let stats = new FunctionStats(data.stats);
const internal = new Set(data.internal);
const sequence = new Float64Array(shared.sequence);

function apply(m: WriterMessage): void {
  if (m.kind === 'functions') {
    m.added.forEach((info, i) => {
      functions[m.first + i] = info;
      writer.formatter.invalidate(m.first + i);
    });
  } else if (m.kind === 'label') {
    labels[m.id] = m.text;
  } else if (m.kind === 'stats') {
    stats = new FunctionStats(m.table);
  } else {
    internal.add(m.id);
  }
}

/** Messages sent before a hand-over are taken synchronously, so a half never names an unknown function. */
function drainMessages(): void {
  for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) apply(message.message as WriterMessage);
}

let written = Number.NaN;
const quotedNames = new Map<string, string>();

/** functions.csv and meta.json as they stand, where a figure changed since the last checkpoint. */
function checkpoint(): void {
  if (state.fault !== Fault.None) return;
  drainMessages();
  const signature = statsSignature(stats, functions.length) + sequence[0] + internal.size;
  if (signature === written) return;
  try {
    const wrote = state.tryCheckpoint(() => {
      const meta = buildMeta(
        data.meta,
        {
          measuredCalls: data.measuredCallsBefore + measuredCallsIn(stats),
          writerWaits: Atomics.load(state.words, Word.WriterWaits),
          functions: functions.length - internal.size,
        },
        state,
        'checkpoint',
      );
      writeSummaries(directory, functionsCsv(stats, functions, internal, quotedNames), meta, false);
    });
    if (wrote) written = signature;
  } catch (error) {
    const fault = faultOf(error);
    reportFault(state, fault, `${directory}/${fault === Fault.DirectoryDeleted ? 'meta.json' : 'functions.csv'}`, error);
  }
}

// Listening keeps this thread alive while it waits (a pending Atomics.waitAsync alone does not); the
// traced thread unrefs the worker, so the process still exits when the program is done.
port.on('message', apply);
/**
 * Checkpoints at the interval, and never more than 5 % of this thread's time: a program of tens of
 * thousands of functions takes tens of milliseconds to format, so its checkpoints space out.
 */
const CHECKPOINT_SHARE = 0.05;
let checkpoints: NodeJS.Timeout | undefined;
function scheduleCheckpoint(delayMs: number): void {
  checkpoints = setTimeout(() => {
    const start = performance.now();
    checkpoint();
    scheduleCheckpoint(Math.max(data.checkpointMs, (performance.now() - start) / CHECKPOINT_SHARE));
  }, delayMs);
}
if (data.checkpointMs > 0 && data.stats) scheduleCheckpoint(data.checkpointMs);

async function run(): Promise<void> {
  const control = writer.control;
  Atomics.store(control, Control.WriterReady, 1);
  for (;;) {
    const seen = Atomics.load(control, Control.Signal);
    drainMessages();
    for (const half of writer.pending()) {
      if (!writer.tryWrite(half)) break;
    }
    if (Atomics.load(control, Control.Stop) === 1) {
      clearTimeout(checkpoints);
      port.close();
      return;
    }
    const wait = Atomics.waitAsync(control, Control.Signal, seen);
    if (wait.async) await wait.value;
  }
}

void run();
