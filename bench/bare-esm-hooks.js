/**
 * ESM load hook of the bare runtime for Node 20's module.register (runs on the hooks thread): the
 * same as memtrace's dist/loader/esm-hooks.js, through the timed transformer of transform-stats.js.
 */
import { distUrl } from './dist-path.js';
import { benchTransformer } from './transform-stats.js';

const { transformLoaded } = await import(distUrl('loader/install-hooks.js'));
const { serveTransforms } = await import(distUrl('transforms/transform-service.js'));
const { answerTransform } = await import(distUrl('transforms/off-thread.js'));

const transform = benchTransformer();

// As memtrace's: the main thread's CommonJS modules are transformed here too.
export function initialize(data) {
  if (data) serveTransforms(data, answerTransform);
}

export async function load(url, context, nextLoad) {
  // CommonJS comes through Module.prototype._compile (the CommonJS hook on the main thread), which sends it over the channel.
  return transformLoaded(url, await nextLoad(url, context), transform, false);
}
