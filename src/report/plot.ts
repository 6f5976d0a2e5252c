/** `memtrace plot`: a process log to FILE.svg + FILE.html, and optionally FILE.dat + FILE.plt for gnuplot. */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readProcessCsv } from '../formats/process-csv.js';
import { renderGnuplot } from './plot-gnuplot.js';
import { renderPlotHtml } from './plot-html.js';
import { plotModel, shortCommand } from './plot-model.js';
import { renderPlotSvg } from './plot-svg.js';

export interface PlotOptions {
  /** Output path without extension (default: the CSV's path without .csv). */
  out?: string;
  gnuplot?: boolean;
  title?: string;
}

/** Writes the plot files of a process CSV; returns their paths. */
export function plotProcessLog(csvPath: string, options: PlotOptions = {}): string[] {
  const log = readProcessCsv(csvPath);
  const stem = options.out ?? csvPath.replace(/\.csv$/i, '');
  const first = log.rows.find((row) => !row.gcKind);
  const title = options.title ?? `${first ? shortCommand(first.command, 70) : basename(csvPath)} — memory over time`;
  const model = plotModel(log, title);
  const svg = renderPlotSvg(model);
  const written = [`${stem}.svg`, `${stem}.html`];
  writeFileSync(written[0]!, svg);
  writeFileSync(written[1]!, renderPlotHtml(log, svg, title));
  if (options.gnuplot) {
    const { dat, plt } = renderGnuplot(model, `${stem}.dat`, `${stem}.png`);
    writeFileSync(`${stem}.dat`, dat);
    writeFileSync(`${stem}.plt`, plt);
    written.push(`${stem}.dat`, `${stem}.plt`);
  }
  return written;
}
