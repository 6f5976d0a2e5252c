/**
 * The top-lines rows of a `memtrace run --alloc` directory, from allocations.csv: the allocating
 * statement where the line probes told it (`--lines`), no line where they did not. A `.heapprofile`
 * alone only knows where each function starts, so a report prefers these rows whenever the directory
 * has them (docs/allocations.md: how statements are found).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALLOCATION_FILES, hasAllocations } from '../formats/allocation-run.js';
import { readAllocationsCsv, type AllocationRow } from '../formats/allocations-csv.js';
import type { LineRow } from './flame-tree.js';

/** Rows by function, file and statement (one per statement however many stacks reach it), largest self first. */
export function lineRowsFromAllocations(rows: readonly AllocationRow[]): LineRow[] {
  const byStatement = new Map<string, LineRow>();
  for (const row of rows) {
    const key = `${row.function}\0${row.file}\0${row.line ?? ''}`;
    const line = byStatement.get(key);
    if (line) {
      line.selfBytes += row.selfBytes;
      line.totalBytes += row.totalBytes;
    } else {
      byStatement.set(key, {
        function: row.function,
        file: row.file,
        line: row.line ?? 0,
        selfBytes: row.selfBytes,
        totalBytes: row.totalBytes,
      });
    }
  }
  return [...byStatement.values()].sort((a, b) => b.selfBytes - a.selfBytes || b.totalBytes - a.totalBytes);
}

/** The statement rows of `path` when it is a directory that `memtrace run --alloc` wrote, else undefined. */
export function allocationLinesOf(path: string): LineRow[] | undefined {
  if (!existsSync(path) || !statSync(path).isDirectory() || !hasAllocations(path)) return undefined;
  return lineRowsFromAllocations(readAllocationsCsv(join(path, ALLOCATION_FILES.table)));
}
