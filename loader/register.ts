/**
 * `node --import memtrace/register app.js`: starts this thread's tracer (settings from MEMTRACE_*
 * variables) and installs the module hooks that instrument every traced module.
 */
import { MemtraceError } from '../src/errors.js';
import { ensureTracer } from '../src/runtime/active.js';
import { settingsFromEnv } from '../src/settings.js';
import { installHooks } from './install-hooks.js';
import { createTransformer } from './transform-module.js';

if (process.env.MEMTRACE_DISABLE !== '1') {
  try {
    const settings = settingsFromEnv();
    ensureTracer(settings);
    installHooks(createTransformer(settings), new URL('./esm-hooks.js', import.meta.url));
  } catch (error) {
    if (!(error instanceof MemtraceError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
