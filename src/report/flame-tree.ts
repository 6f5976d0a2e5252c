/**
 * Allocations by call stack as a tree of frames, the data of the flame graph; and its flat view,
 * allocations by source line (the top-lines table). Built from V8's sampling heap profile (what
 * `node --heap-prof` writes and `HeapProfiler.getSamplingProfile` returns), where one function can
 * appear as several nodes under the same parent (V8 keeps one node per call site and script id):
 * those are merged, so each stack is one path.
 */
import { fileURLToPath } from 'node:url';
import type { HeapProfile, HeapProfileNode } from '../formats/heap-profile.js';

export interface FlameNode {
  /** The function's name; `(anonymous)` where V8 gives none. */
  name: string;
  /** A path for local files, else what V8 gives (`node:internal/...`); empty for V8's own frames. */
  file: string;
  /** 1-based, as editors count; 0 where unknown. */
  line: number;
  /** 1-based; 0 where unknown. */
  column: number;
  /** Bytes allocated by this frame itself (sampled estimate). */
  selfBytes: number;
  /** selfBytes plus the totalBytes of every child. */
  totalBytes: number;
  /** Samples taken in this frame itself, where the profile lists its samples. */
  selfCount?: number;
  children: FlameNode[];
}

/** One row of the top-lines table: a source position and what was allocated there and below it. */
export interface LineRow {
  function: string;
  file: string;
  line: number;
  selfBytes: number;
  /** Bytes allocated under stacks that pass through this line, counted once however deep it recurses. */
  totalBytes: number;
  /**
   * For a frame without a source position (a builtin such as `join` or `Map.prototype.set`, which V8
   * shows as its own frame): the nearest caller that has one, so rows of the same builtin called from
   * different places stay apart.
   */
  caller?: { function: string; file: string; line: number };
}

/** Where V8 gives a file:// URL, the path; otherwise the URL itself (node:internal/..., https://...). */
export function displayFile(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

const frameKey = (node: Pick<FlameNode, 'name' | 'file' | 'line' | 'column'>) => `${node.name}\0${node.file}\0${node.line}\0${node.column}`;

/**
 * The profile as a FlameNode tree rooted at `(root)`, identical sibling frames merged, children
 * sorted by total bytes (largest first), totals summed bottom-up.
 */
export function flameTreeFromHeapProfile(profile: HeapProfile): FlameNode {
  const counts = new Map<number, number>();
  for (const sample of profile.samples ?? []) counts.set(sample.nodeId, (counts.get(sample.nodeId) ?? 0) + 1);
  const hasCounts = profile.samples !== undefined;

  // Iterative, because V8 stacks of deep recursion can be thousands of frames deep.
  const root = toFlameNode(profile.head, counts, hasCounts);
  const pending: Array<[HeapProfileNode, FlameNode]> = [[profile.head, root]];
  while (pending.length > 0) {
    const [source, target] = pending.pop()!;
    const byKey = new Map<string, FlameNode>();
    for (const child of target.children) byKey.set(frameKey(child), child);
    for (const sourceChild of source.children) {
      const converted = toFlameNode(sourceChild, counts, hasCounts);
      const key = frameKey(converted);
      const existing = byKey.get(key);
      if (existing) {
        existing.selfBytes += converted.selfBytes;
        if (existing.selfCount !== undefined) existing.selfCount += converted.selfCount ?? 0;
        pending.push([sourceChild, existing]);
      } else {
        byKey.set(key, converted);
        target.children.push(converted);
        pending.push([sourceChild, converted]);
      }
    }
  }
  sumTotals(root);
  return root;
}

function toFlameNode(node: HeapProfileNode, counts: Map<number, number>, hasCounts: boolean): FlameNode {
  const frame = node.callFrame;
  const flame: FlameNode = {
    name: frame.functionName || (frame.url ? '(anonymous)' : '(native)'),
    file: displayFile(frame.url),
    line: frame.lineNumber >= 0 ? frame.lineNumber + 1 : 0,
    column: frame.columnNumber >= 0 ? frame.columnNumber + 1 : 0,
    selfBytes: node.selfSize,
    totalBytes: 0,
    children: [],
  };
  if (hasCounts) flame.selfCount = node.id === undefined ? 0 : (counts.get(node.id) ?? 0);
  return flame;
}

/** Fills totalBytes bottom-up and sorts children largest first (post-order, without recursion). */
function sumTotals(root: FlameNode): void {
  const order: FlameNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    order.push(node);
    for (const child of node.children) stack.push(child);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    node.totalBytes = node.selfBytes;
    for (const child of node.children) node.totalBytes += child.totalBytes;
    node.children.sort((a, b) => b.totalBytes - a.totalBytes);
  }
}

/** Several trees (one per profile: threads, child processes) under one root, each labelled. */
export function mergeFlameTrees(trees: ReadonlyArray<{ label: string; tree: FlameNode }>): FlameNode {
  if (trees.length === 1) return trees[0].tree;
  const children = trees.map(({ label, tree }) => ({ ...tree, name: label }));
  const root: FlameNode = { name: '(all)', file: '', line: 0, column: 0, selfBytes: 0, totalBytes: 0, children };
  sumTotals(root);
  return root;
}

/** Visits every node with its depth (root 0), parents before children, without recursion. */
export function walkFlameTree(root: FlameNode, visit: (node: FlameNode, depth: number, parent: FlameNode | undefined) => void): void {
  const stack: Array<[FlameNode, number, FlameNode | undefined]> = [[root, 0, undefined]];
  while (stack.length > 0) {
    const [node, depth, parent] = stack.pop()!;
    visit(node, depth, parent);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i], depth + 1, node]);
  }
}

/**
 * Allocations by source line (function, file, line), sorted by self bytes. A line's total counts each
 * allocation under it once, even where the line is on the stack several times (recursion).
 */
export function topLines(root: FlameNode): LineRow[] {
  const rows = new Map<string, LineRow>();
  const onStack = new Map<string, number>();
  // Depth-first with explicit enter/leave so the set of lines on the current stack is known.
  type Step = { node: FlameNode; leaving: boolean; caller: FlameNode | undefined; key?: string };
  const stack: Step[] = [{ node: root, leaving: false, caller: undefined }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const { node, caller } = step;
    if (step.leaving) {
      const depth = onStack.get(step.key!)! - 1;
      if (depth === 0) onStack.delete(step.key!);
      else onStack.set(step.key!, depth);
      continue;
    }
    if (node !== root) {
      const builtin = !node.file && caller !== undefined;
      const key = `${node.name}\0${node.file}\0${node.line}${builtin ? `\0${caller.name}\0${caller.file}\0${caller.line}` : ''}`;
      let row = rows.get(key);
      if (!row) {
        row = { function: node.name, file: node.file, line: node.line, selfBytes: 0, totalBytes: 0 };
        if (builtin) row.caller = { function: caller.name, file: caller.file, line: caller.line };
        rows.set(key, row);
      }
      row.selfBytes += node.selfBytes;
      if (!onStack.has(key)) row.totalBytes += node.totalBytes;
      onStack.set(key, (onStack.get(key) ?? 0) + 1);
      stack.push({ node, leaving: true, caller, key });
    }
    const childCaller = node.file ? node : caller;
    for (const child of node.children) stack.push({ node: child, leaving: false, caller: childCaller });
  }
  return [...rows.values()].sort((a, b) => b.selfBytes - a.selfBytes || b.totalBytes - a.totalBytes);
}

/** Where a row is, for a table: `file:line`, or for a builtin the caller it was called from. */
export function lineRowWhere(row: LineRow): string {
  if (row.file) return `${row.file}${row.line ? `:${row.line}` : ''}`;
  if (row.caller) return `builtin, called from ${row.caller.function} ${row.caller.file}${row.caller.line ? `:${row.caller.line}` : ''}`;
  return '';
}
