import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { plotProcessLog } from '../../report/plot.js';
import { Reading } from '../reading.js';

export const plotCommand: Command = {
  name: 'plot',
  usage: `plot FILE.csv [--out STEM] [--gnuplot]   a process log as FILE.svg and FILE.html (and .dat + .plt for gnuplot)`,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, gnuplot: { type: 'boolean' }, title: { type: 'string' } } });
    if (positionals.length !== 1) throw new UsageError('memtrace plot: name one process CSV: memtrace plot FILE.csv [--out STEM] [--gnuplot]');
    const reading = new Reading();
    const options = reading.options(`plot of ${positionals[0]}`);
    const written = await plotProcessLog(positionals[0]!, { out: values.out, gnuplot: values.gnuplot, title: values.title, reading: options }).finally(options.done);
    for (const path of written) process.stdout.write(`${path}\n`);
    return reading.truncated ? 1 : 0;
  },
};
