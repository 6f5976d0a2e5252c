/**
 * The npm packages memtrace's own code runs (the transform, the probes, the writer, the allocation
 * sampler's formats): the loader never traces them, and the sampler counts their frames as memtrace's.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNTIME_PACKAGES = [
  'oxc-parser',
  '@babel/parser',
  'magic-string',
  '@jridgewell/trace-mapping',
  '@jridgewell/remapping',
  '@jridgewell/sourcemap-codec',
  '@jridgewell/resolve-uri',
  '@jridgewell/gen-mapping',
  'csv-stringify',
  'csv-parse',
  'picomatch',
  'pprof-format',
];

/**
 * The installed directories of those packages (`…/node_modules/<name>/`), where memtrace can find them:
 * the first `node_modules/<name>/package.json` up from memtrace's own directory, as Node's resolution
 * finds a package, with symlinks resolved (pnpm links every package in), as the paths of the files
 * Node loads are. (Not require.resolve: it reads every package's exports map, 6.5-9.4 ms for these
 * twelve on a cold start, paid on the traced thread and again on Node 20's hooks thread.)
 */
export function runtimePackageDirectories(): string[] {
  const own = dirname(fileURLToPath(import.meta.url));
  const directories: string[] = [];
  for (const name of RUNTIME_PACKAGES) {
    // Not found (an optional binding, another platform): none of it runs.
    const found = installedDirectory(own, name);
    if (found) directories.push(realpathSync(found) + sep);
  }
  return directories;
}

function installedDirectory(from: string, name: string): string | undefined {
  for (let directory = from; ; directory = dirname(directory)) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}
