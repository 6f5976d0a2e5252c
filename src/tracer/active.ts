/**
 * The tracer of this thread. `memtrace/register` starts it at startup; traceMemory() and label()
 * start one on first use when the program runs without the loader.
 */
import { TraceWriteError } from '../shared/errors.js';
import { settingsFromEnv, type Settings } from '../shared/settings.js';
import { onProcessEnd } from '../runtime/exit-hooks.js';
import { Tracer } from './tracer.js';
import type { CalibrationTransform } from './calibrate.js';

let active: Tracer | undefined;

export function activeTracer(): Tracer | undefined {
  return active;
}

/** How a tracer started here gets its calibration transform: the loader's, for its settings. */
export type TransformFor = (settings: Settings) => CalibrationTransform;

/**
 * The running tracer, or a new one started with `settings` (by default from MEMTRACE_* variables);
 * `transformFor` is loader/transform-module.ts calibrationTransform, passed in by the public API.
 */
export function ensureTracer(transformFor: TransformFor, settings: Settings = settingsFromEnv()): Tracer {
  return active ?? activateTracer(new Tracer(settings, transformFor(settings)));
}

/**
 * Starts `tracer` (made ahead, so its directory is known writable before anything else is set up) as
 * this thread's tracer.
 */
export function activateTracer(tracer: Tracer): Tracer {
  if (active) return active;
  tracer.start();
  active = tracer;
  onProcessEnd({ flush: (reason) => tracer.flush(reason), stop: (reason) => tracer.stop(reason) });
  return tracer;
}

/** Forgets the tracer once it stopped, so a later ensureTracer() starts a new trace. */
export function releaseTracer(tracer: Tracer): void {
  if (active === tracer) active = undefined;
}

let unwritable = false;

/**
 * The running tracer, or a new one; undefined where the trace directory cannot be written (said once
 * on stderr): traceMemory() then leaves functions as they are, and the program runs untraced.
 */
export function tracerOrUntraced(transformFor: TransformFor): Tracer | undefined {
  if (active || unwritable) return active;
  try {
    return ensureTracer(transformFor);
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    unwritable = true;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}
