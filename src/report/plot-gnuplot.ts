/**
 * The plot as gnuplot input, for people used to pymemtrace's output: NAME.dat (one block per series,
 * time in seconds and memory in MiB) and NAME.plt, which `gnuplot NAME.plt` turns into NAME.png.
 */
import { basename } from 'node:path';
import type { PlotModel } from './plot-model.js';
import { shortCommand } from './plot-model.js';

const MiB = 1024 * 1024;
const quote = (text: string): string => `"${text.replace(/["\\]/g, '\\$&')}"`;

export function renderGnuplot(model: PlotModel, datPath: string, pngPath: string): { dat: string; plt: string } {
  const series = model.series.filter((s) => s.points.some((p) => p.bytes !== null));
  const blocks = series.map((s) => {
    // One blank line breaks the line at a gap in the readings (two would start a new block).
    const lines = s.points.map((p) => (p.bytes === null ? '' : `${p.timeS.toFixed(6)} ${(p.bytes / MiB).toFixed(3)}`));
    const text = lines
      .join('\n')
      .replace(/\n{2,}/g, '\n\n')
      .replace(/^\n+|\n+$/g, '');
    return `# ${s.kind} pid ${s.pid} ${s.command.replace(/\n/g, ' ')}\n${text}`;
  });
  const dat = `${blocks.join('\n\n\n')}\n`;
  const plot = series.map(
    (s, i) =>
      `${quote(basename(datPath))} index ${i} using 1:2 with lines lw ${s.kind === 'rss' ? 2 : 1} dt ${s.kind === 'rss' ? 1 : s.kind === 'heap used' ? 2 : 3} title ${quote(`${s.kind} ${s.pid} ${shortCommand(s.command, 40)}`)}`,
  );
  const marks = model.labels.map(
    (mark, i) =>
      `set arrow ${i + 1} from ${mark.timeS.toFixed(6)}, graph 0 to ${mark.timeS.toFixed(6)}, graph 1 nohead dt 3 lc rgb "#555555"\nset label ${i + 1} ${quote(mark.text)} at ${mark.timeS.toFixed(6)}, graph 0.98 rotate by 90 right offset -0.6,0 font ",9"`,
  );
  const gcTicks = model.gcs.map(
    (gc, i) =>
      `set arrow ${1000 + i} from ${gc.timeS.toFixed(6)}, graph 0 to ${gc.timeS.toFixed(6)}, graph ${gc.kind === 'major' ? 0.04 : 0.02} nohead lc rgb ${gc.kind === 'major' ? '"#d62728"' : '"#888888"'}`,
  );
  const plt = `# gnuplot ${basename(datPath).replace(/\.dat$/, '.plt')}  ->  ${basename(pngPath)}
set terminal pngcairo size 1200,700 font "Helvetica,10"
set output ${quote(basename(pngPath))}
set title ${quote(model.title)}
set xlabel "time (s)"
set ylabel "memory (MiB)"
set grid
set key outside right top
set yrange [0:*]
${[...marks, ...gcTicks].join('\n')}
plot ${plot.join(', \\\n     ')}
`;
  return { dat, plt };
}
