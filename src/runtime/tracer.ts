/**
 * A trace of one thread: owns the function table, the per-function totals, the event buffer and its
 * writer thread, and the trace directory (events.csv, functions.csv, meta.json). One tracer is active
 * per thread; the probes of instrumented modules and of traceMemory() report to it.
 */
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId, Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import { EventBuffer, Control } from '../buffer/event-buffer.js';
import { atomicWrite, traceDirectoryName } from '../formats/trace.js';
import { EVENT_HEADER } from '../formats/events-csv.js';
import { formatFunctionsCsv } from '../formats/functions-csv.js';
import { META_VERSION, type Calibration, type TraceMeta } from '../formats/meta.js';
import type { Settings } from '../settings.js';
import { HalfWriter } from '../writer/half-writer.js';
import type { WriterMessage, WriterThreadData } from '../writer/writer-thread.js';
import { memoryCounters, type MemoryCounters } from './counters.js';
import { FunctionStats } from './function-stats.js';
import { Stat } from './probe-layout.js';
import { FunctionTable, type ModuleFunctionEntry } from './function-table.js';
import { closeOpenCalls, configureProbes, currentProbes, measuredCallCount, nativeProbesBound, spaceFieldsFound, setCalibration, setEnabled, statsGrew, writeLabel, type Probes } from './probes.js';
import { calibrate } from './calibrate.js';
import { VERSION } from '../version.js';

/** What instrumented modules find at globalThis.__memtrace$. */
export interface Runtime extends Probes {
  register(file: string, entries: ModuleFunctionEntry[]): number;
}

const HALF_ROWS = 1 << 16;

export interface StopReason {
  reason: string;
  code?: number | string;
}

export class Tracer {
  readonly table = new FunctionTable();
  readonly stats = new FunctionStats();
  readonly labels: string[] = [];
  readonly directory: string;
  private readonly counters: MemoryCounters;
  private readonly buffer = new EventBuffer(HALF_ROWS);
  private readonly eventsFd: number;
  private readonly mainWriter: HalfWriter;
  private writerPort: MessagePort | undefined;
  private writerThread: Worker | undefined;
  /** Functions of the calibration, left out of functions.csv. */
  private readonly internal = new Set<number>();
  private calibration: Calibration = { selfBytes: 0, nestedBytes: 0, selfNs: 0, nestedNs: 0, countedNs: 0, samples: 0 };
  private readonly startTime = new Date();
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(readonly settings: Settings) {
    this.counters = memoryCounters(settings.counters === 'js');
    this.directory = traceDirectoryName(settings.out, this.startTime);
    mkdirSync(this.directory, { recursive: true });
    this.eventsFd = openSync(join(this.directory, 'events.csv'), 'a');
    writeSync(this.eventsFd, EVENT_HEADER);
    this.mainWriter = new HalfWriter(this.buffer.shared, this.eventsFd, this.table.functions, this.labels);
    // Without a writer thread (not started yet, or gone), the traced thread writes a full half itself;
    // with one, it waits for it (a half the writer is formatting is never taken over here).
    this.buffer.onBlocked = () => {
      if (!this.writerRunning) this.mainWriter.writeFull();
    };
  }

  get calibrationFigures(): Calibration {
    return this.calibration;
  }

  get counterKind(): 'native' | 'js' {
    return this.counters.kind;
  }

  /** Installs the probes, calibrates them, and starts the writer thread. */
  start(): this {
    if (this.state !== 'idle') return this;
    this.state = 'running';
    configureProbes(this.counters, this.buffer, this.stats, {
      trigger: this.settings.trigger,
      exact: this.settings.exact,
      rssIntervalNs: this.settings.rssIntervalMs * 1e6,
      nativeProbes: this.settings.counters !== 'js-probes',
    });
    const runtime: Runtime = { ...currentProbes(), register: (file, entries) => this.register(file, entries) };
    // Not enumerable: a program listing its globals does not see memtrace.
    Object.defineProperty(globalThis, '__memtrace$', { value: runtime, enumerable: false, configurable: true, writable: true });
    this.calibration = calibrate(this);
    setCalibration(this.calibration);
    this.startWriterThread();
    this.writeSummaries();
    let seconds = 0;
    // Summaries too, every few seconds, so a SIGKILLed process keeps functions.csv and meta.json as
    // they stood. A timer runs with no traced call on the stack, so what it allocates is nobody's.
    this.flushTimer = setInterval(() => {
      this.handOver();
      if (++seconds % SUMMARY_EVERY_S === 0) this.writeSummaries();
    }, 1000).unref();
    return this;
  }

  register(file: string, entries: readonly ModuleFunctionEntry[]): number {
    const first = this.table.addModule(file, entries);
    this.grow(first + entries.length);
    entries.forEach((entry, i) => this.stats.set(first + i, Stat.LINE, entry[1]));
    return first;
  }

  /** Adds one function (traceMemory, the calibration); `internal` ones are left out of functions.csv. */
  addFunction(name: string, file: string, line: number, column: number, internal = false): number {
    const id = this.table.addFunction(name, file, line, column);
    this.grow(id + 1);
    this.stats.set(id, Stat.LINE, line);
    if (internal) this.internal.add(id);
    return id;
  }

  label(text: string): void {
    if (this.state !== 'running') return;
    const id = this.labels.push(text) - 1;
    this.post({ kind: 'label', id, text });
    writeLabel(id);
  }

  /** Writes every event recorded so far, and functions.csv and meta.json as they stand. */
  flush(exit?: StopReason): void {
    this.buffer.handOverCurrent();
    this.mainWriter.drain(5000);
    this.writeSummaries(exit);
  }

  stop(exit: StopReason = { reason: 'stop' }): void {
    if (this.state !== 'running') return;
    setEnabled(false);
    closeOpenCalls();
    this.flush(exit);
    this.state = 'stopped';
    clearInterval(this.flushTimer);
    Atomics.store(this.buffer.control, Control.Stop, 1);
    Atomics.add(this.buffer.control, Control.Signal, 1);
    Atomics.notify(this.buffer.control, Control.Signal);
    this.writerPort?.close();
    // The disk blocks the writers reserved past the end (half-writer.ts) go back.
    try {
      ftruncateSync(this.eventsFd, fstatSync(this.eventsFd).size);
    } catch {
      // a file system without them
    }
    closeSync(this.eventsFd);
    delete (globalThis as Record<string, unknown>).__memtrace$;
  }

  /** Resets a function's figures (the calibration runs through the real probes). */
  forget(id: number): void {
    this.stats.reset(id);
  }

  /** Leaves a function out of functions.csv. */
  markInternal(id: number): void {
    this.internal.add(id);
  }

  private grow(size: number): void {
    const table = this.stats.table;
    this.stats.ensure(size);
    if (this.stats.table !== table) statsGrew();
  }

  private startWriterThread(): void {
    const { port1, port2 } = new MessageChannel();
    const data: WriterThreadData = {
      shared: this.buffer.shared,
      eventsPath: join(this.directory, 'events.csv'),
      functions: [...this.table.functions],
      labels: [...this.labels],
      port: port2,
    };
    try {
      this.writerThread = new Worker(new URL('../writer/writer-thread.js', import.meta.url), {
        workerData: data,
        transferList: [port2],
        execArgv: [],
        env: { ...process.env, MEMTRACE_DISABLE: '1', NODE_OPTIONS: '' },
        stdout: false,
        stderr: false,
      });
      this.writerThread.unref();
      this.writerThread.on('error', () => (this.writerThread = undefined));
      this.writerThread.on('exit', () => (this.writerThread = undefined));
      this.writerPort = port1;
      this.table.onAdd((first, added) => this.post({ kind: 'functions', first, added: [...added] }));
    } catch {
      // The traced thread writes the halves itself (onBlocked, flush).
      this.writerThread = undefined;
    }
  }

  private get writerRunning(): boolean {
    return this.writerThread !== undefined && Atomics.load(this.buffer.control, Control.WriterReady) === 1;
  }

  private post(message: WriterMessage): void {
    this.writerPort?.postMessage(message);
  }

  /** Hands the rows recorded so far to the writer, so a killed process loses at most a second. */
  private handOver(): void {
    if (this.buffer.pendingRows > 0 && this.writerThread) this.buffer.handOverCurrent();
  }

  private writeSummaries(exit?: StopReason): void {
    const rows = this.stats.rows(this.table.functions, (id) => this.internal.has(id));
    atomicWrite(join(this.directory, 'functions.csv'), formatFunctionsCsv(rows));
    const meta: TraceMeta = {
      version: META_VERSION,
      memtrace: VERSION,
      node: process.version,
      pid: process.pid,
      ppid: process.ppid,
      threadId,
      argv: process.argv,
      startTime: this.startTime.toISOString(),
      endTime: new Date().toISOString(),
      counters: this.counters.kind,
      probes: { lines: this.settings.lines, exact: this.settings.exact, rssIntervalMs: this.settings.rssIntervalMs, measuredPath: nativeProbesBound() ? 'native' : 'js', spaceFields: spaceFieldsFound() },
      trigger: this.settings.trigger,
      calibration: this.calibration,
      events: { measuredCalls: measuredCallCount(), rowsWritten: new Float64Array(this.buffer.sequence)[0]!, writerWaits: this.buffer.waits },
      functions: this.table.size - this.internal.size,
      settings: { ...this.settings },
      ...(exit ? { exit } : {}),
    };
    atomicWrite(join(this.directory, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  }
}

/** How often the summaries are rewritten while the program runs, in seconds. */
const SUMMARY_EVERY_S = 5;
