/**
 * Shortest retainer paths from the root: a breadth-first search that records, for each node, the edge
 * it was first reached by. Two rounds: the first follows the edges a program makes (properties,
 * elements, closure variables, collection tables) and avoids V8's own machinery (hidden edges, maps,
 * code, feedback vectors); the second goes on from everything found over every strong edge, so an
 * object held only through V8's internals still gets a path. Weak edges are never followed.
 */
import type { RawSnapshot } from '../formats/heapsnapshot.js';
import type { EdgeKinds } from './graph.js';
import { isRetaining, ROOT } from './graph.js';

export const NO_EDGE = 0xffffffff;

export interface ShortestPaths {
  /** Node ordinal → the edge index that reaches it on a shortest path, or NO_EDGE (root, unreachable). */
  parentEdge: Uint32Array;
  /** Node ordinal → the owner of parentEdge. */
  parentNode: Uint32Array;
  /** Nodes in the order found (a parent always before its children). */
  order: Uint32Array;
  /** How many entries of `order` are used. */
  reached: number;
}

export function computeShortestPaths(raw: RawSnapshot, kinds: EdgeKinds, { internals = false } = {}): ShortestPaths {
  const n = raw.nodeCount;
  const { firstEdge, edgeType, edgeToNode, nodeType } = raw;
  const parentEdge = new Uint32Array(n).fill(NO_EDGE);
  const parentNode = new Uint32Array(n);
  const order = new Uint32Array(n);
  const seen = new Uint8Array(n);
  const machinery = new Uint8Array(raw.meta.nodeTypes.length);
  for (const type of ['hidden', 'code', 'object shape']) {
    const number = raw.meta.nodeTypes.indexOf(type);
    if (number >= 0) machinery[number] = 1;
  }
  let head = 0;
  let tail = 0;
  order[tail++] = ROOT;
  seen[ROOT] = 1;
  for (let round = internals ? 1 : 0; round < 2; round++) {
    head = 0; // each round restarts from every node found so far
    while (head < tail) {
      const node = order[head++];
      for (let e = firstEdge[node], end = firstEdge[node + 1]; e < end; e++) {
        const child = edgeToNode[e];
        if (seen[child]) continue;
        const type = edgeType[e];
        if (!isRetaining(kinds, node, type)) continue;
        if (round === 0 && (type === kinds.hidden || machinery[nodeType[child]] === 1)) continue;
        seen[child] = 1;
        parentEdge[child] = e;
        parentNode[child] = node;
        order[tail++] = child;
      }
    }
  }
  return { parentEdge, parentNode, order, reached: tail };
}
