/**
 * The tracer of this thread. `memtrace/register` starts it at startup; traceMemory() and label()
 * start one on first use when the program runs without the loader.
 */
import { TraceWriteError } from '../errors.js';
import { settingsFromEnv, type Settings } from '../settings.js';
import { onProcessEnd } from './exit-hooks.js';
import { Tracer } from './tracer.js';

let active: Tracer | undefined;

export function activeTracer(): Tracer | undefined {
  return active;
}

/** The running tracer, or a new one started with `settings` (by default from MEMTRACE_* variables). */
export function ensureTracer(settings?: Settings): Tracer {
  return active ?? activateTracer(new Tracer(settings ?? settingsFromEnv()));
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
export function tracerOrUntraced(): Tracer | undefined {
  if (active || unwritable) return active;
  try {
    return ensureTracer();
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    unwritable = true;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}
