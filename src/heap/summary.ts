/** The summary: nodes grouped by constructor, node type or holding edge, with counts and sizes. */
import type { Classifier } from './classify.js';
import { groupRetainedSizes } from './group-retained.js';
import type { HeapSnapshot } from './snapshot.js';

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

/** Rows sorted by retained size, then self size; the synthetic root and GC root nodes are left out. */
export function summarize(snapshot: HeapSnapshot, options: SummaryOptions = {}): SummaryRow[] {
  const { classOf, names } = snapshot.classify(options.by ?? 'constructor');
  const raw = snapshot.raw;
  const synthetic = raw.meta.nodeTypes.indexOf('synthetic');
  const counts = new Float64Array(names.length);
  const selfSizes = new Float64Array(names.length);
  const groupOf = new Uint32Array(classOf);
  for (let ordinal = 0; ordinal < raw.nodeCount; ordinal++) {
    if (raw.nodeType[ordinal] === synthetic) {
      groupOf[ordinal] = 0xffffffff;
      continue;
    }
    counts[classOf[ordinal]]++;
    selfSizes[classOf[ordinal]] += raw.nodeSelfSize[ordinal];
  }
  const retained = groupRetainedSizes(snapshot.dominators(), groupOf, names.length);
  const rows: SummaryRow[] = [];
  for (let group = 0; group < names.length; group++) {
    if (counts[group] === 0) continue;
    rows.push({ name: names[group], count: counts[group], selfSize: selfSizes[group], retainedSize: retained[group] });
  }
  return rows.sort((a, b) => b.retainedSize - a.retainedSize || b.selfSize - a.selfSize || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
