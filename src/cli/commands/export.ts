import { defineCommand, UsageError } from '../command.js';
import { engineSettings } from '../../query/engine.js';
import { exportParquet } from '../../query/export.js';
import { formatBytes } from '../../shared/units.js';
import { ENGINE_OPTIONS } from './query.js';

const SYNOPSIS = 'memtrace export DIR --parquet --out OUTDIR [--memory-limit SIZE] [--threads N]';

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'each table of a trace as OUTDIR/<table>.parquet (for DuckDB, pandas, polars, Spark)',
  synopsis: ['DIR --parquet --out OUTDIR [--memory-limit SIZE] [--threads N]'],
  options: {
    parquet: { type: 'boolean', description: 'write Parquet (the one format there is)' },
    out: { type: 'string', value: 'OUTDIR', description: 'the directory to write into' },
    ...ENGINE_OPTIONS,
  },
  examples: ['memtrace export trace --parquet --out trace-parquet'],
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError(`memtrace export: name one trace directory: ${SYNOPSIS}`);
    if (!values.parquet) throw new UsageError(`memtrace export: say the format (--parquet is the one there is): ${SYNOPSIS}`);
    if (!values.out) throw new UsageError(`memtrace export: name the directory to write into with --out: ${SYNOPSIS}`);
    const settings = engineSettings({ memoryLimit: values['memory-limit'], threads: values.threads });
    await exportParquet(positionals[0], {
      out: values.out,
      settings,
      progress: process.stderr,
      onTable: ({ file, rows, bytes }) => process.stdout.write(`memtrace: wrote ${file} (${rows} rows, ${formatBytes(bytes)})\n`),
    });
    return 0;
  },
});
