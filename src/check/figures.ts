/**
 * The per-function figures `memtrace check` works on, from a trace directory or from a directory of
 * them (the processes of one `memtrace run`, summed by function). Files become relative to a root so
 * the same code in another checkout has the same keys.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { findTraces } from '../formats/trace-directory.js';
import { readFunctionsCsv } from '../formats/functions-csv.js';
import type { BaselineFunction } from '../formats/baseline.js';
import { TraceFileError } from '../shared/errors.js';

/** A function's identity across runs: its file and name (not its line, which moves with edits above it). */
export const functionKey = (f: Pick<BaselineFunction, 'file' | 'function'>): string => `${f.file}\0${f.function}`;

function relativeFile(file: string, root: string): string {
  if (!isAbsolute(file)) return file;
  const path = relative(root, file);
  return (path.startsWith('..') ? file : path).split(sep).join('/');
}

/** The trace directories `path` names: itself when it holds functions.csv, else the traces under it. */
export function traceDirectories(path: string): string[] {
  if (existsSync(join(path, 'functions.csv'))) return [path];
  const found = findTraces(path);
  if (found.length === 0)
    throw new TraceFileError(
      path,
      existsSync(path) ? 'no functions.csv here, and no memtrace-* trace directories under it' : 'no such trace directory',
    );
  return found;
}

/** Every function of the traces under `path`, summed by file and name, keyed by functionKey. */
export function functionFigures(path: string, root: string): Map<string, BaselineFunction> {
  const figures = new Map<string, BaselineFunction>();
  for (const directory of traceDirectories(path)) {
    for (const row of readFunctionsCsv(join(directory, 'functions.csv'))) {
      const file = relativeFile(row.file, root);
      const key = functionKey({ file, function: row.function });
      const seen = figures.get(key);
      if (seen) {
        seen.line = Math.min(seen.line, row.line);
        seen.calls += row.calls;
        seen.selfAllocBytes += row.selfAllocBytes;
        seen.totalAllocBytes += row.totalAllocBytes;
        seen.maxHeapGrowthBytes = Math.max(seen.maxHeapGrowthBytes, row.maxHeapGrowthBytes);
      } else {
        figures.set(key, {
          function: row.function,
          file,
          line: row.line,
          calls: row.calls,
          selfAllocBytes: row.selfAllocBytes,
          totalAllocBytes: row.totalAllocBytes,
          maxHeapGrowthBytes: row.maxHeapGrowthBytes,
        });
      }
    }
  }
  return figures;
}
