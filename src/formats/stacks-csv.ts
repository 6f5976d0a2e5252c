/**
 * stacks.csv: the call tree of allocation sites, one row per node: the function (where it starts, in
 * original source) under its caller (`parent_id`, empty at the top). allocations.csv names a node by
 * `stack_id`; its stack is the chain of parents.
 */
import { stringify } from 'csv-stringify/sync';
import type { Frame, FrameKind } from './allocation-model.js';
import { numberCell, optionalNumberCell, readCsvRowsSync } from './csv-rows.js';

export const STACK_COLUMNS = ['stack_id', 'parent_id', 'function', 'file', 'line', 'column', 'kind'] as const;

export interface StackRow {
  stackId: number;
  /** null at the top of a stack. */
  parentId: number | null;
  function: string;
  file: string;
  /** Where the function starts (1-based); null where V8 gives no position (builtins). */
  line: number | null;
  column: number | null;
  kind: FrameKind;
}

export function stackRowsOf(frames: readonly Frame[], stacks: ReadonlyArray<{ frame: number; parent: number }>): StackRow[] {
  return stacks.map((node, stackId) => {
    const f = frames[node.frame];
    return {
      stackId,
      parentId: node.parent < 0 ? null : node.parent,
      function: f.function,
      file: f.file,
      line: f.line,
      column: f.column,
      kind: f.kind,
    };
  });
}

export function formatStacksCsv(rows: readonly StackRow[]): string {
  return stringify(
    rows.map((r) => [r.stackId, r.parentId ?? '', r.function, r.file, r.line ?? '', r.column ?? '', r.kind]),
    { header: true, columns: [...STACK_COLUMNS] },
  );
}

/** Every node of the call tree (allocations.csv names them by id), read a chunk at a time. */
export function readStacksCsv(path: string): StackRow[] {
  return readCsvRowsSync(path, STACK_COLUMNS, (cells, splitter) => ({
    stackId: numberCell(cells, 0, 'stack_id', splitter),
    parentId: optionalNumberCell(cells[1]),
    function: cells[2],
    file: cells[3],
    line: optionalNumberCell(cells[4]),
    column: optionalNumberCell(cells[5]),
    kind: cells[6] as FrameKind,
  }));
}

/** The frames of a stack, innermost first. */
export function stackOf(rows: readonly StackRow[], stackId: number): StackRow[] {
  const byId = new Map(rows.map((r) => [r.stackId, r]));
  const out: StackRow[] = [];
  for (let at: number | null = stackId; at !== null; ) {
    const row = byId.get(at);
    if (!row) break;
    out.push(row);
    at = row.parentId;
  }
  return out;
}
