/**
 * Immediate dominators and retained sizes, on typed arrays and without recursion (a chain of a million
 * objects must not overflow the stack): Lengauer and Tarjan's algorithm ("A fast algorithm for finding
 * dominators in a flowgraph", 1979, the simple version with path compression, O(E log N)) over an
 * iterative depth-first numbering. Cooper–Harvey–Kennedy, which Chrome DevTools uses, is simpler but
 * quadratic on heaps where one node (a hidden class) is held by every link of a long chain.
 *
 * Nodes the root cannot reach through retaining edges (held only weakly, or garbage not yet collected)
 * are searched from in turn as if the root held them, so every node gets a dominator and the root's
 * retained size is the whole heap.
 */
import type { RawSnapshot } from '../formats/heapsnapshot.js';
import type { EdgeKinds, Retainers } from './graph.js';
import { isRetaining, ROOT } from './graph.js';

export interface DominatorTree {
  /** Node ordinal → its immediate dominator's ordinal (the root's is itself). */
  dominator: Uint32Array;
  /** Node ordinal → bytes freed if it were gone: its self size plus that of every node it dominates. */
  retainedSize: Float64Array;
}

const NONE = 0xffffffff;

export function computeDominators(raw: RawSnapshot, kinds: EdgeKinds, retainers: Retainers): DominatorTree {
  const n = raw.nodeCount;
  const search = depthFirst(raw, kinds);
  const { order, parent, heldByRoot } = search;
  const dfnum = search.dfnum;
  // Everything below is indexed by depth-first number: the root is 0, an ancestor has a smaller number.
  const semi = new Uint32Array(n);
  const label = new Uint32Array(n);
  const ancestor = new Uint32Array(n).fill(NONE);
  const idom = new Uint32Array(n);
  const bucketHead = new Uint32Array(n).fill(NONE);
  const bucketNext = search.spare1; // free after the search
  const path = search.spare2;
  for (let i = 0; i < n; i++) {
    semi[i] = i;
    label[i] = i;
  }
  const { first, owners } = retainers;

  // The node with the smallest semidominator on v's path of linked ancestors (path compression).
  const evaluate = (v: number): number => {
    if (ancestor[v] === NONE) return v;
    let top = 0;
    let x = v;
    while (ancestor[ancestor[x]] !== NONE) {
      path[top++] = x;
      x = ancestor[x];
    }
    while (top > 0) {
      const y = path[--top];
      const a = ancestor[y];
      if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
      ancestor[y] = ancestor[a];
    }
    return label[v];
  };

  for (let w = n - 1; w > 0; w--) {
    const node = order[w];
    if (heldByRoot[node]) semi[w] = 0;
    else {
      for (let r = first[node], end = first[node + 1]; r < end; r++) {
        const u = evaluate(dfnum[owners[r]]);
        if (semi[u] < semi[w]) semi[w] = semi[u];
      }
    }
    bucketNext[w] = bucketHead[semi[w]];
    bucketHead[semi[w]] = w;
    const p = parent[w];
    ancestor[w] = p;
    for (let v = bucketHead[p]; v !== NONE; v = bucketNext[v]) {
      const u = evaluate(v);
      idom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = NONE;
  }
  for (let w = 1; w < n; w++) if (idom[w] !== semi[w]) idom[w] = idom[idom[w]];
  idom[0] = 0;

  const dominator = new Uint32Array(n);
  for (let w = 0; w < n; w++) dominator[order[w]] = order[idom[w]];
  // A dominator has a smaller number than what it dominates: sum from the leaves up.
  const retainedSize = Float64Array.from(raw.nodeSelfSize);
  for (let w = n - 1; w > 0; w--) retainedSize[order[idom[w]]] += retainedSize[order[w]];
  return { dominator, retainedSize };
}

/**
 * Depth-first search from the root over retaining edges, with an explicit stack, numbering nodes in
 * the order found. When the root's own edges are done, each node still unvisited becomes a new child
 * of the root (`heldByRoot`).
 */
function depthFirst(raw: RawSnapshot, kinds: EdgeKinds) {
  const n = raw.nodeCount;
  const { firstEdge, edgeType, edgeToNode } = raw;
  const stackNode = new Uint32Array(n);
  const stackEdge = new Uint32Array(n);
  const dfnum = new Uint32Array(n).fill(NONE);
  const order = new Uint32Array(n);
  const parent = new Uint32Array(n);
  const heldByRoot = new Uint8Array(n);
  let next = 0;
  let top = 0;
  let unvisitedCursor = 0;
  stackNode[0] = ROOT;
  stackEdge[0] = firstEdge[ROOT];
  dfnum[ROOT] = next;
  order[next++] = ROOT;
  while (top >= 0) {
    const node = stackNode[top];
    const e = stackEdge[top];
    if (e < firstEdge[node + 1]) {
      stackEdge[top] = e + 1;
      const child = edgeToNode[e];
      if (dfnum[child] !== NONE || !isRetaining(kinds, node, edgeType[e])) continue;
      parent[next] = dfnum[node];
      dfnum[child] = next;
      order[next++] = child;
      top++;
      stackNode[top] = child;
      stackEdge[top] = firstEdge[child];
      continue;
    }
    if (top === 0) {
      while (unvisitedCursor < n && dfnum[unvisitedCursor] !== NONE) unvisitedCursor++;
      if (unvisitedCursor < n) {
        const orphan = unvisitedCursor;
        heldByRoot[orphan] = 1;
        parent[next] = 0;
        dfnum[orphan] = next;
        order[next++] = orphan;
        top = 1;
        stackNode[1] = orphan;
        stackEdge[1] = firstEdge[orphan];
        continue;
      }
    }
    top--;
  }
  return { dfnum, order, parent, heldByRoot, spare1: stackNode, spare2: stackEdge };
}
