/**
 * The result of heapStats: each figure before and after, and its change with heapStats' own cost
 * taken out. Prints as a table like debug_malloc_stats' diff; rows() and toCsv() give the same rows.
 */
import { formatHeapStatsCsv, type HeapStatsRow } from '../formats/heap-stats-csv.js';
import { formatBytes } from '../shared/units.js';
import { figureNames } from './heap-figures.js';

/** Bytes, or a percentage of the figure before ('5%'). */
export type Threshold = number | `${number}%`;

/** Figures that count things, not bytes: any change of one is significant. */
const COUNTS = new Set(['number_of_native_contexts', 'number_of_detached_contexts', 'gc_count']);
/**
 * V8 commits heap memory a page (256 KiB) at a time, and malloc its arenas in chunks: a change of up
 * to one page in these figures happens whenever allocation (heapStats' own included) crosses a page,
 * so it is never reported as significant.
 */
const PAGE_BYTES = 256 * 1024;
const COMMITTED = /(space_size|physical_space_size|available_size|total_heap_size|total_heap_size_executable|total_physical_size)$/;
/** V8's malloc'd memory (compiler zones and the like) is also given back by its background threads. */
const MALLOC_NOISE_BYTES = 1024 * 1024;

/** Per figure: heapStats' own change (subtracted) and the noise around it (never significant). */
export interface OwnCost {
  cost: readonly number[];
  noise: readonly number[];
}

export class HeapStatsDiff {
  /** Every figure, significant or not. */
  readonly all: readonly HeapStatsRow[];
  private readonly noise: ReadonlyMap<string, number>;

  constructor(
    before: Float64Array,
    after: Float64Array,
    own: OwnCost,
    readonly threshold: Threshold,
    readonly durationS: number,
    readonly gcCounter: 'native' | 'js',
  ) {
    this.all = figureNames().map((figure, i) => ({
      group: figure.group,
      name: figure.name,
      before: before[i],
      after: after[i],
      change: after[i] - before[i] - own.cost[i],
    }));
    this.noise = new Map(figureNames().map((figure, i) => [figure.name, own.noise[i]]));
  }

  /** GCs during the block. */
  get gcCount(): number {
    return Math.round(this.all.find((row) => row.name === 'gc_count')?.change ?? 0);
  }

  /** The change of one figure, by name ('new_space.space_used_size', 'used_heap_size', 'external'...). */
  change(name: string): number | undefined {
    return this.all.find((row) => row.name === name)?.change;
  }

  isSignificant(row: HeapStatsRow): boolean {
    const size = Math.abs(row.change);
    if (COUNTS.has(row.name)) return size >= 0.5;
    if (COMMITTED.test(row.name) && size <= PAGE_BYTES) return false;
    if (row.name === 'malloced_memory' && size <= MALLOC_NOISE_BYTES) return false;
    if (size <= 2 * (this.noise.get(row.name) ?? 0)) return false;
    if (typeof this.threshold === 'number') return size >= this.threshold && size > 0;
    return size > 0 && size >= (Math.abs(row.before) * Number.parseFloat(this.threshold)) / 100;
  }

  /** The figures that changed by at least the threshold. */
  rows(): HeapStatsRow[] {
    return this.all.filter((row) => this.isSignificant(row));
  }

  toCsv(): string {
    return formatHeapStatsCsv(this.rows());
  }

  toString(): string {
    const rows = this.rows();
    const threshold = typeof this.threshold === 'number' ? formatBytes(this.threshold) : `${this.threshold} of the figure before`;
    const head = `heapStats: ${(this.durationS * 1000).toFixed(1)} ms, ${this.gcCount} GC${this.gcCount === 1 ? '' : 's'}; ${rows.length} of ${this.all.length} figures changed by at least ${threshold}`;
    if (rows.length === 0) return `${head}\n`;
    const show = (row: HeapStatsRow, value: number, signed = false): string =>
      COUNTS.has(row.name) ? `${signed && value > 0 ? '+' : ''}${Math.round(value)}` : formatBytes(value, signed);
    const table = [
      ['group', 'figure', 'before', 'after', 'change'],
      ...rows.map((row) => [row.group, row.name, show(row, row.before), show(row, row.after), show(row, row.change, true)]),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((line) => line[i].length)));
    const lines = table.map((line) =>
      line
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  ')
        .trimEnd(),
    );
    return `${head}\n${lines.join('\n')}\n`;
  }
}
