/**
 * ESM load hook of the bare runtime for Node 20's module.register (runs on the hooks thread): the
 * same as memtrace's dist/loader/esm-hooks.js, through the timed transformer of transform-stats.js.
 */
import { fileURLToPath } from 'node:url';
import { distUrl } from './dist-path.js';
import { benchTransformer } from './transform-stats.js';

const { sourceText } = await import(distUrl('loader/source-text.js'));
const { kindOfFormat } = await import(distUrl('loader/transform-module.js'));

const transform = benchTransformer();

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (!url.startsWith('file:') || result.source == null) return result;
  const filename = fileURLToPath(url);
  const kind = kindOfFormat(result.format, filename);
  // CommonJS goes through Module.prototype._compile (the CommonJS hook on the main thread).
  if (!kind || (kind.sourceType === 'script' && !kind.typescript)) return result;
  return { ...result, source: transform(sourceText(result.source), filename, kind) };
}
