/**
 * stacks.csv: the call tree of allocation sites, one row per node: the function (where it starts, in
 * original source) under its caller (`parent_id`, empty at the top). allocations.csv names a node by
 * `stack_id`; its stack is the chain of parents.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { Frame, FrameKind } from '../alloc/frames.js';
import { parseCsv, optionalNumber } from './csv.js';

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
    const f = frames[node.frame]!;
    return { stackId, parentId: node.parent < 0 ? null : node.parent, function: f.function, file: f.file, line: f.line, column: f.column, kind: f.kind };
  });
}

export function formatStacksCsv(rows: readonly StackRow[]): string {
  return stringify(rows.map((r) => [r.stackId, r.parentId ?? '', r.function, r.file, r.line ?? '', r.column ?? '', r.kind]), { header: true, columns: [...STACK_COLUMNS] });
}

export function readStacksCsv(path: string): StackRow[] {
  return parseCsv(path, readFileSync(path, 'utf8'), STACK_COLUMNS).map((r) => ({
    stackId: Number(r.stack_id),
    parentId: optionalNumber(r.parent_id),
    function: r.function!,
    file: r.file!,
    line: optionalNumber(r.line),
    column: optionalNumber(r.column),
    kind: r.kind as FrameKind,
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
