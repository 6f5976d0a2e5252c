/**
 * `memtrace query`: one SQL statement over a trace directory's views, its rows streamed out chunk by
 * chunk (DuckDB's streaming result), so the result is never whole in memory.
 */
import type { Writable } from 'node:stream';
import type { EngineSettings } from './engine.js';
import { openTraceDatabase } from './database.js';
import { showProgress } from './progress.js';
import { rowWriter, type Cell, type OutputFormat } from './output.js';

export interface QueryOptions {
  format: OutputFormat;
  settings: EngineSettings;
  out: Writable;
}

/** Runs `sql` over the traces in `directory` and writes its rows to `options.out`; returns the row count. */
export async function queryTrace(directory: string, sql: string, options: QueryOptions): Promise<number> {
  const database = await openTraceDatabase('query', directory, options.settings);
  try {
    return await database.guard(async () => {
      // The line shows until the first rows are out (an aggregate over every event has none before it ends).
      const done = showProgress(database.connection, 'memtrace query:');
      try {
        const result = await database.connection.stream(sql);
        const columns = { names: result.columnNames(), types: result.columnTypes().map((type) => type.toString()) };
        const writer = rowWriter(options.format, columns, options.out);
        let count = 0;
        for await (const rows of result.yieldRowsJson()) {
          done();
          await writer.write(rows as Cell[][]);
          count += rows.length;
        }
        done();
        await writer.end();
        return count;
      } finally {
        done();
      }
    });
  } finally {
    database.close();
  }
}
