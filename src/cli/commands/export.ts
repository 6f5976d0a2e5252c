import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { engineSettings } from '../../query/engine.js';
import { exportParquet } from '../../query/export.js';
import { formatBytes } from '../../report/units.js';
import { ENGINE_OPTIONS } from './query.js';

const SYNOPSIS = 'memtrace export DIR --parquet --out OUTDIR [--memory-limit SIZE] [--threads N]';

export const exportCommand: Command = {
  name: 'export',
  usage: `export DIR --parquet --out OUTDIR   each table of the trace(s) as OUTDIR/<table>.parquet (docs/query.md)
    --memory-limit SIZE, --threads N   as for query`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { parquet: { type: 'boolean' }, out: { type: 'string' }, ...ENGINE_OPTIONS },
    });
    if (positionals.length !== 1) throw new UsageError(`memtrace export: name one trace directory: ${SYNOPSIS}`);
    if (!values.parquet) throw new UsageError(`memtrace export: say the format (--parquet is the one there is): ${SYNOPSIS}`);
    if (!values.out) throw new UsageError(`memtrace export: name the directory to write into with --out: ${SYNOPSIS}`);
    const settings = engineSettings({ memoryLimit: values['memory-limit'], threads: values.threads });
    await exportParquet(positionals[0]!, {
      out: values.out,
      settings,
      progress: process.stderr,
      onTable: ({ file, rows, bytes }) => process.stdout.write(`memtrace: wrote ${file} (${rows} rows, ${formatBytes(bytes)})\n`),
    });
    return 0;
  },
};
