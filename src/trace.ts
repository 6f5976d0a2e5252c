/**
 * `memtrace/trace`: the tracer's API alone (traceMemory, label, startTracing/stopTracing, Tracer),
 * without the rest of the library. A program that only marks or traces functions loads 34 modules
 * instead of 103 (47-60 ms instead of 82-96 ms to import here), and fewer compile jobs of freshly loaded
 * code are left for V8 to finish inside its first traced calls (docs/accuracy.md). `memtrace` exports
 * all of it too.
 */
import { activeTracer, ensureTracer, releaseTracer } from './tracer/active.js';
import type { Settings } from './shared/settings.js';
import { settingsFromEnv } from './shared/settings.js';
import type { Tracer } from './tracer/tracer.js';
import { labelProcessLog } from './process/inside-logger.js';
import { calibrationTransform } from '../loader/transform-module.js';

export { traceMemory, type TraceMemoryOptions } from './trace-memory.js';
export { Tracer } from './tracer/tracer.js';

/**
 * Marks this moment in whatever memtrace runs in this process: a label row in the tracer's events.csv
 * (cPyMemTrace's message lines) and/or the label of the process log's next row. When nothing runs it
 * starts nothing (a label left in code costs nothing in production) and returns false.
 */
export function label(text: string): boolean {
  const tracer = activeTracer();
  tracer?.label(text);
  const logged = labelProcessLog(text);
  return tracer !== undefined || logged;
}

/** Starts tracing this thread (what --import memtrace/register does), or returns the running tracer. */
export function startTracing(settings: Partial<Settings> = {}): Tracer {
  return ensureTracer(calibrationTransform, { ...settingsFromEnv(), ...settings });
}

/** Stops this thread's tracer and writes its files; returns its directory. */
export function stopTracing(): string | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  tracer.stop();
  releaseTracer(tracer);
  return tracer.directory;
}
