/**
 * The npm packages memtrace's own code runs (the transform, the probes, the writer, the allocation
 * sampler's formats): the loader never traces them, and the sampler counts their frames as memtrace's.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNTIME_PACKAGES = [
  'oxc-parser', '@babel/parser', 'magic-string', '@jridgewell/trace-mapping',
  '@jridgewell/remapping', '@jridgewell/sourcemap-codec', '@jridgewell/resolve-uri', '@jridgewell/gen-mapping',
  'csv-stringify', 'csv-parse', 'picomatch', 'pprof-format',
];

/**
 * The installed directories of those packages (`…/node_modules/<name>/`), where memtrace can find them:
 * the first `node_modules/<name>/package.json` up from memtrace's own directory, where Node's
 * resolution finds a package's directory too. (Not require.resolve: it reads every package's exports
 * map, 9 ms for these twelve on a cold start, paid on the traced thread and on Node 20's hooks thread.)
 */
export function runtimePackageDirectories(): string[] {
  const directories: string[] = [];
  for (const name of RUNTIME_PACKAGES) {
    for (let directory = dirname(fileURLToPath(import.meta.url)); ; directory = dirname(directory)) {
      const candidate = join(directory, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        directories.push(candidate + sep);
        break;
      }
      // Not installed where memtrace looks (an optional binding, another platform): none of it runs.
      if (dirname(directory) === directory) break;
    }
  }
  return directories;
}
