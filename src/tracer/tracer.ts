/**
 * A trace of one thread: owns the function table, the per-function totals, the event buffer and its
 * writer thread, and the trace directory (events.csv, functions.csv, meta.json). One tracer is active
 * per thread; the probes of instrumented modules and of traceMemory() report to it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { threadId, Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import { EventBuffer, Control } from '../buffer/event-buffer.js';
import { TraceWriteError } from '../shared/errors.js';
import { traceDirectoryName } from '../formats/trace-directory.js';
import { META_VERSION } from '../formats/meta.js';
import { lineProbesOn, type Settings } from '../shared/settings.js';
import { EventsFile } from '../writer/events-file.js';
import { HalfWriter } from '../writer/half-writer.js';
import { buildMeta, createReserve, functionsCsv, releaseReserve, writeSummaries, type MetaBase } from '../writer/summaries.js';
import { faultOf, reportFault } from '../writer/write-faults.js';
import { Fault, Word, WriterState } from '../writer/writer-state.js';
import type { WriterMessage, WriterThreadData } from '../writer/writer-thread.js';
import { memoryCounters, type MemoryCounters } from '../runtime/counters.js';
import { FunctionStats } from '../runtime/function-stats.js';
import { Stat } from '../shared/layouts.js';
import type { Calibration } from '../runtime/calibration.js';
import { FunctionTable, type ModuleFunctionEntry } from '../runtime/function-table.js';
import { measuredCallsIn } from '../writer/summaries.js';
import {
  closeOpenCalls,
  configureProbes,
  currentProbes,
  measuredCallCount,
  nativeProbesBound,
  spaceFieldsFound,
  setCalibration,
  setEnabled,
  statsGrew,
  type Probes,
} from '../runtime/probes.js';
import { writeLabel } from '../runtime/event-rows.js';
import { calibrate, type CalibrationTransform } from './calibrate.js';
import type { StopReason } from '../runtime/exit-hooks.js';
import { VERSION } from '../shared/version.js';
import { outsideNativeMemory, startNativeMemory } from '../runtime/native-memory.js';
import { makeDirectory } from '../shared/make-directory.js';

/** What instrumented modules find at globalThis.__memtrace$. */
export interface Runtime extends Probes {
  register(file: string, entries: ModuleFunctionEntry[]): number;
}

const HALF_ROWS = 1 << 16;

export class Tracer {
  readonly table = new FunctionTable();
  readonly stats: FunctionStats;
  readonly labels: string[] = [];
  readonly directory: string;
  private readonly counters: MemoryCounters;
  private readonly buffer = new EventBuffer(HALF_ROWS);
  /** Shared with the writer thread: rotation, faults, the summaries' lock. */
  private readonly writerState = new WriterState();
  private readonly eventsFile: EventsFile;
  private readonly mainWriter: HalfWriter;
  private writerPort: MessagePort | undefined;
  private writerThread: Worker | undefined;
  /** Functions of the calibration, left out of functions.csv. */
  private readonly internal = new Set<number>();
  private calibration: Calibration = { selfBytes: 0, nestedBytes: 0, selfNs: 0, nestedNs: 0, countedNs: 0, samples: 0 };
  private readonly startTime = new Date();
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private flushTimer: NodeJS.Timeout | undefined;

  /** `transform` instruments the calibration's functions: the loader's (loader/transform-module.ts calibrationTransform). */
  constructor(
    readonly settings: Settings,
    private readonly transform: CalibrationTransform,
  ) {
    this.counters = memoryCounters(settings.counters === 'js');
    this.stats = new FunctionStats(undefined, settings.checkpointMs > 0 ? 'shared' : 'local');
    this.directory = traceDirectoryName(settings.out, this.startTime);
    this.eventsFile = new EventsFile(this.directory, this.writerState, settings.maxTraceSize);
    try {
      makeDirectory(this.directory);
      this.eventsFile.create();
      createReserve(this.directory);
    } catch (error) {
      throw new TraceWriteError(settings.out, realCause(this.directory, error));
    }
    this.mainWriter = new HalfWriter(this.buffer.shared, this.eventsFile, this.table.functions, this.labels);
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
      lines: this.settings.lines ? 'rows' : 'sampled',
      lineProbes: lineProbesOn(this.settings),
    });
    // `memtrace run --native`: the allocation tracker's record joins this trace (after the probes
    // bound, so the tracker reads their shadow stack).
    startNativeMemory(this.directory, this.table);
    const runtime: Runtime = { ...currentProbes(), register: (file, entries) => this.register(file, entries) };
    // Not enumerable: a program listing its globals does not see memtrace.
    Object.defineProperty(globalThis, '__memtrace$', { value: runtime, enumerable: false, configurable: true, writable: true });
    this.calibration = outsideNativeMemory(() => calibrate(this, this.transform));
    setCalibration(this.calibration);
    this.writeSummaries();
    this.startWriterThread();
    let seconds = 0;
    // The writer thread writes checkpoints of the summaries (writer-thread.ts); without one, this
    // thread does, every few seconds. A timer runs with no traced call on the stack, so what it
    // allocates is nobody's; the hand-over and the copy of the waits allocate nothing.
    this.flushTimer = setInterval(() => {
      this.handOver();
      Atomics.store(this.writerState.words, Word.WriterWaits, this.buffer.waits);
      if (!this.writerThread && this.settings.checkpointMs > 0 && ++seconds % SUMMARY_EVERY_S === 0) this.writeSummaries();
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
    if (internal) this.markInternal(id);
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

  /** The last flush: no checkpoint of the writer thread may land after these summaries. */
  private flushFinal(exit: StopReason): void {
    this.buffer.handOverCurrent();
    this.mainWriter.drain(5000);
    this.writeSummaries(exit, true);
  }

  stop(exit: StopReason = { reason: 'stop' }): void {
    if (this.state !== 'running') return;
    setEnabled(false);
    closeOpenCalls();
    this.flushFinal(exit);
    this.state = 'stopped';
    clearInterval(this.flushTimer);
    Atomics.store(this.buffer.control, Control.Stop, 1);
    Atomics.add(this.buffer.control, Control.Signal, 1);
    Atomics.notify(this.buffer.control, Control.Signal);
    this.writerPort?.close();
    // The disk blocks the writers reserved past the end (events-file.ts) go back.
    this.eventsFile.close();
    releaseReserve(this.directory);
    delete (globalThis as Record<string, unknown>).__memtrace$;
  }

  /** functions.csv's text as of now: every call that ended (openCalls() has those still running). */
  functionsTable(): string {
    return functionsCsv(this.stats, this.table.functions, this.internal);
  }

  /** Resets a function's figures (the calibration runs through the real probes). */
  forget(id: number): void {
    this.stats.reset(id);
  }

  /** Leaves a function out of functions.csv. */
  markInternal(id: number): void {
    this.internal.add(id);
    this.post({ kind: 'internal', id });
  }

  private grow(size: number): void {
    const table = this.stats.table;
    this.stats.ensure(size);
    if (this.stats.table === table) return;
    statsGrew();
    const shared = this.stats.shared;
    if (shared) this.post({ kind: 'stats', table: shared });
  }

  private startWriterThread(): void {
    const { port1, port2 } = new MessageChannel();
    const data: WriterThreadData = {
      shared: this.buffer.shared,
      state: this.writerState.shared,
      directory: this.directory,
      maxTraceSize: this.settings.maxTraceSize,
      checkpointMs: this.settings.checkpointMs,
      functions: [...this.table.functions],
      labels: [...this.labels],
      port: port2,
      stats: this.stats.shared,
      internal: [...this.internal],
      meta: this.metaBase(),
      measuredCallsBefore: measuredCallCount() - measuredCallsIn(this.stats),
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

  /** meta.json's fields that stay as they are while the program runs. */
  private metaBase(): MetaBase {
    return {
      version: META_VERSION,
      memtrace: VERSION,
      node: process.version,
      pid: process.pid,
      ppid: process.ppid,
      threadId,
      argv: process.argv,
      startTime: this.startTime.toISOString(),
      counters: this.counters.kind,
      probes: {
        lines: this.settings.lines,
        exact: this.settings.exact,
        rssIntervalMs: this.settings.rssIntervalMs,
        measuredPath: nativeProbesBound() ? 'native' : 'js',
        spaceFields: spaceFieldsFound(),
      },
      trigger: this.settings.trigger,
      calibration: this.calibration,
      settings: { ...this.settings },
    };
  }

  /**
   * functions.csv and meta.json: with `exit`, as the process ends (`last`) or after a signal the
   * program handles; a checkpoint from this thread otherwise (at start, and where no writer thread
   * runs). Never throws: a fault is reported once, the program goes on.
   */
  private writeSummaries(exit?: StopReason, last = false): void {
    const state = this.writerState;
    if (state.fault === Fault.DirectoryDeleted) return;
    const write = (): void => {
      const meta = buildMeta(
        this.metaBase(),
        {
          measuredCalls: measuredCallCount(),
          writerWaits: this.buffer.waits,
          functions: this.table.size - this.internal.size,
        },
        state,
        last ? 'final' : 'checkpoint',
        exit,
      );
      writeSummaries(this.directory, functionsCsv(this.stats, this.table.functions, this.internal), meta, exit !== undefined);
    };
    try {
      if (!exit) {
        state.tryCheckpoint(write);
        return;
      }
      state.beginFinal(2000);
      try {
        write();
      } finally {
        // The program handled the signal and goes on: checkpoints go on too.
        if (!last) state.endFinal();
      }
    } catch (error) {
      const fault = faultOf(error);
      reportFault(state, fault, join(this.directory, fault === Fault.DirectoryDeleted ? 'meta.json' : 'functions.csv'), error);
    }
  }
}

/**
 * Node's recursive mkdir reports ENOENT for a parent it could not make (a read-only file system, a
 * parent without write permission): making the directory itself says why.
 */
function realCause(directory: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return error;
  try {
    mkdirSync(directory);
  } catch (direct) {
    return direct;
  }
  return error;
}

/** How often the summaries are rewritten while the program runs, in seconds. */
const SUMMARY_EVERY_S = 5;
