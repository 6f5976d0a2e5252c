/** functions.csv: one row per traced function that was called, sorted by total allocated bytes. */
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { parseCsv } from './csv.js';

export const FUNCTION_COLUMNS = [
  'function', 'file', 'line', 'column', 'calls', 'measured_calls', 'self_alloc_bytes', 'total_alloc_bytes',
  'max_heap_growth_bytes', 'self_time_ns', 'total_time_ns',
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
    text += `${names},${r.line},${r.column},${r.calls},${r.measuredCalls},${Math.round(r.selfAllocBytes)},${Math.round(r.totalAllocBytes)},`
      + `${Math.round(r.maxHeapGrowthBytes)},${Math.round(r.selfTimeNs)},${Math.round(r.totalTimeNs)}\n`;
  }
  return text;
}

export function readFunctionsCsv(path: string): FunctionRow[] {
  return parseCsv(path, readFileSync(path, 'utf8'), FUNCTION_COLUMNS).map((r) => ({
    function: r.function!,
    file: r.file!,
    line: Number(r.line),
    column: Number(r.column),
    calls: Number(r.calls),
    measuredCalls: Number(r.measured_calls),
    selfAllocBytes: Number(r.self_alloc_bytes),
    totalAllocBytes: Number(r.total_alloc_bytes),
    maxHeapGrowthBytes: Number(r.max_heap_growth_bytes),
    selfTimeNs: Number(r.self_time_ns),
    totalTimeNs: Number(r.total_time_ns),
  }));
}
