/**
 * A memory baseline: per-function figures of a trace, small enough to commit, that `memtrace check`
 * compares later traces with. Files are relative to a root (the checkout), so a baseline written on
 * one machine holds on another; functions are sorted by file and name, so a changed baseline diffs
 * line by line in review.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { MemtraceError } from '../shared/errors.js';

export const BASELINE_FORMAT = 'memtrace-baseline';
export const BASELINE_VERSION = 1;

export interface BaselineFunction {
  function: string;
  /** Relative to the baseline's root, with forward slashes. */
  file: string;
  line: number;
  calls: number;
  selfAllocBytes: number;
  totalAllocBytes: number;
  maxHeapGrowthBytes: number;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  version: number;
  /** memtrace and Node versions, and when, for the reader of a changed baseline. */
  memtrace: string;
  node: string;
  created: string;
  functions: BaselineFunction[];
}

/** A baseline file that is missing, not JSON, or not a memtrace baseline: exit status 2. */
export class BaselineFileError extends MemtraceError {
  override readonly exitCode = 2;

  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`memtrace: ${file}: ${problem}`);
  }
}

export function writeBaseline(path: string, baseline: Baseline): void {
  const functions = [...baseline.functions].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.function < b.function ? -1 : a.function > b.function ? 1 : a.line - b.line,
  );
  // One function per line: a reviewer sees which functions' figures moved.
  const lines = functions.map((f) => `    ${JSON.stringify(f)}`);
  const head = JSON.stringify({ ...baseline, functions: undefined }, null, 2).replace(/\n}$/, '');
  writeFileSync(path, `${head},\n  "functions": [\n${lines.join(',\n')}\n  ]\n}\n`);
}

const NUMBER_FIELDS = ['line', 'calls', 'selfAllocBytes', 'totalAllocBytes', 'maxHeapGrowthBytes'] as const;

export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BaselineFileError(
      path,
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such baseline file' : `cannot read it: ${(error as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineFileError(path, `not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const object = data as Partial<Baseline> | null;
  if (!object || typeof object !== 'object' || object.format !== BASELINE_FORMAT)
    throw new BaselineFileError(path, `not a memtrace baseline (no "format": "${BASELINE_FORMAT}")`);
  if (object.version !== BASELINE_VERSION)
    throw new BaselineFileError(
      path,
      `baseline version ${JSON.stringify(object.version)} is not ${BASELINE_VERSION}: write it again with this memtrace`,
    );
  if (!Array.isArray(object.functions)) throw new BaselineFileError(path, '"functions" is not a list');
  object.functions.forEach((entry, index) => {
    const where = `functions[${index}]`;
    if (!entry || typeof entry !== 'object') throw new BaselineFileError(path, `${where} is not an object`);
    if (typeof entry.function !== 'string' || typeof entry.file !== 'string')
      throw new BaselineFileError(path, `${where} has no "function" and "file" strings`);
    for (const field of NUMBER_FIELDS) {
      if (typeof entry[field] !== 'number' || !Number.isFinite(entry[field]))
        throw new BaselineFileError(path, `${where}.${field} is not a number`);
    }
  });
  return object as Baseline;
}
