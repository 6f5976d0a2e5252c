/**
 * A query's rows out, one chunk (DuckDB's 2,048 rows) at a time: as an aligned text table, as CSV
 * (csv-stringify) or as JSON (an array with one row object per line). Nothing holds more than a
 * chunk, so a result of millions of rows streams through in constant memory; the text table takes its
 * column widths from the first chunk (a longer cell later widens only its own row).
 */
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { columnWidths, renderRow } from '../shared/text-table.js';

export type OutputFormat = 'table' | 'csv' | 'json';

/** A cell as DuckDB's JSON converter gives it: big integers, decimals and times arrive as strings. */
export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell };

export interface Columns {
  names: string[];
  /** DuckDB's type of each column, as it prints it ('BIGINT', 'DECIMAL(18,3)', 'VARCHAR[]'). */
  types: string[];
}

export interface RowWriter {
  write(rows: Cell[][]): Promise<void>;
  end(): Promise<void>;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)\b/;

function text(cell: Cell): string {
  if (cell === null) return '';
  return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}

/** Writes and waits for the stream to drain when it asks to, so a slow reader (a pager) holds the query back. */
async function put(out: Writable, chunk: string): Promise<void> {
  if (chunk === '' || out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      out.off('error', reject);
      resolve();
    };
    out.once('drain', done);
    out.once('error', reject);
  });
}

export function rowWriter(format: OutputFormat, columns: Columns, out: Writable): RowWriter {
  const numeric = columns.types.map((type) => NUMERIC.test(type));
  if (format === 'csv') {
    let header = true;
    return {
      async write(rows) {
        await put(
          out,
          stringify(
            rows.map((row) => row.map(text)),
            { header, columns: columns.names },
          ),
        );
        header = false;
      },
      async end() {
        if (header) await put(out, stringify([], { header: true, columns: columns.names }));
      },
    };
  }
  if (format === 'json') {
    let first = true;
    // A number DuckDB handed over as a string (BIGINT, HUGEINT, DECIMAL) goes out as a JSON number when exact.
    const value = (cell: Cell, i: number): Cell =>
      numeric[i] && typeof cell === 'string' && Number.isSafeInteger(Number(cell)) ? Number(cell) : cell;
    return {
      async write(rows) {
        const lines = rows.map((row) => JSON.stringify(Object.fromEntries(row.map((cell, i) => [columns.names[i], value(cell, i)]))));
        await put(out, `${first ? '[\n' : ',\n'}${lines.join(',\n')}`);
        first = false;
      },
      async end() {
        await put(out, first ? '[]\n' : '\n]\n');
      },
    };
  }
  let widths: number[] | undefined;
  return {
    async write(rows) {
      const cells = rows.map((row) => row.map(text));
      let lines = '';
      if (!widths) {
        widths = columnWidths(columns.names, cells);
        lines = `${renderRow(columns.names, widths, numeric)}\n`;
      }
      for (const row of cells) lines += `${renderRow(row, widths, numeric)}\n`;
      await put(out, lines);
    },
    async end() {
      if (!widths) await put(out, `${renderRow(columns.names, columnWidths(columns.names, []), numeric)}\n`);
    },
  };
}
