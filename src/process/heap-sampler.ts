/**
 * The main thread's half of the in-process logger: makes its V8 heap figures and its GCs readable by
 * the sampler worker through one SharedArrayBuffer (layout below, shared with native/memtrace.cc).
 *
 * Native (the addon): the worker asks for each reading and the main thread answers from an interrupt
 * or the event loop, so readings keep coming while it runs a long synchronous loop; GCs come from V8's
 * GC callbacks with the heap before and after. Pure JS (no addon, or MEMTRACE_NO_NATIVE=1): a timer
 * on the main thread writes a reading each interval and a PerformanceObserver writes each GC, so while
 * the main thread is blocked the heap cells stay empty (the worker still logs RSS and the rest from
 * /proc) and GCs arrive late (with their own start times) and without bytes before/after.
 */
import { loadNativeAddon } from '../shared/native-addon.js';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';

export const enum Slot {
  Requested = 0,
  Done,
  SampleTimeNs,
  HeapUsed,
  HeapTotal,
  External,
  ArrayBuffers,
  GcWritten,
  GcHeaderEnd = 16,
}
export const GC_FIELDS = 5;
export const GC_RING = 1024;
export const SAMPLER_SLOTS = Slot.GcHeaderEnd + GC_FIELDS * GC_RING;

export interface SamplerBinding {
  startSampler(buffer: SharedArrayBuffer): boolean;
  stopSampler(): void;
  requestSample(): boolean;
}

/** The addon's sampler functions in this thread, or null (no addon, or MEMTRACE_NO_NATIVE=1). */
export function loadSamplerBinding(): SamplerBinding | null {
  const binding = loadNativeAddon() as Partial<SamplerBinding> | null;
  return typeof binding?.startSampler === 'function' ? (binding as SamplerBinding) : null;
}

export interface HeapSampler {
  readonly kind: 'native' | 'js';
  readonly buffer: SharedArrayBuffer;
  stop(): void;
}

/** Node's 'gc' entry kinds as the log names them (minor: scavenge or minor mark-sweep). */
function gcKindCode(kind: number): number {
  return kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR
    ? 2
    : kind === perfConstants.NODE_PERFORMANCE_GC_MINOR
      ? 1
      : kind === perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL
        ? 3
        : 4;
}

/** Starts publishing this thread's heap figures for a sampler worker that reads every `intervalS`. */
export function startHeapSampler(intervalS: number): HeapSampler {
  const buffer = new SharedArrayBuffer(SAMPLER_SLOTS * 8);
  const values = new Float64Array(buffer);
  const binding = loadSamplerBinding();
  if (binding?.startSampler(buffer)) return { kind: 'native', buffer, stop: () => binding.stopSampler() };

  const read = (): void => {
    const stats = v8.getHeapStatistics();
    const memory = process.memoryUsage();
    values[Slot.SampleTimeNs] = Number(process.hrtime.bigint());
    values[Slot.HeapUsed] = stats.used_heap_size;
    values[Slot.HeapTotal] = stats.total_heap_size;
    values[Slot.External] = memory.external;
    values[Slot.ArrayBuffers] = memory.arrayBuffers;
    values[Slot.Done] = values[Slot.Done] + 1;
  };
  read();
  const timer = setInterval(read, intervalS * 1000);
  timer.unref();
  // performance.timeOrigin + startTime is wall-clock ms; the log's clock is monotonic ns.
  const monotonicMinusWallNs = Number(process.hrtime.bigint()) - (performance.timeOrigin + performance.now()) * 1e6;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
      const written = values[Slot.GcWritten];
      const at = Slot.GcHeaderEnd + (written % GC_RING) * GC_FIELDS;
      values[at] = gcKindCode(entry.detail?.kind ?? 0);
      values[at + 1] = (performance.timeOrigin + entry.startTime) * 1e6 + monotonicMinusWallNs;
      values[at + 2] = entry.duration * 1e6;
      values[at + 3] = Number.NaN;
      values[at + 4] = Number.NaN;
      values[Slot.GcWritten] = written + 1;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    kind: 'js',
    buffer,
    stop: () => {
      clearInterval(timer);
      observer.disconnect();
    },
  };
}
