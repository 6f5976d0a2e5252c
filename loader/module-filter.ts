/**
 * Which modules are traced: MEMTRACE_INCLUDE / MEMTRACE_EXCLUDE globs over file paths (relative to the
 * current directory where the file is below it, else absolute). By default everything outside
 * node_modules. memtrace itself and the packages its runtime uses are never traced: their code runs
 * inside the probes and the writer.
 */
import { createRequire } from 'node:module';
import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import type { Settings } from '../src/settings.js';

const RUNTIME_PACKAGES = ['@babel/parser', 'magic-string', '@jridgewell/trace-mapping', '@jridgewell/remapping', '@jridgewell/sourcemap-codec', '@jridgewell/resolve-uri', '@jridgewell/gen-mapping', 'csv-stringify', 'csv-parse', 'picomatch'];

/** Directories whose files are never traced. */
function ownDirectories(): string[] {
  const distDirectory = dirname(dirname(fileURLToPath(import.meta.url)));
  const require = createRequire(import.meta.url);
  const directories = [distDirectory + sep];
  for (const name of RUNTIME_PACKAGES) {
    try {
      const entry = require.resolve(name);
      const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
      const at = entry.lastIndexOf(marker);
      if (at >= 0) directories.push(entry.slice(0, at + marker.length));
    } catch {
      // Not installed where we look: nothing to exclude.
    }
  }
  return directories;
}

export type ModuleFilter = (filename: string) => boolean;

export function moduleFilter(settings: Pick<Settings, 'include' | 'exclude'>, cwd = process.cwd()): ModuleFilter {
  const own = ownDirectories();
  const options = { dot: true };
  const include = settings.include.length > 0 ? picomatch(settings.include, options) : (path: string) => !/(^|\/)node_modules\//.test(path);
  const exclude = settings.exclude.length > 0 ? picomatch(settings.exclude, options) : () => false;
  return (filename) => {
    if (own.some((directory) => filename.startsWith(directory))) return false;
    const absolute = filename.split(sep).join('/');
    const rel = relative(cwd, filename).split(sep).join('/');
    const candidates = rel.startsWith('..') ? [absolute] : [rel, absolute];
    return candidates.some((path) => include(path)) && !candidates.some((path) => exclude(path));
  };
}
