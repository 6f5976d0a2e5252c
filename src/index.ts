/**
 * memtrace's library API. The tracer itself starts with `node --import memtrace/register app.js` (or
 * `memtrace run`); what is here traces selected functions without the loader, marks moments, and
 * reads the files a trace writes.
 */
import { activeTracer, ensureTracer, releaseTracer } from './runtime/active.js';
import type { Settings } from './settings.js';
import { settingsFromEnv } from './settings.js';
import type { Tracer } from './runtime/tracer.js';

export { traceMemory, type TraceMemoryOptions } from './trace-memory.js';
export { Tracer } from './runtime/tracer.js';
export { settingsFromEnv, settingsToEnv, type Settings } from './settings.js';
export { MemtraceError, SettingError, ParseError, TraceFileError } from './errors.js';
export { readEventsCsv, EVENT_COLUMNS, type EventRow, type EventKind } from './formats/events-csv.js';
export { readFunctionsCsv, FUNCTION_COLUMNS, type FunctionRow } from './formats/functions-csv.js';
export { readMeta, type TraceMeta, type Calibration } from './formats/meta.js';
export { readTrace, findTraces, type Trace } from './formats/trace.js';

/** Writes a label row into events.csv (cPyMemTrace's message lines), starting a trace if none runs. */
export function label(text: string): void {
  ensureTracer().label(text);
}

/** Starts tracing this thread (what --import memtrace/register does), or returns the running tracer. */
export function startTracing(settings: Partial<Settings> = {}): Tracer {
  return ensureTracer({ ...settingsFromEnv(), ...settings });
}

/** Stops this thread's tracer and writes its files; returns its directory. */
export function stopTracing(): string | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  tracer.stop();
  releaseTracer(tracer);
  return tracer.directory;
}

// traceAllocations (issue 4): V8's sampled allocations by statement, function and stack.
export { traceAllocations, takeAllocationSnapshot, startAllocationSampling, stopAllocationSampling, AllocationResult, type TraceAllocationsOptions, type AllocationSamplingOptions } from './alloc/trace-allocations.js';
export { AllocationSnapshot } from './alloc/snapshot.js';
export { Statistic, StatisticDiff, type StatisticKey } from './alloc/statistic.js';
export { Filter, type FilterSpec, type FilterInput } from './alloc/filter.js';
export type { Frame, FrameKind } from './alloc/frames.js';
export type { SnapshotData, AllocationTrace, StackNode, LineMethod, Compensation } from './alloc/model.js';
export { readAllocationRun, hasAllocations, ALLOCATION_FILES, type AllocationRun, type AllocationMeta } from './formats/allocation-run.js';
export { readAllocationsCsv, ALLOCATION_COLUMNS, type AllocationRow } from './formats/allocations-csv.js';
export { readStacksCsv, stackOf, STACK_COLUMNS, type StackRow } from './formats/stacks-csv.js';
export { readHeapProfile } from './formats/heapprofile.js';
export { readSpeedscope, type SpeedscopeFile } from './formats/speedscope.js';
export { readPprof } from './formats/pprof.js';
export type { SamplingHeapProfile, SamplingHeapProfileNode, SamplingHeapProfileSample, CallFrame } from './alloc/sampler.js';
