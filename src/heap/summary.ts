/** The summary: nodes grouped by constructor, node type or holding edge, with counts and sizes. */
import type { Classifier } from './classify.js';
import { groupRetainedSizes } from './group-retained.js';
import type { HeapSnapshot } from './heap-snapshot.js';

export interface SummaryRow {
  /** The constructor, the node type or the edge name, per the classifier. */
  name: string;
  count: number;
  selfSize: number;
  /** What the group's objects keep alive together (nothing counted twice). */
  retainedSize: number;
}

export interface SummaryOptions {
  by?: Classifier;
}

/** Each class's node count and self size, the synthetic root and GC root nodes left out. */
export interface ClassTotals {
  names: string[];
  classOf: Uint32Array;
  counts: Float64Array;
  selfSizes: Float64Array;
  /** The node-type index of synthetic nodes (the ones left out). */
  synthetic: number;
}

export function classTotals(snapshot: HeapSnapshot, by: Classifier): ClassTotals {
  const { classOf, names } = snapshot.classify(by);
  const raw = snapshot.raw;
  const synthetic = raw.meta.nodeTypes.indexOf('synthetic');
  const counts = new Float64Array(names.length);
  const selfSizes = new Float64Array(names.length);
  for (let ordinal = 0; ordinal < raw.nodeCount; ordinal++) {
    if (raw.nodeType[ordinal] === synthetic) continue;
    counts[classOf[ordinal]]++;
    selfSizes[classOf[ordinal]] += raw.nodeSelfSize[ordinal];
  }
  return { names, classOf, counts, selfSizes, synthetic };
}

/** Rows sorted by retained size, then self size; the synthetic root and GC root nodes are left out. */
export function summarize(snapshot: HeapSnapshot, options: SummaryOptions = {}): SummaryRow[] {
  const { names, classOf, counts, selfSizes, synthetic } = classTotals(snapshot, options.by ?? 'constructor');
  const raw = snapshot.raw;
  const groupOf = new Uint32Array(classOf);
  for (let ordinal = 0; ordinal < raw.nodeCount; ordinal++) if (raw.nodeType[ordinal] === synthetic) groupOf[ordinal] = 0xffffffff;
  const retained = groupRetainedSizes(snapshot.dominators(), groupOf, names.length);
  const rows: SummaryRow[] = [];
  for (let group = 0; group < names.length; group++) {
    if (counts[group] === 0) continue;
    rows.push({ name: names[group], count: counts[group], selfSize: selfSizes[group], retainedSize: retained[group] });
  }
  return rows.sort(
    (a, b) => b.retainedSize - a.retainedSize || b.selfSize - a.selfSize || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
