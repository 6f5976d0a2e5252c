/**
 * Retained size of a group of nodes (all instances of a class, all objects of a leak) without counting
 * twice what one member retains through another: the sum of the retained sizes of the members that no
 * other member of the same group dominates. A depth-first walk of the dominator tree (iterative) keeps
 * how many nodes of each group are on the current path.
 */
import type { DominatorTree } from './dominators.js';
import { ROOT } from './graph.js';

/** `groupOf[ordinal]` in 0…groupCount-1, or `skip` for nodes in no group. */
export function groupRetainedSizes(tree: DominatorTree, groupOf: Uint32Array, groupCount: number, skip = 0xffffffff): Float64Array {
  const n = groupOf.length;
  const { dominator, retainedSize } = tree;
  // Children of each node in the dominator tree, CSR.
  const firstChild = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) if (v !== ROOT) firstChild[dominator[v]]++;
  for (let v = 0, sum = 0; v < n; v++) {
    sum += firstChild[v];
    firstChild[v] = sum;
  }
  firstChild[n] = n - 1;
  const children = new Uint32Array(Math.max(n - 1, 0));
  for (let v = n - 1; v >= 0; v--) if (v !== ROOT) children[--firstChild[dominator[v]]] = v;

  const sizes = new Float64Array(groupCount);
  const onPath = new Uint32Array(groupCount);
  const stackNode = new Uint32Array(n);
  const stackChild = new Uint32Array(n);
  let top = 0;
  stackNode[0] = ROOT;
  stackChild[0] = firstChild[ROOT];
  enter(ROOT);
  while (top >= 0) {
    const node = stackNode[top];
    const c = stackChild[top];
    if (c < firstChild[node + 1]) {
      stackChild[top] = c + 1;
      const child = children[c];
      enter(child);
      top++;
      stackNode[top] = child;
      stackChild[top] = firstChild[child];
    } else {
      const group = groupOf[node];
      if (group !== skip) onPath[group]--;
      top--;
    }
  }
  return sizes;

  function enter(node: number): void {
    const group = groupOf[node];
    if (group === skip) return;
    if (onPath[group] === 0) sizes[group] += retainedSize[node];
    onPath[group]++;
  }
}
