/**
 * `node --import memtrace/register app.js`: starts this thread's tracer (settings from MEMTRACE_*
 * variables) and installs the module hooks that instrument every traced module: in-thread
 * `module.registerHooks` where Node has it (22.15+, 24), else `module.register` for ES modules plus a
 * CommonJS hook.
 */
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { MemtraceError } from '../src/errors.js';
import { ensureTracer } from '../src/runtime/active.js';
import { settingsFromEnv, type Settings } from '../src/settings.js';
import { installCommonJsHook } from './cjs-hook.js';
import { sourceText } from './source-text.js';
import { createTransformer, kindOfFormat } from './transform-module.js';

interface SyncLoadResult { format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null }
type RegisterHooks = (hooks: { load: (url: string, context: { format?: string | null }, nextLoad: (url: string, context?: object) => SyncLoadResult) => SyncLoadResult }) => void;

function installHooks(settings: Settings): void {
  const transform = createTransformer(settings);
  const registerHooks = (module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (registerHooks) {
    registerHooks({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        if (!url.startsWith('file:') || result.source == null) return result;
        const filename = fileURLToPath(url);
        const kind = kindOfFormat(result.format, filename);
        if (!kind) return result;
        return { ...result, source: transform(sourceText(result.source), filename, kind) };
      },
    });
    // require() of CommonJS may reach _compile without a source through the hooks (older 22.x).
    return;
  }
  module.register(new URL('./esm-hooks.js', import.meta.url));
  installCommonJsHook(transform);
}

if (process.env.MEMTRACE_DISABLE !== '1') {
  try {
    const settings = settingsFromEnv();
    ensureTracer(settings);
    installHooks(settings);
  } catch (error) {
    if (!(error instanceof MemtraceError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
