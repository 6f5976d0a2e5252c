import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { engineSettings } from '../../query/engine.js';
import { queryTrace } from '../../query/query.js';

const SYNOPSIS = 'memtrace query DIR "SQL" [--csv | --json] [--memory-limit SIZE] [--threads N]';

/** The flags `query` and `export` share: DuckDB's memory and threads. */
export const ENGINE_OPTIONS = { 'memory-limit': { type: 'string' }, threads: { type: 'string' } } as const;

export const queryCommand: Command = {
  name: 'query',
  usage: `query DIR "SQL"                     SQL over a trace (DuckDB): tables events, functions, allocations,
                                    stacks, process, meta; DIR may hold several traces (memtrace run --out)
    --csv, --json    rows as CSV, or as a JSON array (default: an aligned table)
    --memory-limit SIZE  DuckDB's memory limit, spilling to a temporary directory beyond it
                     (default 400MB; MEMTRACE_QUERY_MEMORY)
    --threads N      DuckDB's threads (default 2 at most; MEMTRACE_QUERY_THREADS)`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { csv: { type: 'boolean' }, json: { type: 'boolean' }, ...ENGINE_OPTIONS },
    });
    if (positionals.length !== 2) throw new UsageError(`memtrace query: name a trace directory and one SQL statement: ${SYNOPSIS}`);
    if (values.csv && values.json) throw new UsageError('memtrace query: give --csv or --json, not both');
    const settings = engineSettings({ memoryLimit: values['memory-limit'], threads: values.threads });
    const [directory, sql] = positionals as [string, string];
    await queryTrace(directory, sql, { format: values.csv ? 'csv' : values.json ? 'json' : 'table', settings, out: process.stdout });
    return 0;
  },
};
