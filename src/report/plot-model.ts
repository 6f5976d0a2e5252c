/**
 * What a plot of a process log shows, independent of how it is drawn (SVG or gnuplot): one RSS series
 * per process, one heap series per process that logged from inside, the labels and the GCs.
 */
import type { GcKind, ProcessCsv } from '../formats/process-csv.js';

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
  const words = command.split(' ').map((word) => (word.includes('/') && !word.startsWith('-') ? word.slice(word.lastIndexOf('/') + 1) || word : word));
  const text = words.join(' ');
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export function plotModel(log: ProcessCsv, title: string): PlotModel {
  const byPid = new Map<number, Series[]>();
  const labels: PlotMark[] = [];
  const gcs: GcTick[] = [];
  let endS = 0;
  let maxBytes = 0;
  for (const row of log.rows) {
    endS = Math.max(endS, row.timeS);
    if (row.gcKind) {
      gcs.push({ timeS: row.timeS, kind: row.gcKind, durationS: row.gcDurationS ?? 0 });
      continue;
    }
    if (row.label) labels.push({ timeS: row.timeS, text: row.label });
    let series = byPid.get(row.pid);
    if (!series) {
      series = [{ pid: row.pid, command: row.command, kind: 'rss', points: [] }];
      if (log.inside) series.push({ pid: row.pid, command: row.command, kind: 'heap total', points: [] }, { pid: row.pid, command: row.command, kind: 'heap used', points: [] });
      byPid.set(row.pid, series);
    }
    const values = [row.rss, row.heapTotal, row.heapUsed];
    series.forEach((s, i) => {
      s.points.push({ timeS: row.timeS, bytes: values[i]! });
      maxBytes = Math.max(maxBytes, values[i] ?? 0);
    });
  }
  return { title, series: [...byPid.values()].flat(), labels, gcs, endS, maxBytes };
}
