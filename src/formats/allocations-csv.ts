/**
 * allocations.csv: sampled allocations by site and statement, largest first. `line` and `column` are
 * the allocating statement's where line probes told it, empty where it is not known. `self_bytes`:
 * bytes the statement allocated itself (builtins it called included); `total_bytes`: with what the
 * calls it made allocated; `self_count`: samples.
 * `stack_id` names the site's node in stacks.csv.
 */
import { stringify } from 'csv-stringify/sync';
import type { SnapshotData } from './allocation-model.js';
import { numberCell, optionalNumberCell, readCsvRowsSync } from './csv-rows.js';

export const ALLOCATION_COLUMNS = ['function', 'file', 'line', 'column', 'self_bytes', 'total_bytes', 'self_count', 'stack_id'] as const;

export interface AllocationRow {
  function: string;
  file: string;
  line: number | null;
  column: number | null;
  selfBytes: number;
  totalBytes: number;
  selfCount: number;
  stackId: number;
}

/** The rows of a snapshot: one per site and statement. */
export function allocationRowsOf(data: SnapshotData): AllocationRow[] {
  // Inclusive bytes of every node: its traces' bytes added to it and each of its callers.
  const self = new Float64Array(data.stacks.length);
  for (const t of data.traces) self[t.stack] += t.bytes;
  const inclusive = Float64Array.from(self);
  for (let id = data.stacks.length - 1; id >= 0; id--) {
    // Children are always interned after their parents, so one backward pass adds every subtree up.
    const parent = data.stacks[id].parent;
    if (parent >= 0) inclusive[parent] += inclusive[id];
  }
  const rows = data.traces.map((t) => {
    const frame = data.frames[data.stacks[t.stack].frame];
    const callees = inclusive[t.stack] - self[t.stack];
    return {
      function: frame.function,
      file: frame.file,
      line: t.line,
      column: t.column,
      selfBytes: t.bytes,
      totalBytes: t.bytes + callees * t.calleeShare,
      selfCount: t.count,
      stackId: t.stack,
    };
  });
  return rows.filter((r) => r.totalBytes > 0).sort((a, b) => b.selfBytes - a.selfBytes || b.totalBytes - a.totalBytes);
}

export function formatAllocationsCsv(rows: readonly AllocationRow[]): string {
  return stringify(
    rows.map((r) => [
      r.function,
      r.file,
      r.line ?? '',
      r.column ?? '',
      Math.round(r.selfBytes),
      Math.round(r.totalBytes),
      Number(r.selfCount.toFixed(2)),
      r.stackId,
    ]),
    { header: true, columns: [...ALLOCATION_COLUMNS] },
  );
}

/** Every row (one per site and statement), read a chunk at a time. */
export function readAllocationsCsv(path: string): AllocationRow[] {
  return readCsvRowsSync(path, ALLOCATION_COLUMNS, (cells, splitter) => ({
    function: cells[0],
    file: cells[1],
    line: optionalNumberCell(cells[2]),
    column: optionalNumberCell(cells[3]),
    selfBytes: numberCell(cells, 4, 'self_bytes', splitter),
    totalBytes: numberCell(cells, 5, 'total_bytes', splitter),
    selfCount: numberCell(cells, 6, 'self_count', splitter),
    stackId: numberCell(cells, 7, 'stack_id', splitter),
  }));
}
