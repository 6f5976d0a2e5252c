/**
 * Wraps memtrace's module transformer (dist/loader/transform-module.js createTransformer) to time it:
 * when BENCH_STATS names a file, every module the transformer instrumented (or took from the cache)
 * appends one line `T<TAB>bytes<TAB>ms<TAB>filename` to it. Used by bare-runtime.js on the main thread
 * (CommonJS) and by bare-esm-hooks.js on Node 20's hooks thread (ES modules). The append happens
 * outside the timed section.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { distUrl } from './dist-path.js';

const { createTransformer } = await import(distUrl('loader/transform-module.js'));
const { settingsFromEnv } = await import(distUrl('src/shared/settings.js'));

export function benchTransformer() {
  const transform = createTransformer(settingsFromEnv());
  const statsPath = process.env.BENCH_STATS;
  if (!statsPath) return transform;
  return (source, filename, kind) => {
    const start = performance.now();
    const code = transform(source, filename, kind);
    const ms = performance.now() - start;
    if (code !== source) appendFileSync(statsPath, `T\t${Buffer.byteLength(source)}\t${ms}\t${filename}\n`);
    return code;
  };
}
