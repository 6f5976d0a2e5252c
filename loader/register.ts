/**
 * `node --import memtrace/register app.js`: starts this thread's tracer (settings from MEMTRACE_*
 * variables) and installs the module hooks that instrument every traced module.
 */
import { accessSync, constants } from 'node:fs';
import { MemtraceError, TraceWriteError } from '../src/shared/errors.js';
import { activateTracer } from '../src/tracer/active.js';
import { Tracer } from '../src/tracer/tracer.js';
import { lineProbesOn, settingsFromEnv } from '../src/shared/settings.js';
import { installHooks } from './install-hooks.js';
import { startRunRecording } from '../src/alloc/run-recorder.js';
import { calibrationTransform, createTransformer } from './transform-module.js';
import { measuredCallOpen } from '../src/runtime/probes.js';
import { installOriginalFunctionText } from '../src/runtime/function-source.js';
import { traceDirectoryName } from '../src/formats/trace-directory.js';
import { makeDirectory } from '../src/shared/make-directory.js';

if (process.env.MEMTRACE_DISABLE !== '1') {
  try {
    const settings = settingsFromEnv();
    // Allocation sampling alone (`--alloc-only`) needs no probes: the tracer stays off.
    const tracing = !settings.alloc || lineProbesOn(settings);
    // The trace directory first: where it cannot be written, the program runs untraced (one line).
    const tracer = tracing ? untracedWhereUnwritable(() => new Tracer(settings, calibrationTransform(settings))) : undefined;
    // Hooks next: on Node 20 they connect the hooks thread, where calibration then transforms too.
    if (tracer) installHooks(createTransformer(settings, measuredCallOpen), new URL('./esm-hooks.js', import.meta.url));
    if (tracer) installOriginalFunctionText();
    if (tracer) activateTracer(tracer);
    // --alloc alone writes its directory at exit; an OOM report needs its name now.
    const allocDirectory = !tracer && settings.oomReport ? traceDirectoryName(settings.out, new Date()) : undefined;
    const recording =
      settings.alloc && (tracer || (!tracing && untracedWhereUnwritable(() => checkWritable(allocDirectory ?? settings.out))))
        ? startRunRecording(settings, tracer ? () => tracer.directory : allocDirectory !== undefined ? () => allocDirectory : undefined)
        : undefined;
    const oomDirectory = tracer?.directory ?? (recording ? allocDirectory : undefined);
    // Loaded only when asked for: the process log and the report's writers are no traced run's start-up cost.
    if (settings.oomReport && oomDirectory)
      (await import('../src/oom/start.js')).startOomReport({
        directory: oomDirectory,
        snapshot: settings.oomSnapshot === 'auto',
        ...(tracer ? { tracer } : {}),
        ...(recording ? { recording } : {}),
      });
  } catch (error) {
    if (!(error instanceof MemtraceError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

/** Allocation sampling alone writes its directory at exit: whether it can is known now. */
function checkWritable(out: string): true {
  try {
    makeDirectory(out);
    accessSync(out, constants.W_OK);
    return true;
  } catch (error) {
    throw new TraceWriteError(out, error);
  }
}

function untracedWhereUnwritable<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}
