/**
 * Retainer paths: why an object is kept, as the shortest chain of strong references from the GC roots
 * (Heapy's shortest paths, memlab's retainer traces), read off the breadth-first search tree.
 */
import { HeapSnapshotError } from '../shared/errors.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { edgeLabel, foldedEdgeLabel } from './labels.js';
import { NO_EDGE } from './shortest-paths.js';

export interface PathStep {
  /** The holder's display name and id. */
  from: string;
  fromId: number;
  /** The holder's node type; the GC root groups are 'synthetic'. */
  fromType: string;
  edgeType: string;
  /** Property or variable name, or element index. */
  edgeName: string;
}

export interface RetainerPath {
  /** The object the path leads to (its node ordinal, V8 id, display name and sizes). */
  node: number;
  id: number;
  name: string;
  selfSize: number;
  retainedSize: number;
  /** From the GC roots to the object's holder; the synthetic root itself is left out. */
  steps: PathStep[];
  /**
   * How many objects of the query share this path: element indexes aside, and counting those held
   * through others of their class (the rest of a linked list); 1 for an id query.
   */
  count: number;
}

export interface PathOptions {
  /** Objects whose constructor (DevTools' class name) is this, */
  className?: string;
  /** or the object with this V8 id (what the inspector's heap object id is). */
  id?: number;
  /** At most this many distinct paths, largest retained size first (default 5). */
  max?: number;
  /**
   * Let paths go through V8's machinery (hidden edges, hidden classes, code, feedback vectors) as
   * readily as through the program's own references; by default only objects reachable no other way
   * get such a path.
   */
  internals?: boolean;
}

/** Longest path walked; real heaps have paths of tens of steps, a linked list can have millions. */
const MAX_STEPS = 1000;

export function pathTo(snapshot: HeapSnapshot, node: number, internals = false): RetainerPath | undefined {
  const { parentEdge, parentNode } = snapshot.shortestPaths(internals);
  if (node !== 0 && parentEdge[node] === NO_EDGE) return undefined;
  const steps: PathStep[] = [];
  for (let at = node; parentEdge[at] !== NO_EDGE && steps.length < MAX_STEPS; at = parentNode[at]) {
    const edge = parentEdge[at];
    const from = parentNode[at];
    if (from === 0) break; // the synthetic root: the path starts at its child, (GC roots) or a global
    steps.push({
      from: snapshot.displayName(from),
      fromId: snapshot.nodeId(from),
      fromType: snapshot.nodeType(from),
      edgeType: snapshot.edgeType(edge),
      edgeName: snapshot.edgeName(edge),
    });
  }
  steps.reverse();
  return {
    node,
    id: snapshot.nodeId(node),
    name: snapshot.displayName(node),
    selfSize: snapshot.selfSize(node),
    retainedSize: snapshot.retainedSize(node),
    steps,
    count: 1,
  };
}

export function findPaths(snapshot: HeapSnapshot, options: PathOptions): RetainerPath[] {
  if (options.id !== undefined) {
    const node = snapshot.nodeIndexById(options.id);
    if (node === undefined) throw new HeapSnapshotError(snapshot.file, `no object has id ${options.id}`);
    const path = pathTo(snapshot, node, options.internals);
    return path ? [path] : [];
  }
  if (options.className === undefined) throw new TypeError('paths: give className or id');
  const { classOf, names } = snapshot.classify('constructor');
  const group = names.indexOf(options.className);
  if (group < 0) return [];
  // An object held by another of the same class (a linked list, a tree) shares the path of the first
  // one: walking the parents in search order gives each object its entry in one pass.
  const { parentEdge, parentNode, order, reached } = snapshot.shortestPaths(options.internals);
  const retained = snapshot.dominators().retainedSize;
  const entryOf = new Map<number, number>();
  const members = new Map<number, number>();
  for (let k = 0; k < reached; k++) {
    const node = order[k];
    if (classOf[node] !== group) continue;
    const parent = parentNode[node];
    const entry = parentEdge[node] !== NO_EDGE && entryOf.has(parent) ? entryOf.get(parent)! : node;
    entryOf.set(node, entry);
    members.set(entry, (members.get(entry) ?? 0) + 1);
  }
  // Entries whose paths differ only in element indexes form one group; the largest stands for it.
  const entries = [...members.keys()].sort((a, b) => retained[b] - retained[a] || a - b);
  const groups = new Map<string, RetainerPath>();
  for (const entry of entries) {
    const path = pathTo(snapshot, entry, options.internals);
    if (!path) continue;
    const key = pathSignature(path);
    const existing = groups.get(key);
    if (existing) existing.count += members.get(entry)!;
    else groups.set(key, { ...path, count: members.get(entry)! });
  }
  return [...groups.values()].sort((a, b) => b.retainedSize - a.retainedSize || b.count - a.count).slice(0, options.max ?? 5);
}

/** A path with element indexes folded: objects in the same array or Map share it. */
export function pathSignature(path: RetainerPath): string {
  return [...path.steps.map((step) => stepText(step, true)), path.name].join(' → ');
}

/** `(GC roots) → (Global handles) → global.cache → Map.{table} → (object elements)[17] → Leaky @1234`. */
export function formatPath(path: RetainerPath): string {
  return [...path.steps.map((step) => stepText(step, false)), `${path.name} @${path.id}`].join(' → ');
}

function stepText(step: PathStep, folded: boolean): string {
  // The synthetic GC root groups hold their members by index, which says nothing to the reader.
  if (step.fromType === 'synthetic' && /^\d+$/.test(step.edgeName)) return step.from;
  return `${step.from}${folded ? foldedEdgeLabel(step.edgeType, step.edgeName) : edgeLabel(step.edgeType, step.edgeName)}`;
}
