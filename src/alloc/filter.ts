/**
 * tracemalloc's Filter: keep (inclusive) or drop the allocations whose site (or, with allFrames, any
 * frame of whose stack) is in files matching a glob and/or in functions matching a glob.
 */
import { relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { SettingError } from '../shared/errors.js';
import type { Frame } from '../formats/allocation-model.js';

export interface FilterSpec {
  /** true (default): keep only what matches; false: drop what matches. */
  inclusive?: boolean;
  /** Glob over the file path (relative to the current directory, or absolute). */
  file?: string;
  /** Glob over the function name (`Cache.fill`, `build*`). */
  function?: string;
  /** Match any frame of the stack instead of the allocation site alone. */
  allFrames?: boolean;
}

/** A file glob alone, or a whole spec. */
export type FilterInput = string | FilterSpec | Filter;

export class Filter {
  readonly inclusive: boolean;
  private readonly file: ((path: string) => boolean) | undefined;
  private readonly fn: ((name: string) => boolean) | undefined;

  constructor(readonly spec: FilterSpec) {
    this.inclusive = spec.inclusive ?? true;
    try {
      this.file = spec.file === undefined ? undefined : picomatch(spec.file, { dot: true });
      this.fn = spec.function === undefined ? undefined : picomatch(spec.function, { dot: true });
    } catch (error) {
      throw new SettingError('filter', spec.file ?? spec.function ?? '', `a glob (${(error as Error).message})`);
    }
  }

  static from(input: FilterInput, inclusive: boolean): Filter {
    if (input instanceof Filter) return input;
    return new Filter(typeof input === 'string' ? { file: input, inclusive } : { ...input, inclusive });
  }

  /** Whether a stack (innermost frame first) matches. */
  matches(frames: readonly Frame[]): boolean {
    const candidates = this.spec.allFrames ? frames : frames.slice(0, 1);
    return candidates.some((frame) => this.matchesFrame(frame));
  }

  private matchesFrame(frame: Frame): boolean {
    if (this.fn && !this.fn(frame.function)) return false;
    if (this.file) {
      const absolute = frame.file.split(sep).join('/');
      const rel = relative(process.cwd(), frame.file).split(sep).join('/');
      if (!this.file(absolute) && (rel.startsWith('..') || !this.file(rel))) return false;
    }
    return true;
  }
}

/** tracemalloc's rule: kept if no inclusive filter or one matches, and no exclusive one matches. */
export function keepStack(frames: readonly Frame[], filters: readonly Filter[]): boolean {
  const include = filters.filter((f) => f.inclusive);
  if (include.length > 0 && !include.some((f) => f.matches(frames))) return false;
  return !filters.some((f) => !f.inclusive && f.matches(frames));
}
