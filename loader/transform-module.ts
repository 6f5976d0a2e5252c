/**
 * The one step every hook shares: decide whether a module is traced, and instrument it (through the
 * cache). A module the parser cannot parse runs untraced, with one warning line naming the file.
 */
import { instrumentCode } from '../transforms/off-thread.js';
import type { InstrumentOptions } from '../transforms/instrument.js';
import { TransformCache, transformFingerprint } from '../transforms/transform-cache.js';
import { MemtraceError } from '../src/shared/errors.js';
import { lineProbeKind, type Settings } from '../src/shared/settings.js';
import type { CalibrationTransform } from '../src/tracer/calibrate.js';
import { VERSION } from '../src/shared/version.js';
import { moduleFilter } from './module-filter.js';

export interface ModuleKind {
  sourceType: 'module' | 'script';
  typescript: boolean;
}

export type ModuleTransformer = (source: string, filename: string, kind: ModuleKind) => string;

/** Node's module formats that memtrace instruments, and how to parse each. */
export function kindOfFormat(format: string | null | undefined, filename: string): ModuleKind | null {
  switch (format) {
    case 'module':
      return { sourceType: 'module', typescript: false };
    case 'commonjs':
      return { sourceType: 'script', typescript: false };
    case 'module-typescript':
      return { sourceType: 'module', typescript: true };
    case 'commonjs-typescript':
      return { sourceType: 'script', typescript: true };
    case undefined:
    case null:
      // No format: what `module.registerHooks` (Node 22.15+, 24) passes for a .js file that require()
      // loads, before Node has decided (a .cjs comes as 'commonjs', an ES module as 'module'): CommonJS.
      if (filename.endsWith('.mjs')) return { sourceType: 'module', typescript: false };
      if (/\.c?js$/.test(filename)) return { sourceType: 'script', typescript: false };
      if (/\.c?ts$/.test(filename)) return { sourceType: 'script', typescript: true };
      return null;
    default:
      return null;
  }
}

/**
 * `offThread` is asked at each cache miss: true sends the module to the transform worker
 * (transforms/off-thread.ts). memtrace/register says true while a measured call is open on the traced
 * thread (a require() inside a function), so that call is not charged with the transform; at startup,
 * modules are transformed where the hook runs. On Node 20 the traced thread sends every module to
 * the module.register hooks thread whatever `offThread` says, and the hooks thread transforms its own.
 */
export function createTransformer(settings: Settings, offThread: () => boolean = () => false): ModuleTransformer {
  const traced = moduleFilter(settings);
  const transform = cachedTransform(settings);
  // The transform loads its own libraries lazily (the parser, the source-map ones); while it runs, the
  // modules they load come through these same hooks and must pass untouched.
  let transforming = false;
  return (source, filename, kind) => {
    if (transforming || !traced(filename)) return source;
    transforming = true;
    try {
      return transform(
        source,
        {
          filename,
          sourceType: kind.sourceType,
          typescript: kind.typescript,
          jsx: filename.endsWith('.tsx') || filename.endsWith('.jsx'),
          lines: lineProbeKind(settings),
          sourceMap: settings.sourceMaps,
          parser: settings.parser,
        },
        offThread,
      );
    } catch (error) {
      if (!(error instanceof MemtraceError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return source;
    } finally {
      transforming = false;
    }
  };
}

/**
 * How the tracer's calibration instruments its own two functions (tracer/calibrate.ts): the transform
 * the modules get, through the same cache, with no line probes (the calibration measures calls).
 */
export function calibrationTransform(settings: Settings): CalibrationTransform {
  const transform = cachedTransform(settings);
  return (source, filename) => transform(source, { filename, sourceType: 'script', parser: settings.parser });
}

/**
 * instrumentCode through the transform cache (where MEMTRACE_CACHE allows it): the one place a cached
 * transform is keyed. The key holds everything the output depends on: the source, memtrace's version,
 * the transform's own code, and every option, the parser too although both give the same output (where
 * they differ, syntax only one of them accepts, a cached result must not outlive a change of
 * MEMTRACE_PARSER). `offThread` is asked at a cache miss only.
 */
function cachedTransform(settings: Settings): (source: string, options: InstrumentOptions, offThread?: () => boolean) => string {
  const cache = settings.cache ? new TransformCache(settings.cacheDir) : undefined;
  const fingerprint = cache ? transformFingerprint() : '';
  return (source, options, offThread = () => false) => {
    const key = cache?.key(source, VERSION, fingerprint, JSON.stringify(options));
    const cached = key ? cache!.get(key) : undefined;
    if (cached !== undefined) return cached;
    const code = instrumentCode(source, options, offThread());
    if (key) cache!.set(key, code);
    return code;
  };
}
