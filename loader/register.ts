/**
 * `node --import memtrace/register app.js`: starts this thread's tracer (settings from MEMTRACE_*
 * variables) and installs the module hooks that instrument every traced module.
 */
import { MemtraceError } from '../src/errors.js';
import { ensureTracer } from '../src/runtime/active.js';
import { settingsFromEnv } from '../src/settings.js';
import { installHooks } from './install-hooks.js';
import { startRunRecording } from '../src/alloc/run-recorder.js';
import { createTransformer } from './transform-module.js';
import { measuredCallOpen } from '../src/runtime/probes.js';
import { installOriginalFunctionText } from '../src/runtime/function-source.js';

if (process.env.MEMTRACE_DISABLE !== '1') {
  try {
    const settings = settingsFromEnv();
    // Allocation sampling alone (`--alloc` without `--lines`) needs no probes: the tracer stays off.
    const tracing = !settings.alloc || settings.lines;
    // Hooks first: on Node 20 they connect the hooks thread, where calibration then transforms too.
    if (tracing) installHooks(createTransformer(settings, measuredCallOpen), new URL('./esm-hooks.js', import.meta.url));
    if (tracing) installOriginalFunctionText();
    const tracer = tracing ? ensureTracer(settings) : undefined;
    if (settings.alloc) startRunRecording(settings, tracer ? () => tracer.directory : undefined);
  } catch (error) {
    if (!(error instanceof MemtraceError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
