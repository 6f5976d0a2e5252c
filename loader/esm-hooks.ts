/**
 * ESM load hook for `module.register` (Node 20 and 22 before registerHooks). It runs on Node's hooks
 * thread, so it only transforms; the traced program's thread keeps the runtime.
 */
import { fileURLToPath } from 'node:url';
import { settingsFromEnv } from '../src/settings.js';
import { sourceText } from './source-text.js';
import { createTransformer, kindOfFormat, type ModuleTransformer } from './transform-module.js';

interface LoadContext { format?: string | null }
interface LoadResult { format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

// The traced thread has checked the settings already (and stopped on a bad one).
let transform: ModuleTransformer = (source) => source;
try {
  transform = createTransformer(settingsFromEnv());
} catch {
  // Left untraced: register.ts reports the setting.
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (!url.startsWith('file:') || result.source == null) return result;
  const filename = fileURLToPath(url);
  const kind = kindOfFormat(result.format, filename);
  // CommonJS goes through Module.prototype._compile (cjs-hook), which keeps require() semantics.
  if (!kind || (kind.sourceType === 'script' && !kind.typescript)) return result;
  return { ...result, source: transform(sourceText(result.source), filename, kind) };
}
