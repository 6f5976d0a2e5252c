import { defineCommand, UsageError } from '../command.js';
import { plotProcessLog } from '../../report/plot.js';
import { Reading } from '../reading.js';

export const plotCommand = defineCommand({
  name: 'plot',
  summary: 'a process log (memtrace process) as SVG and HTML charts, or gnuplot files',
  synopsis: ['FILE.csv [--out STEM] [--gnuplot] [--title TEXT]'],
  options: {
    out: { type: 'string', value: 'STEM', default: 'FILE without .csv', description: 'write STEM.svg and STEM.html' },
    gnuplot: { type: 'boolean', description: 'also write STEM.dat and STEM.plt for gnuplot' },
    title: { type: 'string', value: 'TEXT', default: 'the command that was watched', description: "the charts' title" },
  },
  examples: ['memtrace plot memory.csv', 'memtrace plot memory.csv --out memory-chart --gnuplot'],
  async run(values, positionals) {
    if (positionals.length !== 1)
      throw new UsageError('memtrace plot: name one process CSV: memtrace plot FILE.csv [--out STEM] [--gnuplot]');
    const reading = new Reading();
    const options = reading.options(`plot of ${positionals[0]}`);
    const written = await plotProcessLog(positionals[0], {
      out: values.out,
      gnuplot: values.gnuplot,
      title: values.title,
      reading: options,
    }).finally(options.done);
    for (const path of written) process.stdout.write(`${path}\n`);
    return reading.truncated ? 1 : 0;
  },
});
