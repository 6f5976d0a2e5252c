/**
 * Which edges keep objects alive, and the graph read backwards (retainers), both on the typed arrays.
 *
 * V8/DevTools semantics: weak edges do not retain. Shortcut edges are V8's extra links that repeat a
 * path already in the graph ("the global object of this context"); they retain only from the root,
 * where they mark the user's global objects. Everything else (context, element, property, internal,
 * hidden) retains: that is what the garbage collector follows.
 */
import type { RawSnapshot } from '../formats/heapsnapshot.js';

/** The numbers that stand for each edge type in this snapshot's meta (-1 where absent). */
export interface EdgeKinds {
  context: number;
  element: number;
  property: number;
  internal: number;
  hidden: number;
  shortcut: number;
  weak: number;
}

export function edgeKinds(raw: RawSnapshot): EdgeKinds {
  const of = (name: string) => raw.meta.edgeTypes.indexOf(name);
  return {
    context: of('context'),
    element: of('element'),
    property: of('property'),
    internal: of('internal'),
    hidden: of('hidden'),
    shortcut: of('shortcut'),
    weak: of('weak'),
  };
}

/** V8 writes the synthetic root first. */
export const ROOT = 0;

/** Does the edge of `type` from node `owner` keep its target alive? */
export function isRetaining(kinds: EdgeKinds, owner: number, type: number): boolean {
  return type !== kinds.weak && (type !== kinds.shortcut || owner === ROOT);
}

/** The retaining edges reversed, in CSR form: the retainers of node t are owners[first[t] … first[t+1]). */
export interface Retainers {
  first: Uint32Array;
  owners: Uint32Array;
}

export function buildRetainers(raw: RawSnapshot, kinds: EdgeKinds): Retainers {
  const { nodeCount, firstEdge, edgeType, edgeToNode } = raw;
  const first = new Uint32Array(nodeCount + 1);
  let total = 0;
  for (let owner = 0; owner < nodeCount; owner++) {
    for (let e = firstEdge[owner], end = firstEdge[owner + 1]; e < end; e++) {
      if (!isRetaining(kinds, owner, edgeType[e])) continue;
      first[edgeToNode[e]]++;
      total++;
    }
  }
  // Turn counts into end offsets, then fill each node's range backwards so `first` ends as start offsets.
  for (let t = 0, sum = 0; t < nodeCount; t++) {
    sum += first[t];
    first[t] = sum;
  }
  first[nodeCount] = total;
  const owners = new Uint32Array(total);
  for (let owner = 0; owner < nodeCount; owner++) {
    for (let e = firstEdge[owner], end = firstEdge[owner + 1]; e < end; e++) {
      if (!isRetaining(kinds, owner, edgeType[e])) continue;
      owners[--first[edgeToNode[e]]] = owner;
    }
  }
  return { first, owners };
}
