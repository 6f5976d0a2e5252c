import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { plotProcessLog } from '../../report/plot.js';

export const plotCommand: Command = {
  name: 'plot',
  usage: `plot FILE.csv [--out STEM] [--gnuplot]   a process log as FILE.svg and FILE.html (and .dat + .plt for gnuplot)`,
  run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, gnuplot: { type: 'boolean' }, title: { type: 'string' } } });
    if (positionals.length !== 1) throw new UsageError('memtrace plot: name one process CSV: memtrace plot FILE.csv [--out STEM] [--gnuplot]');
    for (const path of plotProcessLog(positionals[0]!, { out: values.out, gnuplot: values.gnuplot, title: values.title })) process.stdout.write(`${path}\n`);
    return 0;
  },
};
