/** Reading a CSV text already in memory (a small file, or text a test made) with the chunked reader's rules. */
import { CsvRowSplitter } from './csv-rows.js';

/**
 * Parses `text` (from `path`) and checks its header is `columns`. A last line without its newline is
 * a row the writer never finished (the process was killed mid-write): it is left out, not an error.
 */
export function parseCsv(path: string, text: string, columns: readonly string[]): Array<Record<string, string>> {
  const splitter = new CsvRowSplitter(path, columns);
  const records: Array<Record<string, string>> = [];
  splitter.push(text, (cells) => records.push(Object.fromEntries(columns.map((column, i) => [column, cells[i]]))));
  splitter.end();
  return records;
}
