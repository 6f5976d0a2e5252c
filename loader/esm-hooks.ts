/**
 * ESM load hook for `module.register` (Node 20 and 22 before registerHooks). It runs on Node's hooks
 * thread, so it only transforms; the traced program's thread keeps the runtime.
 */
import { fileURLToPath } from 'node:url';
import { settingsFromEnv } from '../src/settings.js';
import { createTransformer, kindOfFormat } from './transform-module.js';

interface LoadContext { format?: string | null }
interface LoadResult { format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

const transform = createTransformer(settingsFromEnv());

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (!url.startsWith('file:') || result.source == null) return result;
  const filename = fileURLToPath(url);
  const kind = kindOfFormat(result.format, filename);
  // CommonJS goes through Module.prototype._compile (cjs-hook), which keeps require() semantics.
  if (!kind || (kind.sourceType === 'script' && !kind.typescript)) return result;
  return { ...result, source: transform(sourceText(result.source), filename, kind) };
}

export function sourceText(source: string | ArrayBuffer | ArrayBufferView): string {
  if (typeof source === 'string') return source;
  const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new TextDecoder().decode(bytes);
}
