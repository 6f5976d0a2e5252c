/**
 * The npm packages memtrace's own code runs (the transform, the probes, the writer, the allocation
 * sampler's formats): the loader never traces them, and the sampler counts their frames as memtrace's.
 */
import { createRequire } from 'node:module';
import { sep } from 'node:path';

const RUNTIME_PACKAGES = [
  'oxc-parser', '@babel/parser', 'magic-string', '@jridgewell/trace-mapping',
  '@jridgewell/remapping', '@jridgewell/sourcemap-codec', '@jridgewell/resolve-uri', '@jridgewell/gen-mapping',
  'csv-stringify', 'csv-parse', 'picomatch', 'pprof-format',
];

/** The installed directories of those packages (`…/node_modules/<name>/`), where memtrace can find them. */
export function runtimePackageDirectories(): string[] {
  const require = createRequire(import.meta.url);
  const directories: string[] = [];
  for (const name of RUNTIME_PACKAGES) {
    try {
      const entry = require.resolve(name);
      const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
      const at = entry.lastIndexOf(marker);
      if (at >= 0) directories.push(entry.slice(0, at + marker.length));
    } catch {
      // Not installed where memtrace looks (an optional binding, another platform): none of it runs.
    }
  }
  return directories;
}
