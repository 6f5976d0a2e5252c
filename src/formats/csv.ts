/** Reading memtrace's CSV files: csv-parse, with the header checked and errors naming the file. */
import { parse } from 'csv-parse/sync';
import { TraceFileError } from '../errors.js';

/**
 * Parses `text` (from `path`) and checks its header is `columns`. A last line without its newline is
 * a row the writer never finished (the process was killed mid-write): it is left out, not an error.
 */
export function parseCsv(path: string, text: string, columns: readonly string[]): Array<Record<string, string>> {
  if (text.length === 0) throw new TraceFileError(path, 'the file is empty (expected a CSV header)');
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  if (firstLine.trim() !== columns.join(',')) {
    throw new TraceFileError(path, `the header is not ${columns.slice(0, 4).join(',')},... (found ${JSON.stringify(firstLine.slice(0, 60))})`);
  }
  try {
    return parse(complete, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  } catch (error) {
    throw new TraceFileError(path, `not valid CSV: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** A CSV cell that may be empty (a figure not read, a position not known): null, else its number. */
export function optionalNumber(text: string | undefined): number | null {
  return text === undefined || text === '' ? null : Number(text);
}
