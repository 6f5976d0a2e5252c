/**
 * A process log drawn as one self-contained SVG: memory over time, one colour per process (RSS solid,
 * V8 heap used dashed and heap total dotted where the log came from inside), labels as numbered
 * vertical marks listed under the chart, GCs as ticks along the time axis (major ones taller and red).
 */
import { bytesAxis, timeAxis } from './plot-scale.js';
import { shortCommand, type PlotModel, type Series } from './plot-model.js';
import { escapeHtml as escapeXml } from './html/escape.js';

const WIDTH = 1100;
const MARGIN = { left: 80, right: 300, top: 48, bottom: 64 };
const PLOT_HEIGHT = 420;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const DASH: Record<Series['kind'], string> = { rss: '', 'heap used': '6 4', 'heap total': '2 3' };
const LEGEND_LIMIT = 12;

const fixed = (n: number): string => n.toFixed(1);

/** Where things go on the page: the axes' scales and the mapping from (seconds, bytes) to pixels. */
interface Geometry {
  x: ReturnType<typeof timeAxis>;
  y: ReturnType<typeof bytesAxis>;
  plotWidth: number;
  /** The plot area's bottom edge (the time axis). */
  bottom: number;
  px(t: number): number;
  py(b: number): number;
}

export function renderPlotSvg(model: PlotModel): string {
  const x = timeAxis(model.endS);
  const y = bytesAxis(model.maxBytes);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const labelLines = model.labels.length;
  const height = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + (labelLines > 0 ? 18 * labelLines + 12 : 0);
  const page: Geometry = {
    x,
    y,
    plotWidth,
    bottom: MARGIN.top + PLOT_HEIGHT,
    px: (t) => MARGIN.left + (t / x.max) * plotWidth,
    py: (b) => MARGIN.top + PLOT_HEIGHT - (b / y.max) * PLOT_HEIGHT,
  };
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${MARGIN.left}" y="24" font-size="16" font-weight="bold">${escapeXml(model.title)}</text>`);
  drawAxes(out, page);
  drawGcTicks(out, page, model);
  drawLabels(out, page, model);
  const pids = [...new Set(model.series.map((s) => s.pid))];
  drawSeries(out, page, model, pids);
  drawLegend(out, page, model, pids);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Grid and axes, with their titles. */
function drawAxes(out: string[], { x, y, plotWidth, bottom, px, py }: Geometry): void {
  for (const tick of y.ticks) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${fixed(py(tick))}" y2="${fixed(py(tick))}" stroke="#e4e4e4"/>`,
    );
    out.push(`<text x="${MARGIN.left - 8}" y="${fixed(py(tick) + 4)}" text-anchor="end">${y.format(tick)}</text>`);
  }
  for (const tick of x.ticks) {
    out.push(`<line x1="${fixed(px(tick))}" x2="${fixed(px(tick))}" y1="${MARGIN.top}" y2="${bottom}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${fixed(px(tick))}" y="${bottom + 30}" text-anchor="middle">${x.format(tick)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${PLOT_HEIGHT}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${bottom + 52}" text-anchor="middle">${x.title}</text>`);
  out.push(`<text transform="translate(22 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">${y.title}</text>`);
}

/** GC ticks along the time axis: minor short and grey, major tall and red. */
function drawGcTicks(out: string[], { bottom, px }: Geometry, model: PlotModel): void {
  for (const gc of model.gcs) {
    const major = gc.kind === 'major';
    out.push(
      `<line class="gc" x1="${fixed(px(gc.timeS))}" x2="${fixed(px(gc.timeS))}" y1="${bottom}" y2="${bottom + (major ? 14 : 7)}" stroke="${major ? '#d62728' : '#888'}" stroke-width="${major ? 2 : 1}"><title>${escapeXml(gc.kind)} GC at ${gc.timeS.toFixed(3)} s, ${(gc.durationS * 1000).toFixed(1)} ms</title></line>`,
    );
  }
}

/** Labels: a numbered dashed line each; the text is listed under the chart. */
function drawLabels(out: string[], { bottom, px }: Geometry, model: PlotModel): void {
  model.labels.forEach((mark, i) => {
    const at = fixed(px(mark.timeS));
    out.push(`<line class="label" x1="${at}" x2="${at}" y1="${MARGIN.top}" y2="${bottom}" stroke="#555" stroke-dasharray="3 3"/>`);
    out.push(`<text x="${at}" y="${MARGIN.top - 4}" text-anchor="middle" font-weight="bold">${i + 1}</text>`);
    out.push(
      `<text class="label-text" x="${MARGIN.left}" y="${bottom + 72 + 18 * i}">${i + 1}. ${mark.timeS.toFixed(2)} s: ${escapeXml(mark.text)}</text>`,
    );
  });
}

/** The lines, a colour per process: a gap in the readings breaks the line. */
function drawSeries(out: string[], { px, py }: Geometry, model: PlotModel, pids: number[]): void {
  for (const series of model.series) {
    const colour = COLOURS[pids.indexOf(series.pid) % COLOURS.length];
    let d = '';
    const dots: string[] = [];
    // Runs of readings between gaps; a reading alone between two gaps is drawn as a dot.
    let run: Array<[number, number]> = [];
    const endRun = (): void => {
      if (run.length === 1) dots.push(`<circle cx="${fixed(run[0][0])}" cy="${fixed(run[0][1])}" r="1.8" fill="${colour}"/>`);
      else run.forEach(([x, y], i) => (d += `${i === 0 ? 'M' : 'L'}${fixed(x)} ${fixed(y)}`));
      run = [];
    };
    for (const point of series.points) {
      if (point.bytes === null) endRun();
      else run.push([px(point.timeS), py(point.bytes)]);
    }
    endRun();
    if (!d && dots.length === 0) continue;
    const dash = DASH[series.kind] ? ` stroke-dasharray="${DASH[series.kind]}"` : '';
    out.push(
      `<path class="series" d="${d}" fill="none" stroke="${colour}" stroke-width="${series.kind === 'rss' ? 2 : 1.5}"${dash}><title>${escapeXml(`${series.kind} pid ${series.pid}`)}</title></path>`,
    );
    out.push(...dots);
  }
}

/** The legend, right of the chart: the series (the first LEGEND_LIMIT), the GC ticks, the labels. */
function drawLegend(out: string[], { plotWidth }: Geometry, model: PlotModel, pids: number[]): void {
  const legendX = MARGIN.left + plotWidth + 16;
  let legendY = MARGIN.top + 6;
  const shown = model.series.filter((s) => s.points.some((p) => p.bytes !== null));
  for (const series of shown.slice(0, LEGEND_LIMIT)) {
    const colour = COLOURS[pids.indexOf(series.pid) % COLOURS.length];
    const dash = DASH[series.kind] ? ` stroke-dasharray="${DASH[series.kind]}"` : '';
    out.push(`<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(`${series.kind} · ${series.pid}`)}</text>`);
    out.push(
      `<text x="${legendX + 30}" y="${legendY + 18}" fill="#666" font-size="11">${escapeXml(shortCommand(series.command, 38))}</text>`,
    );
    legendY += 36;
  }
  if (shown.length > LEGEND_LIMIT) {
    out.push(`<text x="${legendX}" y="${legendY + 4}" fill="#666">and ${shown.length - LEGEND_LIMIT} more series</text>`);
    legendY += 24;
  }
  if (model.gcs.length > 0) {
    const minor = model.gcs.filter((gc) => gc.kind !== 'major').length;
    out.push(`<line x1="${legendX + 12}" x2="${legendX + 12}" y1="${legendY - 6}" y2="${legendY + 8}" stroke="#d62728" stroke-width="2"/>`);
    out.push(`<text x="${legendX + 30}" y="${legendY + 4}">major GC (${model.gcs.length - minor})</text>`);
    legendY += 22;
    out.push(`<line x1="${legendX + 12}" x2="${legendX + 12}" y1="${legendY - 3}" y2="${legendY + 4}" stroke="#888"/>`);
    out.push(`<text x="${legendX + 30}" y="${legendY + 4}">minor GC (${minor})</text>`);
    legendY += 22;
  }
  if (model.labels.length > 0) {
    out.push(
      `<line x1="${legendX + 12}" x2="${legendX + 12}" y1="${legendY - 8}" y2="${legendY + 8}" stroke="#555" stroke-dasharray="3 3"/>`,
    );
    out.push(`<text x="${legendX + 30}" y="${legendY + 4}">label (listed below)</text>`);
  }
}
