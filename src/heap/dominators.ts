/**
 * Immediate dominators and retained sizes, on typed arrays and without recursion (a chain of a million
 * objects must not overflow the stack): an iterative depth-first search numbers the nodes in post-order,
 * then Cooper, Harvey and Kennedy's iteration ("A Simple, Fast Dominance Algorithm", 2001) runs over
 * them in reverse post-order, revisiting only nodes whose retainers changed, as Chrome DevTools does.
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
  /** Post-order position → node ordinal: every node comes after all it dominates. */
  postOrder: Uint32Array;
  /** Nodes the root does not reach through retaining edges. */
  unreachable: number;
}

export function computeDominators(raw: RawSnapshot, kinds: EdgeKinds, retainers: Retainers): DominatorTree {
  const n = raw.nodeCount;
  const { postOrder, position, heldByRoot, unreachable } = numberPostOrder(raw, kinds);
  const none = n;
  const rootPosition = n - 1;
  // Dominators by post-order position: a dominator always has a higher position than what it dominates.
  const dom = new Uint32Array(n).fill(none);
  dom[rootPosition] = rootPosition;
  const affected = new Uint8Array(n).fill(1);
  const { first, owners } = retainers;
  const { firstEdge, edgeToNode } = raw;
  let changed = true;
  while (changed) {
    changed = false;
    for (let p = rootPosition - 1; p >= 0; p--) {
      if (affected[p] === 0) continue;
      affected[p] = 0;
      if (dom[p] === rootPosition) continue; // cannot move any higher
      const node = postOrder[p];
      let idom = none;
      if (heldByRoot[node]) idom = rootPosition;
      else {
        for (let r = first[node], end = first[node + 1]; r < end; r++) {
          let q = position[owners[r]];
          if (dom[q] === none) continue;
          if (idom === none) idom = q;
          else {
            while (q !== idom) {
              while (q < idom) q = dom[q];
              while (idom < q) idom = dom[idom];
            }
          }
          if (idom === rootPosition) break;
        }
      }
      if (idom !== none && dom[p] !== idom) {
        dom[p] = idom;
        changed = true;
        for (let e = firstEdge[node], end = firstEdge[node + 1]; e < end; e++) affected[position[edgeToNode[e]]] = 1;
      }
    }
  }
  const dominator = new Uint32Array(n);
  for (let p = 0; p < n; p++) dominator[postOrder[p]] = postOrder[dom[p]];
  const retainedSize = Float64Array.from(raw.nodeSelfSize);
  for (let p = 0; p < rootPosition; p++) {
    const node = postOrder[p];
    retainedSize[dominator[node]] += retainedSize[node];
  }
  return { dominator, retainedSize, postOrder, unreachable };
}

/**
 * Depth-first search from the root over retaining edges, with an explicit stack. When the root's own
 * edges are done, each node still unvisited becomes a new child of the root (`heldByRoot`), so the root
 * finishes last.
 */
function numberPostOrder(raw: RawSnapshot, kinds: EdgeKinds) {
  const n = raw.nodeCount;
  const { firstEdge, edgeType, edgeToNode } = raw;
  const stackNode = new Uint32Array(n);
  const stackEdge = new Uint32Array(n);
  const visited = new Uint8Array(n);
  const heldByRoot = new Uint8Array(n);
  const postOrder = new Uint32Array(n);
  const position = new Uint32Array(n);
  let next = 0;
  let top = 0;
  let unvisitedCursor = 0;
  let reachable = -1;
  stackNode[0] = ROOT;
  stackEdge[0] = firstEdge[ROOT];
  visited[ROOT] = 1;
  while (top >= 0) {
    const node = stackNode[top];
    const e = stackEdge[top];
    if (e < firstEdge[node + 1]) {
      stackEdge[top] = e + 1;
      const child = edgeToNode[e];
      if (visited[child] || !isRetaining(kinds, node, edgeType[e])) continue;
      visited[child] = 1;
      top++;
      stackNode[top] = child;
      stackEdge[top] = firstEdge[child];
      continue;
    }
    if (top === 0) {
      if (reachable < 0) reachable = next + 1;
      while (unvisitedCursor < n && visited[unvisitedCursor]) unvisitedCursor++;
      if (unvisitedCursor < n) {
        const orphan = unvisitedCursor;
        visited[orphan] = 1;
        heldByRoot[orphan] = 1;
        top = 1;
        stackNode[1] = orphan;
        stackEdge[1] = firstEdge[orphan];
        continue;
      }
    }
    position[node] = next;
    postOrder[next++] = node;
    top--;
  }
  return { postOrder, position, heldByRoot, unreachable: n - reachable };
}
