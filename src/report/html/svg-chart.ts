/**
 * Line charts of memory over time as inline SVG, made on the server so the page needs no chart
 * library. Long series are reduced to the lowest and highest value of each of a few hundred time
 * buckets, which keeps every peak and trough a reader could see at this width.
 */
import { formatBytes, formatDuration } from '../../shared/units.js';
import { escapeHtml } from './escape.js';

export interface Series {
  label: string;
  colour: string;
  /** Times in nanoseconds, increasing. */
  times: number[];
  /** Bytes, one per time; NaN where not measured. */
  values: number[];
}

export interface Marker {
  timeNs: number;
  text: string;
}

export interface ChartOptions {
  title: string;
  /** What the time axis counts from, printed under it. */
  timeOrigin?: string;
  series: Series[];
  markers?: Marker[];
  width?: number;
  height?: number;
  /** Buckets along the time axis (each keeps its minimum and maximum). */
  buckets?: number;
}

/** The points of a series reduced to at most 2 × buckets, each bucket's minimum and maximum in time order. */
export function downsample(
  times: readonly number[],
  values: readonly number[],
  start: number,
  end: number,
  buckets: number,
): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  if (times.length <= 2 * buckets) {
    for (let i = 0; i < times.length; i++) if (!Number.isNaN(values[i])) points.push([times[i], values[i]]);
    return points;
  }
  const span = Math.max(end - start, 1);
  let bucket = -1;
  let low = -1;
  let high = -1;
  const flush = () => {
    if (low < 0) return;
    const [a, b] = low <= high ? [low, high] : [high, low];
    points.push([times[a], values[a]]);
    if (b !== a) points.push([times[b], values[b]]);
  };
  for (let i = 0; i < times.length; i++) {
    const value = values[i];
    if (Number.isNaN(value)) continue;
    const b = Math.min(buckets - 1, Math.floor(((times[i] - start) / span) * buckets));
    if (b !== bucket) {
      flush();
      bucket = b;
      low = high = i;
    } else {
      if (value < values[low]) low = i;
      if (value > values[high]) high = i;
    }
  }
  flush();
  return points;
}

/** A round step near `span / count`: 1, 2 or 5 times a power of ten (of `base`-sized units for bytes). */
export function niceStep(span: number, count: number, base = 1): number {
  if (!(span > 0)) return 1;
  let unit = 1;
  if (base > 1) while (span / unit >= base) unit *= base;
  const rough = span / count / unit;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  return step * unit;
}

export function renderLineChart(options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? (options.timeOrigin ? 244 : 230);
  const margin = { left: 68, right: 14, top: 30, bottom: options.timeOrigin ? 44 : 30 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const present = options.series.filter((s) => s.values.some((v) => !Number.isNaN(v)));
  const allTimes = present.flatMap((s) => [s.times[0], s.times[s.times.length - 1]]);
  if (present.length === 0) return `<p class="empty">${escapeHtml(options.title)}: no readings</p>`;
  const start = Math.min(...allTimes);
  const end = Math.max(...allTimes, start + 1);
  const reduced = present.map((s) => ({ series: s, points: downsample(s.times, s.values, start, end, options.buckets ?? 400) }));
  let maxValue = 0;
  for (const { points } of reduced) for (const [, v] of points) maxValue = Math.max(maxValue, v);
  const yStep = niceStep(maxValue || 1, 4, 1024);
  const yMax = Math.max(yStep, Math.ceil((maxValue || 1) / yStep) * yStep);
  const xStep = niceStep(end - start, 6);
  const x = (t: number) => margin.left + ((t - start) / (end - start)) * plotWidth;
  const y = (v: number) => margin.top + plotHeight - (v / yMax) * plotHeight;
  const parts: string[] = [];
  parts.push(`<text x="${margin.left}" y="16" font-size="13" font-weight="600" fill="#1d2330">${escapeHtml(options.title)}</text>`);
  // Legend, right-aligned on the title line.
  let legendX = width - margin.right;
  for (const { series } of [...reduced].reverse()) {
    const textWidth = series.label.length * 6.4;
    legendX -= textWidth;
    parts.push(`<text class="legend-line" x="${legendX.toFixed(1)}" y="16">${escapeHtml(series.label)}</text>`);
    legendX -= 16;
    parts.push(`<rect x="${legendX.toFixed(1)}" y="8" width="11" height="3" fill="${series.colour}"/>`);
    legendX -= 14;
  }
  parts.push('<g class="grid axis">');
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    parts.push(
      `<text x="${margin.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(tickLabel(formatBytes(v)))}</text>`,
    );
  }
  for (let t = Math.ceil(start / xStep) * xStep; t <= end; t += xStep) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotHeight}"/>`);
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${escapeHtml(tickLabel(formatDuration(t)))}</text>`,
    );
  }
  parts.push('</g>');
  if (options.timeOrigin)
    parts.push(
      `<text x="${margin.left + plotWidth / 2}" y="${height - 2}" text-anchor="middle" font-size="11" fill="#5f6b7a">${escapeHtml(options.timeOrigin)}</text>`,
    );
  for (const marker of options.markers ?? []) {
    const mx = x(marker.timeNs).toFixed(1);
    parts.push(
      `<g class="marker"><line x1="${mx}" x2="${mx}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#8a94a6" stroke-dasharray="3 3"/><text x="${(x(marker.timeNs) + 3).toFixed(1)}" y="${margin.top + 10}" font-size="10.5" fill="#5f6b7a">${escapeHtml(marker.text.slice(0, 40))}</text></g>`,
    );
  }
  for (const { series, points } of reduced) {
    const path = points.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
    parts.push(
      `<path d="${path}" fill="none" stroke="${series.colour}" stroke-width="1.6" stroke-linejoin="round"><title>${escapeHtml(series.label)}: peak ${escapeHtml(formatBytes(Math.max(...points.map((p) => p[1]))))}</title></path>`,
    );
  }
  parts.push(`<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#b7c0cc"/>`);
  parts.push(
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#b7c0cc"/>`,
  );
  return `<div class="chart"><svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}" font-family="system-ui, sans-serif">${parts.join('')}</svg></div>`;
}

/** Round ticks print without trailing zeros: "30 MiB", not "30.0 MiB". */
function tickLabel(text: string): string {
  return text.replace(/\.0+ /, ' ');
}
