/** functions.csv: one row per traced function that was called, sorted by total allocated bytes. */
import { stringify } from 'csv-stringify/sync';
import { numberCell, readCsvRowsSync } from './csv-rows.js';

export const FUNCTION_COLUMNS = [
  'function',
  'file',
  'line',
  'column',
  'calls',
  'measured_calls',
  'self_alloc_bytes',
  'total_alloc_bytes',
  'max_heap_growth_bytes',
  'self_time_ns',
  'total_time_ns',
] as const;

export interface FunctionRow {
  function: string;
  file: string;
  line: number;
  column: number;
  calls: number;
  measuredCalls: number;
  selfAllocBytes: number;
  totalAllocBytes: number;
  maxHeapGrowthBytes: number;
  selfTimeNs: number;
  totalTimeNs: number;
}

/**
 * functions.csv's text. The name and file of each function are quoted by csv-stringify once per
 * `quoted` cache (the writer thread keeps one: its checkpoints format the same functions every
 * second, and quoting each field anew cost ~75 µs a row); the numbers are plain digits.
 */
export function formatFunctionsCsv(rows: readonly FunctionRow[], quoted = new Map<string, string>()): string {
  const sorted = [...rows].sort((a, b) => b.totalAllocBytes - a.totalAllocBytes || b.calls - a.calls);
  let text = `${FUNCTION_COLUMNS.join(',')}\n`;
  for (const r of sorted) {
    const key = `${r.function}\0${r.file}`;
    let names = quoted.get(key);
    if (names === undefined) {
      names = stringify([[r.function, r.file]], { eof: false });
      quoted.set(key, names);
    }
    text +=
      `${names},${r.line},${r.column},${r.calls},${r.measuredCalls},${Math.round(r.selfAllocBytes)},${Math.round(r.totalAllocBytes)},` +
      `${Math.round(r.maxHeapGrowthBytes)},${Math.round(r.selfTimeNs)},${Math.round(r.totalTimeNs)}\n`;
  }
  return text;
}

/** Every row (one per function: the table needs them all), read a chunk at a time. */
export function readFunctionsCsv(path: string): FunctionRow[] {
  return readCsvRowsSync(path, FUNCTION_COLUMNS, (cells, splitter) => ({
    function: cells[0],
    file: cells[1],
    line: numberCell(cells, 2, 'line', splitter),
    column: numberCell(cells, 3, 'column', splitter),
    calls: numberCell(cells, 4, 'calls', splitter),
    measuredCalls: numberCell(cells, 5, 'measured_calls', splitter),
    selfAllocBytes: numberCell(cells, 6, 'self_alloc_bytes', splitter),
    totalAllocBytes: numberCell(cells, 7, 'total_alloc_bytes', splitter),
    maxHeapGrowthBytes: numberCell(cells, 8, 'max_heap_growth_bytes', splitter),
    selfTimeNs: numberCell(cells, 9, 'self_time_ns', splitter),
    totalTimeNs: numberCell(cells, 10, 'total_time_ns', splitter),
  }));
}
