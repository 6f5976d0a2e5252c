/**
 * Which modules are traced: MEMTRACE_INCLUDE / MEMTRACE_EXCLUDE globs over file paths (relative to the
 * current directory where the file is below it, else absolute). By default everything outside
 * node_modules. memtrace itself and the packages its runtime uses are never traced: their code runs
 * inside the probes and the writer.
 */
import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import type { Settings } from '../src/shared/settings.js';
import { runtimePackageDirectories } from '../src/shared/runtime-packages.js';

/** Directories whose files are never traced. */
function ownDirectories(): string[] {
  const distDirectory = dirname(dirname(fileURLToPath(import.meta.url)));
  const directories = [distDirectory + sep];
  directories.push(...runtimePackageDirectories());
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
