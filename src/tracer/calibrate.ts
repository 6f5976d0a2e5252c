/**
 * Calibration: what the probes themselves cost one measured call, in bytes and ns, measured by running
 * instrumented functions (instrumented by the real transform, so the probes are the real ones) many
 * times. The figures are subtracted from every call: an empty traced function then reports 0 bytes.
 * The transform comes from whoever starts the tracer (loader/transform-module.ts calibrationTransform):
 * the loader owns the transform and its cache, and keys the calibration's code as it keys modules.
 */
import vm from 'node:vm';
import { setCalibration, setExact, setTrigger } from '../runtime/probes.js';
import { Stat } from '../shared/layouts.js';
import type { Calibration } from '../runtime/calibration.js';
import type { Tracer } from './tracer.js';
import type { FunctionStats } from '../runtime/function-stats.js';

/** Instruments `source` as a script named `filename`, as the loader instruments a module (no line probes). */
export type CalibrationTransform = (source: string, filename: string) => string;

const CALIBRATION_FILE = '<memtrace calibration>';
const SOURCE = `function empty() {}
function outer(n) { for (let i = 0; i < n; i++) empty(); }`;

const BATCHES = 15;
const CALLS = 2000;

export function calibrate(tracer: Tracer, transform: CalibrationTransform): Calibration {
  const calls = loadCalibrationCode(tracer, transform);
  const first = calls.ids.empty;
  setCalibration(null);
  setExact(true);
  setTrigger(Infinity);
  try {
    warmProbes(tracer.stats, calls);
    const { self, nested } = measureMeasuredCalls(tracer, calls);
    const countedNs = measureCountedCalls(tracer.stats, calls, self.ns);
    return {
      selfBytes: self.bytes,
      nestedBytes: nested.bytes,
      selfNs: self.ns,
      nestedNs: nested.ns,
      countedNs,
      samples: BATCHES * CALLS * 3,
    };
  } finally {
    setExact(tracer.settings.exact);
    setTrigger(tracer.settings.trigger);
    for (let id = first; id < tracer.table.size; id++) {
      tracer.forget(id);
      tracer.markInternal(id);
    }
  }
}

/** The two instrumented functions the calibration calls, and their function ids. */
interface CalibrationCalls {
  empty: () => void;
  outer: (n: number) => void;
  ids: { empty: number; outer: number };
}

function loadCalibrationCode(tracer: Tracer, transform: CalibrationTransform): CalibrationCalls {
  const code = transform(SOURCE, CALIBRATION_FILE);
  const first = tracer.table.size;
  setTrigger(Infinity);
  // Evaluated inside a function so the preamble's variables stay out of the global scope.
  const { empty, outer } = (
    vm.runInThisContext(`(function () {${code}\nreturn { empty, outer };})`, { filename: CALIBRATION_FILE }) as () => {
      empty: () => void;
      outer: (n: number) => void;
    }
  )();
  return { empty, outer, ids: { empty: first, outer: first + 1 } };
}

/**
 * Runs every path of the probes (measured, counted, resampled, demoted) so the program's first calls
 * run them optimised, as the calibration does: interpreted code boxes its doubles.
 */
function warmProbes(stats: FunctionStats, { outer, ids }: CalibrationCalls): void {
  setExact(false);
  for (let i = 0; i < 40; i++) outer(2000);
  stats.promote(ids.empty);
  setExact(true);
  for (let i = 0; i < 30; i++) outer(500);
}

interface Cost {
  bytes: number;
  ns: number;
}

/** What a measured call's probes cost the call itself (self) and each measured call around it (nested). */
function measureMeasuredCalls(tracer: Tracer, calls: CalibrationCalls): { self: Cost; nested: Cost } {
  // Bytes: with the native counters the median (a batch can catch a background compiler thread taking
  // a V8 allocation area, on Node 24); with the JS counters the mean (their cost per reading is lumpy:
  // a GC sync's garbage lands in one batch, and every run pays it).
  const typicalBytes = tracer.counterKind === 'native' ? median : mean;
  const stats = tracer.stats;
  const { empty, outer, ids } = calls;
  const measure = () => {
    const selfBytes: number[] = [];
    const selfNs: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const bytes0 = stats.get(ids.empty, Stat.TOTAL_ALLOC);
      const ns0 = stats.get(ids.empty, Stat.TOTAL_TIME);
      for (let i = 0; i < CALLS; i++) empty();
      selfBytes.push((stats.get(ids.empty, Stat.TOTAL_ALLOC) - bytes0) / CALLS);
      selfNs.push((stats.get(ids.empty, Stat.TOTAL_TIME) - ns0) / CALLS);
    }
    // Time: the fastest batch, the probes' cost without interference (the hooks thread, the JIT, other
    // processes); a median taken on a busy start-up over-subtracts from every later call.
    const self = { bytes: typicalBytes(selfBytes), ns: Math.min(...selfNs) };
    const nestedBytes: number[] = [];
    const nestedNs: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const bytes0 = stats.get(ids.outer, Stat.TOTAL_ALLOC);
      const ns0 = stats.get(ids.outer, Stat.TOTAL_TIME);
      outer(CALLS);
      nestedBytes.push((stats.get(ids.outer, Stat.TOTAL_ALLOC) - bytes0 - self.bytes) / CALLS);
      nestedNs.push((stats.get(ids.outer, Stat.TOTAL_TIME) - ns0 - self.ns) / CALLS);
    }
    return { self, nested: { bytes: typicalBytes(nestedBytes), ns: Math.min(...nestedNs) } };
  };
  const { self, nested } = measure();
  return { self, nested };
}

/** What a counted call's probes cost the measured call around it, ns: the function demoted for good. */
function measureCountedCalls(stats: FunctionStats, { outer, ids }: CalibrationCalls, selfNs: number): number {
  setExact(false);
  stats.countFor(ids.empty, 2 ** 30);
  stats.promote(ids.outer);
  const countedNs: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const ns0 = stats.get(ids.outer, Stat.TOTAL_TIME);
    outer(CALLS);
    countedNs.push((stats.get(ids.outer, Stat.TOTAL_TIME) - ns0 - selfNs) / CALLS);
  }
  return Math.max(0, Math.min(...countedNs));
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}
