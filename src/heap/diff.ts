/**
 * What grew between snapshots of one process. V8 gives heap objects odd ids in allocation order, so an
 * object of a later snapshot with an id above the first snapshot's largest is new since then (embedder
 * nodes have even ids made from their addresses, which say nothing about time). With two snapshots,
 * the leak candidates are the new objects still alive in the second; with three (memlab's rule), those
 * allocated between the first and the second and still alive in the third, which leaves out the
 * objects of work that was in flight when the second was taken.
 *
 * Candidates are grouped by where they hang: a candidate whose shortest-path parent is also a candidate
 * belongs to that parent's group, so a list of a million new nodes, or a Map and its new entries, is
 * one group, named by the path to its first new object (element indexes folded).
 */
import { classNameOf } from './classify.js';
import { groupRetainedSizes } from './group-retained.js';
import type { RetainerPath } from './paths.js';
import { pathSignature, pathTo } from './paths.js';
import { NO_EDGE } from './shortest-paths.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { classTotals } from './summary.js';
import { foldedEdgeLabel } from './labels.js';

export interface ClassGrowth {
  name: string;
  countBefore: number;
  countAfter: number;
  selfSizeBefore: number;
  selfSizeAfter: number;
}

export interface LeakGroup {
  /** The path to the group's first new object, element indexes folded: what the group hangs from. */
  path: string;
  /** The full path to the group's largest object (largest retained size). */
  example: RetainerPath;
  count: number;
  selfSize: number;
  /** What the group's objects retain together, counted once. */
  retainedSize: number;
  /** Object counts by constructor within the group, largest first. */
  classes: Array<{ name: string; count: number }>;
}

export interface SnapshotDiff {
  files: string[];
  /** Constructors whose count or self size changed from the first snapshot to the last, by size growth. */
  growth: ClassGrowth[];
  /** Leak candidates grouped by retainer path, largest retained size first. */
  leaks: LeakGroup[];
  /** How many objects are leak candidates. */
  candidates: number;
}

/** V8's own machinery (maps, code, feedback) and the synthetic roots are not the program's leaks. */
const NOT_CANDIDATES = new Set(['synthetic', 'hidden', 'code', 'object shape']);

export function diffSnapshots(a: HeapSnapshot, b: HeapSnapshot, c?: HeapSnapshot): SnapshotDiff {
  const last = c ?? b;
  return {
    files: [a, b, ...(c ? [c] : [])].map((snapshot) => snapshot.file),
    growth: classGrowth(a, last),
    ...leakGroups(last, a.maxNodeId, c ? b.maxNodeId : Infinity),
  };
}

function classGrowth(before: HeapSnapshot, after: HeapSnapshot): ClassGrowth[] {
  const rows = new Map<string, ClassGrowth>();
  const add = (snapshot: HeapSnapshot, which: 'Before' | 'After') => {
    const { names, counts, selfSizes: sizes } = classTotals(snapshot, 'constructor');
    names.forEach((name, group) => {
      if (counts[group] === 0) return;
      let row = rows.get(name);
      if (!row) rows.set(name, (row = { name, countBefore: 0, countAfter: 0, selfSizeBefore: 0, selfSizeAfter: 0 }));
      row[`count${which}`] = counts[group];
      row[`selfSize${which}`] = sizes[group];
    });
  };
  add(before, 'Before');
  add(after, 'After');
  return [...rows.values()]
    .filter((row) => row.countAfter !== row.countBefore || row.selfSizeAfter !== row.selfSizeBefore)
    .sort(
      (x, y) =>
        y.selfSizeAfter - y.selfSizeBefore - (x.selfSizeAfter - x.selfSizeBefore) ||
        y.countAfter - y.countBefore - (x.countAfter - x.countBefore),
    );
}

function leakGroups(snapshot: HeapSnapshot, afterId: number, upToId: number): { leaks: LeakGroup[]; candidates: number } {
  const raw = snapshot.raw;
  const excluded = new Uint8Array(raw.meta.nodeTypes.length);
  raw.meta.nodeTypes.forEach((type, number) => (excluded[number] = NOT_CANDIDATES.has(type) ? 1 : 0));
  const { parentEdge, parentNode, order, reached } = snapshot.shortestPaths();
  const NONE = 0xffffffff;
  // Each candidate's group: that of the first candidate on its shortest path (its parent's, if that is one).
  const groupOf = new Uint32Array(raw.nodeCount).fill(NONE);
  const groupByKey = new Map<string, number>();
  const keyOfParent = new Map<number, string>();
  const groupKeys: string[] = [];
  let candidates = 0;
  for (let k = 0; k < reached; k++) {
    const node = order[k];
    const id = raw.nodeId[node];
    if (id % 2 === 0 || id <= afterId || id > upToId || excluded[raw.nodeType[node]] === 1) continue;
    candidates++;
    const parent = parentNode[node];
    if (parentEdge[node] !== NO_EDGE && groupOf[parent] !== NONE) {
      groupOf[node] = groupOf[parent];
      continue;
    }
    let prefix = keyOfParent.get(parent);
    if (prefix === undefined) {
      const path = pathTo(snapshot, parent);
      prefix = path ? pathSignature(path) : '(unreachable)';
      keyOfParent.set(parent, prefix);
    }
    const edge = parentEdge[node];
    const label = foldedEdgeLabel(snapshot.edgeType(edge), snapshot.edgeName(edge));
    const key = `${prefix}${label} → ${classNameOf(raw, node)}`;
    let group = groupByKey.get(key);
    if (group === undefined) {
      group = groupKeys.length;
      groupKeys.push(key);
      groupByKey.set(key, group);
    }
    groupOf[node] = group;
  }
  const retained = groupRetainedSizes(snapshot.dominators(), groupOf, groupKeys.length, NONE);
  const counts = new Float64Array(groupKeys.length);
  const selfSizes = new Float64Array(groupKeys.length);
  const largest = new Uint32Array(groupKeys.length).fill(NONE);
  const classCounts = groupKeys.map(() => new Map<string, number>());
  const nodeRetained = snapshot.dominators().retainedSize;
  for (let node = 0; node < raw.nodeCount; node++) {
    const group = groupOf[node];
    if (group === NONE) continue;
    counts[group]++;
    selfSizes[group] += raw.nodeSelfSize[node];
    if (largest[group] === NONE || nodeRetained[node] > nodeRetained[largest[group]]) largest[group] = node;
    const name = classNameOf(raw, node);
    classCounts[group].set(name, (classCounts[group].get(name) ?? 0) + 1);
  }
  const leaks = groupKeys.map(
    (key, number): LeakGroup => ({
      path: key,
      example: pathTo(snapshot, largest[number])!,
      count: counts[number],
      selfSize: selfSizes[number],
      retainedSize: retained[number],
      classes: [...classCounts[number]]
        .map(([name, count]) => ({ name, count }))
        .sort((x, y) => y.count - x.count || (x.name < y.name ? -1 : 1)),
    }),
  );
  leaks.sort((x, y) => y.retainedSize - x.retainedSize || y.count - x.count);
  return { leaks, candidates };
}
