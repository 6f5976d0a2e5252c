/**
 * `memtrace export --parquet`: each table of a trace directory (the views of views.ts, so with their
 * types and the trace and pid columns) as OUTDIR/<table>.parquet, through DuckDB's COPY. Rows keep the
 * order of the files; pages are Snappy-compressed, the codec every Parquet reader has (zstd is ~20 %
 * smaller, but hyparquet and other light readers need a plug-in for it). On a terminal a progress line follows any table that takes more than a second.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EngineSettings } from './engine.js';
import { openTraceDatabase } from './database.js';
import { sqlString } from './views.js';
import { showProgress } from './progress.js';
import { makeDirectory } from '../shared/make-directory.js';

export interface ExportedTable {
  table: string;
  file: string;
  rows: number;
  bytes: number;
}

export interface ExportOptions {
  out: string;
  settings: EngineSettings;
  /** Where the progress line goes (when it is a terminal); default stderr. */
  progress?: NodeJS.WriteStream;
  /** Called as each table is written. */
  onTable?: (table: ExportedTable) => void;
}

export async function exportParquet(directory: string, options: ExportOptions): Promise<ExportedTable[]> {
  const database = await openTraceDatabase('export', directory, options.settings);
  try {
    makeDirectory(options.out);
    const written: ExportedTable[] = [];
    for (const table of database.traces.views.keys()) {
      const file = resolve(join(options.out, `${table}.parquet`));
      const done = showProgress(database.connection, `memtrace export: ${table}.parquet`, options.progress);
      try {
        const result = await database.guard(() =>
          database.connection.run(`COPY (SELECT * FROM "${table}") TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`),
        );
        done(); // before the "wrote" line
        const exported = { table, file, rows: Number(result.rowsChanged), bytes: statSync(file).size };
        written.push(exported);
        options.onTable?.(exported);
      } finally {
        done();
      }
    }
    return written;
  } finally {
    database.close();
  }
}
