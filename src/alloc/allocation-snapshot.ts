/**
 * tracemalloc's Snapshot for V8's sampled allocations: statistics by statement, function, file or
 * stack; compareTo an older snapshot; filter. Nothing mutates: filter() returns a new snapshot.
 */
import { formatBytes } from '../shared/units.js';
import type { FilterInput } from './filter.js';
import { Filter, keepStack } from './filter.js';
import type { Frame } from '../formats/allocation-model.js';
import { framesOf, type AllocationTrace, type SnapshotData } from '../formats/allocation-model.js';
import { Statistic, StatisticDiff, type StatisticKey } from './statistic.js';

const KEYS: readonly StatisticKey[] = ['line', 'function', 'file', 'stack'];

export class AllocationSnapshot {
  constructor(readonly data: SnapshotData) {}

  get kind(): 'total' | 'live' {
    return this.data.kind;
  }

  /** Whether statements are known ('line-probes'), or only functions ('none', with the reason). */
  get lines(): SnapshotData['lines'] {
    return this.data.lines;
  }

  get compensation(): SnapshotData['compensation'] {
    return this.data.compensation;
  }

  get traces(): readonly AllocationTrace[] {
    return this.data.traces;
  }

  /** Estimated bytes of every allocation in the snapshot. */
  get totalBytes(): number {
    return this.data.traces.reduce((sum, t) => sum + t.bytes, 0);
  }

  /** The frames of a trace's stack, innermost (the allocation site) first. */
  stackOf(trace: AllocationTrace): Frame[] {
    return framesOf(this.data, trace.stack);
  }

  /** A snapshot with only the traces the filters keep (tracemalloc's include/exclude rule). */
  filter(filters: readonly FilterInput[]): AllocationSnapshot {
    const resolved = filters.map((f) => Filter.from(f, typeof f === 'object' && 'inclusive' in f ? (f.inclusive ?? true) : true));
    return new AllocationSnapshot({ ...this.data, traces: this.data.traces.filter((t) => keepStack(this.stackOf(t), resolved)) });
  }

  /**
   * Bytes and allocations grouped by `key`, largest first. `cumulative` (function and file keys):
   * count a trace for every frame of its stack, not its site alone (inclusive figures).
   */
  statistics(key: StatisticKey = 'line', cumulative = false): Statistic[] {
    checkKey(key);
    const groups = new Map<string, Statistic>();
    for (const trace of this.data.traces) {
      const frames = this.stackOf(trace);
      const entries = cumulative && (key === 'function' || key === 'file') ? unique(frames, key) : [frames[0]];
      for (const frame of entries) {
        const id = groupKey(key, frame, trace, frames);
        const old = groups.get(id);
        groups.set(id, statisticOf(key, frame, trace, frames, (old?.size ?? 0) + trace.bytes, (old?.count ?? 0) + trace.count));
      }
    }
    return [...groups.values()].filter((s) => s.size > 0).sort((a, b) => b.size - a.size || b.count - a.count);
  }

  /** Differences from an older snapshot, grouped by `key`, largest size difference first. */
  compareTo(old: AllocationSnapshot, key: StatisticKey = 'line', cumulative = false): StatisticDiff[] {
    const now = new Map(this.statistics(key, cumulative).map((s) => [statisticId(s), s]));
    const before = new Map(old.statistics(key, cumulative).map((s) => [statisticId(s), s]));
    const diffs: StatisticDiff[] = [];
    for (const [id, s] of now) {
      const o = before.get(id);
      diffs.push(new StatisticDiff(s, s.size - (o?.size ?? 0), s.count - (o?.count ?? 0)));
    }
    for (const [id, o] of before) {
      if (now.has(id)) continue;
      const gone = new Statistic(o.key, o.file, o.line, o.functionName, 0, 0, o.stack);
      diffs.push(new StatisticDiff(gone, -o.size, -o.count));
    }
    return diffs.sort(
      (a, b) => Math.abs(b.sizeDiff) - Math.abs(a.sizeDiff) || b.size - a.size || Math.abs(b.countDiff) - Math.abs(a.countDiff),
    );
  }

  /** The top `limit` statistics as lines of text, with the method and what was subtracted. */
  format(key: StatisticKey = 'line', limit = 10): string {
    const lines = this.statistics(key)
      .slice(0, limit)
      .map((s, i) => `#${i + 1}: ${s}`);
    return `${lines.join('\n')}\n${this.footer()}\n`;
  }

  /** What the figures are and what was left out of them. */
  footer(): string {
    const lineNote =
      this.lines.method === 'none'
        ? `statements unknown (${this.lines.reason})`
        : `statements from ${this.lines.method === 'line-probes' ? '' : 'sampled '}line probes`;
    return `${this.kind} sampled allocations, ${formatBytes(this.totalBytes)} in all (interval ${formatBytes(this.data.samplingInterval)}); ${lineNote}; left out as memtrace's own: ${formatBytes(this.compensation.bytes)}`;
  }

  toString(): string {
    return this.format();
  }
}

function checkKey(key: StatisticKey): void {
  if (!KEYS.includes(key)) throw new TypeError(`memtrace: statistics by ${JSON.stringify(key)}: use one of ${KEYS.join(', ')}`);
}

function unique(frames: readonly Frame[], key: 'function' | 'file'): Frame[] {
  const seen = new Set<string>();
  return frames.filter((f) => {
    const id = key === 'file' ? f.file : `${f.function}\0${f.file}\0${f.line}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function frameId(f: Frame): string {
  return `${f.function}\0${f.file}\0${f.line}\0${f.column}`;
}

function groupKey(key: StatisticKey, frame: Frame, trace: AllocationTrace, frames: readonly Frame[]): string {
  switch (key) {
    case 'line':
      return `${frame.file}\0${trace.line ?? `?${frame.function}\0${frame.line}`}`;
    case 'function':
      return frameId(frame);
    case 'file':
      return frame.file;
    case 'stack':
      return `${frames.map(frameId).join('\n')}\n${trace.line}`;
  }
}

function statisticOf(
  key: StatisticKey,
  frame: Frame,
  trace: AllocationTrace,
  frames: readonly Frame[],
  size: number,
  count: number,
): Statistic {
  switch (key) {
    case 'line':
      return new Statistic(key, frame.file, trace.line, frame.function, size, count);
    case 'function':
      return new Statistic(key, frame.file, frame.line, frame.function, size, count);
    case 'file':
      return new Statistic(key, frame.file, null, '', size, count);
    case 'stack':
      return new Statistic(key, frame.file, trace.line, frame.function, size, count, frames);
  }
}

function statisticId(s: Statistic): string {
  const stack = s.stack ? s.stack.map(frameId).join('\n') : '';
  return `${s.key}\0${s.file}\0${s.line}\0${s.functionName}\0${stack}`;
}
