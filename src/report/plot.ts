/** `memtrace plot`: a process log to FILE.svg + FILE.html, and optionally FILE.dat + FILE.plt for gnuplot. */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readProcessBatches } from '../formats/process-csv.js';
import type { CsvReadOptions } from '../formats/csv-rows.js';
import { renderGnuplot } from './plot-gnuplot.js';
import { renderPlotHtml } from './plot-html.js';
import { ProcessLogDigest, shortCommand } from './plot-model.js';
import { renderPlotSvg } from './plot-svg.js';

export interface PlotOptions {
  /** Output path without extension (default: the CSV's path without .csv). */
  out?: string;
  gnuplot?: boolean;
  title?: string;
  /** Progress and truncation callbacks of the reader. */
  reading?: CsvReadOptions;
}

/** Writes the plot files of a process CSV, read a chunk at a time; returns their paths. */
export async function plotProcessLog(csvPath: string, options: PlotOptions = {}): Promise<string[]> {
  const { inside, batches } = readProcessBatches(csvPath, options.reading);
  const log = new ProcessLogDigest(inside);
  for await (const batch of batches) for (const row of batch) log.add(row);
  const stem = options.out ?? csvPath.replace(/\.csv$/i, '');
  const title =
    options.title ?? `${log.firstCommand !== undefined ? shortCommand(log.firstCommand, 70) : basename(csvPath)} — memory over time`;
  const model = log.model(title);
  const svg = renderPlotSvg(model);
  const written = [`${stem}.svg`, `${stem}.html`];
  writeFileSync(written[0], svg);
  writeFileSync(written[1], renderPlotHtml(log, svg, title));
  if (options.gnuplot) {
    const { dat, plt } = renderGnuplot(model, `${stem}.dat`, `${stem}.png`);
    writeFileSync(`${stem}.dat`, dat);
    writeFileSync(`${stem}.plt`, plt);
    written.push(`${stem}.dat`, `${stem}.plt`);
  }
  return written;
}
