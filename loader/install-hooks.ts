/**
 * Installing the module hooks around a transformer: in-thread `module.registerHooks` where Node has it
 * (22.15+, 24: ES modules and CommonJS alike), else `module.register` of an ES-module hooks file (run on
 * Node's hooks thread) plus the CommonJS hook. memtrace/register and the bench's bare runtime share it.
 */
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { installCommonJsHook } from './cjs-hook.js';
import { sourceText } from './source-text.js';
import { kindOfFormat, type ModuleTransformer } from './transform-module.js';
import { transformOnHooksThread } from '../transforms/off-thread.js';

export interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

type RegisterHooks = (hooks: {
  load: (url: string, context: { format?: string | null }, nextLoad: (url: string, context?: object) => LoadResult) => LoadResult;
}) => void;

/**
 * What a load hook returns for `result`: its source instrumented when it is a traced kind of module.
 * `commonJs: false` leaves CommonJS to the CommonJS hook (Node 20's module.register hands its source on
 * only through Module.prototype._compile).
 */
export function transformLoaded(url: string, result: LoadResult, transform: ModuleTransformer, commonJs: boolean): LoadResult {
  if (!url.startsWith('file:') || result.source == null) return result;
  const filename = fileURLToPath(url);
  const kind = kindOfFormat(result.format, filename);
  if (!kind || (!commonJs && kind.sourceType === 'script' && !kind.typescript)) return result;
  return { ...result, source: transform(sourceText(result.source), filename, kind) };
}

/** `esmHooks`: the module.register hooks file for Nodes without registerHooks. */
export function installHooks(transform: ModuleTransformer, esmHooks: URL): void {
  const registerHooks = (module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (registerHooks) {
    registerHooks({ load: (url, context, nextLoad) => transformLoaded(url, nextLoad(url, context), transform, true) });
    return;
  }
  // The hooks thread transforms the ES modules; handed one end of a channel, it takes the CommonJS
  // ones too, so the parser loads once per process (transforms/off-thread.ts).
  transformOnHooksThread((data) => module.register(esmHooks, { data, transferList: [data.port] }));
  installCommonJsHook(transform);
}
