/**
 * What a plot of a process log shows, independent of how it is drawn (SVG or gnuplot): one RSS series
 * per process, heap series per process that logged from inside, the labels and the GCs, built a row at
 * a time in bounded memory (ProcessLogDigest).
 */
import type { GcKind, ProcessRow } from '../formats/process-csv.js';

export interface Point {
  timeS: number;
  /** Bytes; null is a gap (no reading then). */
  bytes: number | null;
}

export interface Series {
  pid: number;
  command: string;
  kind: 'rss' | 'heap used' | 'heap total';
  points: Point[];
}

export interface PlotMark {
  timeS: number;
  text: string;
}

export interface GcTick {
  timeS: number;
  kind: GcKind;
  durationS: number;
}

export interface PlotModel {
  title: string;
  series: Series[];
  labels: PlotMark[];
  gcs: GcTick[];
  endS: number;
  maxBytes: number;
}

/** The command as a legend shows it: the program and its first arguments, shortened. */
export function shortCommand(command: string, length = 48): string {
  const words = command
    .split(' ')
    .map((word) => (word.includes('/') && !word.startsWith('-') ? word.slice(word.lastIndexOf('/') + 1) || word : word));
  const text = words.join(' ');
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** Time buckets a plot keeps per series, whatever the log's length: each holds its lowest and highest reading. */
export const PLOT_BUCKETS = 2000;

interface Bucket {
  minT: number;
  min: number;
  maxT: number;
  max: number;
  /** When the bucket saw a reading that was not taken (a gap), or NaN. */
  gapT: number;
}

interface GcBucket {
  timeS: number;
  durationS: number;
}

/** One process's figures for the table under the plot. */
export interface ProcessSummary {
  pid: number;
  command: string;
  samples: number;
  firstS: number;
  lastS: number;
  rssFirst: number;
  rssPeak: number;
  rssLast: number;
  /** null where the log has no heap readings (a log from outside). */
  heapPeak: number | null;
}

const SERIES_KINDS = ['rss', 'heap total', 'heap used'] as const;

function merge(a: Bucket | undefined, b: Bucket): Bucket {
  if (!a) return b;
  const low = b.min < a.min ? b : a;
  const high = b.max > a.max ? b : a;
  return {
    minT: low.minT,
    min: low.min,
    maxT: high.maxT,
    max: high.max,
    gapT: Number.isNaN(a.gapT) ? b.gapT : Number.isNaN(b.gapT) ? a.gapT : Math.min(a.gapT, b.gapT),
  };
}

/**
 * A process log read a row at a time into what the plot and its table show, in memory bounded by
 * PLOT_BUCKETS whatever the log's length: per series the lowest and highest reading of each time
 * bucket (so a spike survives), GCs summed per bucket and kind, every label, and per process its
 * samples, first/peak/last RSS and peak heap. Buckets start 1 ms wide and double (pairs merged) when
 * the log outgrows them, so no first pass over the file is needed for its length.
 */
export class ProcessLogDigest {
  rows = 0;
  gcCount = 0;
  majorGcs = 0;
  gcSeconds = 0;
  endS = 0;
  maxBytes = 0;
  firstCommand: string | undefined;
  readonly labels: PlotMark[] = [];
  private width = 0.001;
  private readonly series = new Map<number, Array<Map<number, Bucket>>>();
  private readonly commands = new Map<number, string>();
  private gcs = new Map<string, GcBucket>();
  private readonly summaries = new Map<number, ProcessSummary>();

  constructor(readonly inside: boolean) {}

  add(row: ProcessRow): void {
    this.rows++;
    this.endS = Math.max(this.endS, row.timeS);
    let index = Math.floor(row.timeS / this.width);
    while (index >= PLOT_BUCKETS) index = this.widen(row.timeS);
    if (row.gcKind) {
      this.gcCount++;
      if (row.gcKind === 'major') this.majorGcs++;
      this.gcSeconds += row.gcDurationS ?? 0;
      const key = `${index}:${row.gcKind}`;
      const seen = this.gcs.get(key);
      if (seen) seen.durationS += row.gcDurationS ?? 0;
      else this.gcs.set(key, { timeS: row.timeS, durationS: row.gcDurationS ?? 0 });
      return;
    }
    this.firstCommand ??= row.command;
    if (row.label) this.labels.push({ timeS: row.timeS, text: row.label });
    let series = this.series.get(row.pid);
    if (!series) {
      series = SERIES_KINDS.slice(0, this.inside ? 3 : 1).map(() => new Map<number, Bucket>());
      this.series.set(row.pid, series);
      this.commands.set(row.pid, row.command);
    }
    const values = [row.rss, row.heapTotal, row.heapUsed];
    series.forEach((buckets, i) => {
      const value = values[i] ?? null;
      const reading: Bucket =
        value === null
          ? { minT: row.timeS, min: Infinity, maxT: row.timeS, max: -Infinity, gapT: row.timeS }
          : { minT: row.timeS, min: value, maxT: row.timeS, max: value, gapT: NaN };
      buckets.set(index, merge(buckets.get(index), reading));
      if (value !== null) this.maxBytes = Math.max(this.maxBytes, value);
    });
    this.summarise(row);
  }

  private summarise(row: ProcessRow): void {
    const rss = row.rss ?? 0;
    const seen = this.summaries.get(row.pid);
    if (!seen) {
      this.summaries.set(row.pid, {
        pid: row.pid,
        command: row.command,
        samples: 1,
        firstS: row.timeS,
        lastS: row.timeS,
        rssFirst: rss,
        rssPeak: rss,
        rssLast: rss,
        heapPeak: row.heapUsed,
      });
      return;
    }
    seen.samples++;
    seen.lastS = row.timeS;
    seen.rssPeak = Math.max(seen.rssPeak, rss);
    seen.rssLast = rss;
    if (row.heapUsed !== null) seen.heapPeak = Math.max(seen.heapPeak ?? row.heapUsed, row.heapUsed);
  }

  /** Doubles the bucket width, merging pairs; returns `timeS`'s bucket at the new width. */
  private widen(timeS: number): number {
    this.width *= 2;
    for (const series of this.series.values()) {
      series.forEach((buckets, i) => {
        const merged = new Map<number, Bucket>();
        for (const [index, bucket] of buckets) merged.set(index >> 1, merge(merged.get(index >> 1), bucket));
        series[i] = merged;
      });
    }
    const gcs = new Map<string, GcBucket>();
    for (const [key, gc] of this.gcs) {
      const [index, kind] = key.split(':');
      const at = `${Number(index) >> 1}:${kind}`;
      const seen = gcs.get(at);
      if (seen) seen.durationS += gc.durationS;
      else gcs.set(at, { ...gc });
    }
    this.gcs = gcs;
    return Math.floor(timeS / this.width);
  }

  /** The plot: per series each bucket's lowest and highest reading in time order (a gap where only gaps were). */
  model(title: string): PlotModel {
    const series: Series[] = [];
    for (const [pid, kinds] of this.series) {
      kinds.forEach((buckets, i) => {
        const points: Point[] = [];
        for (const index of [...buckets.keys()].sort((a, b) => a - b)) {
          const bucket = buckets.get(index)!;
          if (bucket.min === Infinity) points.push({ timeS: bucket.gapT, bytes: null });
          else if (bucket.minT === bucket.maxT) points.push({ timeS: bucket.minT, bytes: bucket.min });
          else if (bucket.minT < bucket.maxT)
            points.push({ timeS: bucket.minT, bytes: bucket.min }, { timeS: bucket.maxT, bytes: bucket.max });
          else points.push({ timeS: bucket.maxT, bytes: bucket.max }, { timeS: bucket.minT, bytes: bucket.min });
        }
        series.push({ pid, command: this.commands.get(pid)!, kind: SERIES_KINDS[i], points });
      });
    }
    const gcs: GcTick[] = [...this.gcs.entries()]
      .map(([key, gc]) => ({ timeS: gc.timeS, kind: key.split(':')[1] as GcKind, durationS: gc.durationS }))
      .sort((a, b) => a.timeS - b.timeS);
    return { title, series, labels: this.labels, gcs, endS: this.endS, maxBytes: this.maxBytes };
  }

  processes(): ProcessSummary[] {
    return [...this.summaries.values()];
  }
}
