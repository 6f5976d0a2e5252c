import { defineCommand, UsageError } from '../command.js';
import { engineSettings } from '../../query/engine.js';
import { queryTrace } from '../../query/query.js';

const SYNOPSIS = 'memtrace query DIR "SQL" [--csv | --json] [--memory-limit SIZE] [--threads N]';

/** The flags `query` and `export` share: DuckDB's memory and threads. */
export const ENGINE_OPTIONS = {
  'memory-limit': {
    type: 'string',
    value: 'SIZE',
    default: '400MB; MEMTRACE_QUERY_MEMORY',
    description: "DuckDB's memory limit, spilling to a temporary directory beyond it",
  },
  threads: { type: 'string', value: 'N', default: '2 at most; MEMTRACE_QUERY_THREADS', description: "DuckDB's threads" },
} as const;

export const queryCommand = defineCommand({
  name: 'query',
  summary: 'SQL over a trace (DuckDB): tables events, functions, allocations, stacks, process, meta',
  synopsis: ['DIR "SQL" [--csv | --json] [--memory-limit SIZE] [--threads N]'],
  details:
    'DIR is a trace directory or a directory of several traces (the --out of one memtrace run): a trace and a pid column tell them apart. Tables and columns: docs/query.md.',
  options: {
    csv: { type: 'boolean', description: 'rows as CSV (default: an aligned table)' },
    json: { type: 'boolean', description: 'rows as a JSON array' },
    ...ENGINE_OPTIONS,
  },
  examples: [
    'memtrace query trace "SELECT function, sum(total_alloc_bytes) AS bytes FROM functions GROUP BY function ORDER BY bytes DESC LIMIT 5"',
    'memtrace query trace "SELECT * FROM meta" --json',
  ],
  async run(values, positionals) {
    if (positionals.length !== 2) throw new UsageError(`memtrace query: name a trace directory and one SQL statement: ${SYNOPSIS}`);
    if (values.csv && values.json) throw new UsageError('memtrace query: give --csv or --json, not both');
    const settings = engineSettings({ memoryLimit: values['memory-limit'], threads: values.threads });
    const [directory, sql] = positionals as [string, string];
    await queryTrace(directory, sql, { format: values.csv ? 'csv' : values.json ? 'json' : 'table', settings, out: process.stdout });
    return 0;
  },
});
