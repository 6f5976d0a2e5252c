import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { readTrace } from '../../formats/trace.js';
import { renderTopFunctions } from '../../report/top-functions.js';

export const reportCommand: Command = {
  name: 'report',
  usage: `report DIR [--top N]                the functions that allocated most, as a table`,
  run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { top: { type: 'string' } } });
    if (positionals.length === 0) throw new UsageError('memtrace report: name a trace directory: memtrace report DIR [--top N]');
    for (const directory of positionals) process.stdout.write(renderTopFunctions(readTrace(directory), Number(values.top ?? 20)));
    return 0;
  },
};
