/**
 * tracemalloc's Statistic and StatisticDiff: sampled bytes and allocations grouped by statement,
 * function, file or stack. Values: they print as one line and convert to a CSV-ready row.
 */
import { relative } from 'node:path';
import { formatBytes } from '../shared/units.js';
import type { Frame } from '../formats/allocation-model.js';

export type StatisticKey = 'line' | 'function' | 'file' | 'stack';

function shortPath(file: string): string {
  if (file === '') return '(builtin)';
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || rel === '' ? file : rel;
}

/** `file:line` of the site, `file:?` where the statement is not known. */
export function whereOf(file: string, line: number | null): string {
  return `${shortPath(file)}:${line ?? '?'}`;
}

export class Statistic {
  constructor(
    readonly key: StatisticKey,
    /** The site's file ('' for a builtin). */
    readonly file: string,
    /** The allocating statement (key 'line'), the function's start (key 'function'), or null. */
    readonly line: number | null,
    readonly functionName: string,
    /** Estimated bytes. */
    readonly size: number,
    /** Estimated allocations. */
    readonly count: number,
    /** Key 'stack': the frames, innermost first. */
    readonly stack?: readonly Frame[],
  ) {}

  /** What the statistic groups by, as shown. */
  get label(): string {
    switch (this.key) {
      case 'line':
        return `${whereOf(this.file, this.line)} (${this.functionName})`;
      case 'function':
        return `${this.functionName} (${whereOf(this.file, this.line)})`;
      case 'file':
        return shortPath(this.file);
      case 'stack':
        return (this.stack ?? []).map((f) => `${f.function} ${whereOf(f.file, f.line)}`).join(' < ');
    }
  }

  toString(): string {
    return `${this.label}: size=${formatBytes(this.size)}, count=${Math.round(this.count)}`;
  }

  toRow(): Record<string, string | number> {
    return {
      key: this.key,
      function: this.functionName,
      file: this.file,
      line: this.line ?? '',
      size_bytes: Math.round(this.size),
      count: Math.round(this.count),
    };
  }
}

export class StatisticDiff extends Statistic {
  constructor(
    base: Statistic,
    /** size less the old snapshot's */
    readonly sizeDiff: number,
    readonly countDiff: number,
  ) {
    super(base.key, base.file, base.line, base.functionName, base.size, base.count, base.stack);
  }

  override toString(): string {
    return `${this.label}: size=${formatBytes(this.size)} (${formatBytes(this.sizeDiff, true)}), count=${Math.round(this.count)} (${this.countDiff >= 0 ? '+' : ''}${Math.round(this.countDiff)})`;
  }

  override toRow(): Record<string, string | number> {
    return { ...super.toRow(), size_diff_bytes: Math.round(this.sizeDiff), count_diff: Math.round(this.countDiff) };
  }
}
