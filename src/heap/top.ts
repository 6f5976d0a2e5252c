/** The objects that retain the most, each with its shortest retainer path. */
import type { RetainerPath } from './paths.js';
import { pathTo } from './paths.js';
import type { HeapSnapshot } from './heap-snapshot.js';

export interface TopOptions {
  /** How many objects (default 20). */
  limit?: number;
}

export interface TopRow {
  node: number;
  id: number;
  name: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  path: RetainerPath | undefined;
}

/** Largest retained size first; V8's synthetic nodes (the root, GC root groups) are left out. */
export function topRetainers(snapshot: HeapSnapshot, options: TopOptions = {}): TopRow[] {
  const limit = options.limit ?? 20;
  const { retainedSize } = snapshot.dominators();
  const synthetic = snapshot.raw.meta.nodeTypes.indexOf('synthetic');
  const nodeType = snapshot.raw.nodeType;
  // A sorted short list: one comparison per node for the common case of a node below the list's end.
  const best: number[] = [];
  for (let node = 0; node < snapshot.nodeCount; node++) {
    if (nodeType[node] === synthetic) continue;
    const size = retainedSize[node];
    if (best.length === limit && size <= retainedSize[best[best.length - 1]]) continue;
    let at = best.length;
    while (at > 0 && retainedSize[best[at - 1]] < size) at--;
    best.splice(at, 0, node);
    if (best.length > limit) best.pop();
  }
  return best.map((node) => ({
    node,
    id: snapshot.nodeId(node),
    name: snapshot.displayName(node),
    type: snapshot.nodeType(node),
    selfSize: snapshot.selfSize(node),
    retainedSize: retainedSize[node],
    path: pathTo(snapshot, node),
  }));
}
