/**
 * A heap snapshot in memory: the typed arrays of the file, and what is computed from them on first use
 * (retainers, dominators and retained sizes, shortest paths, the id index). Nodes are numbered by their
 * ordinal (0 is the synthetic root); `node(ordinal)` gives a small view object when one is handy.
 */
import type { RawSnapshot } from '../formats/heapsnapshot.js';
import type { ReadOptions } from '../formats/heapsnapshot-reader.js';
import { readRawSnapshot } from '../formats/heapsnapshot-reader.js';
import type { Classifier } from './classify.js';
import { classifyNodes, classNameFor, classNameOf } from './classify.js';
import type { DominatorTree } from './dominators.js';
import { computeDominators } from './dominators.js';
import type { EdgeKinds, Retainers } from './graph.js';
import { buildRetainers, edgeKinds } from './graph.js';
import { foldedEdgeLabel } from './labels.js';
import { IdIndex } from './id-index.js';
import type { ShortestPaths } from './shortest-paths.js';
import { computeShortestPaths, NO_EDGE } from './shortest-paths.js';
import type { SummaryOptions, SummaryRow } from './summary.js';
import { summarize } from './summary.js';
import type { PathOptions, RetainerPath } from './paths.js';
import { findPaths, pathTo } from './paths.js';
import type { TopOptions, TopRow } from './top.js';
import { topRetainers } from './top.js';
import { HeapNode } from './views.js';

export async function readSnapshot(file: string, options: ReadOptions = {}): Promise<HeapSnapshot> {
  return new HeapSnapshot(file, await readRawSnapshot(file, options));
}

export class HeapSnapshot {
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly kinds: EdgeKinds;
  private retainerIndex: Retainers | undefined;
  private tree: DominatorTree | undefined;
  private shortest: [ShortestPaths?, ShortestPaths?] = [];
  private ids: IdIndex | undefined;
  private maxId: number | undefined;
  private classes = new Map<Classifier, { classOf: Uint32Array; names: string[] }>();

  constructor(
    readonly file: string,
    readonly raw: RawSnapshot,
  ) {
    this.nodeCount = raw.nodeCount;
    this.edgeCount = raw.edgeCount;
    this.kinds = edgeKinds(raw);
  }

  /** A view of one node (see views.ts); `node(0)` is the synthetic root. */
  node(index: number): HeapNode {
    if (!Number.isInteger(index) || index < 0 || index >= this.nodeCount)
      throw new RangeError(`no node ${index} in ${this.file} (${this.nodeCount} nodes)`);
    return new HeapNode(this, index);
  }

  /** The view of the object with this V8 id, if the snapshot has it. */
  nodeById(id: number): HeapNode | undefined {
    const index = this.nodeIndexById(id);
    return index === undefined ? undefined : new HeapNode(this, index);
  }

  nodeIndexById(id: number): number | undefined {
    this.ids ??= new IdIndex(this.raw.nodeId);
    return this.ids.get(id);
  }

  /**
   * The largest id of a V8 heap object: every object allocated after this snapshot has a larger one.
   * V8 numbers heap objects with odd ids in allocation order; the even ids of embedder (native) nodes
   * come from their addresses and are left out.
   */
  get maxNodeId(): number {
    if (this.maxId === undefined) {
      let max = 0;
      for (const id of this.raw.nodeId) if (id % 2 === 1 && id > max) max = id;
      this.maxId = max;
    }
    return this.maxId;
  }

  nodeId(index: number): number {
    return this.raw.nodeId[index];
  }

  nodeName(index: number): string {
    return this.raw.strings[this.raw.nodeName[index]] ?? '';
  }

  nodeType(index: number): string {
    return this.raw.meta.nodeTypes[this.raw.nodeType[index]] ?? 'unknown';
  }

  /** The constructor for objects, a parenthesised group ('(string)', '(closure)', …) for the rest. */
  className(index: number): string {
    return classNameOf(this.raw, index);
  }

  /** A short human name: the constructor, a function's name with (), a string's first characters. */
  displayName(index: number): string {
    const type = this.nodeType(index);
    const name = this.nodeName(index);
    if (type === 'closure') return `${name || '(anonymous)'}()`;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') {
      return JSON.stringify(name.length > 24 ? `${name.slice(0, 24)}…` : name);
    }
    if (type === 'array' || type === 'hidden' || type === 'code')
      return name ? `(${name.replace(/^\((.*)\)$/, '$1')})` : this.className(index);
    return this.className(index);
  }

  selfSize(index: number): number {
    return this.raw.nodeSelfSize[index];
  }

  retainedSize(index: number): number {
    return this.dominators().retainedSize[index];
  }

  /** The node's immediate dominator (the root's is itself). */
  dominatorOf(index: number): number {
    return this.dominators().dominator[index];
  }

  /** Edge ordinals of the node's outgoing edges: [first, end). */
  edgeRange(index: number): [number, number] {
    return [this.raw.firstEdge[index], this.raw.firstEdge[index + 1]];
  }

  edgeType(edge: number): string {
    return this.raw.meta.edgeTypes[this.raw.edgeType[edge]] ?? 'unknown';
  }

  /** A property's name, a closure variable's name, or an element's index as a string. */
  edgeName(edge: number): string {
    const type = this.raw.edgeType[edge];
    const value = this.raw.edgeNameOrIndex[edge];
    if (type === this.kinds.element || type === this.kinds.hidden) return String(value);
    return this.raw.strings[value] ?? String(value);
  }

  edgeTarget(edge: number): number {
    return this.raw.edgeToNode[edge];
  }

  /** The nodes that hold this one through retaining edges (weak edges left out). */
  retainers(index: number): Uint32Array {
    const { first, owners } = this.retainerGraph();
    return owners.subarray(first[index], first[index + 1]);
  }

  retainerGraph(): Retainers {
    this.retainerIndex ??= buildRetainers(this.raw, this.kinds);
    return this.retainerIndex;
  }

  dominators(): DominatorTree {
    this.tree ??= computeDominators(this.raw, this.kinds, this.retainerGraph());
    return this.tree;
  }

  /** The breadth-first tree of shortest retainer paths; `internals` lets it go through V8's machinery from the start. */
  shortestPaths(internals = false): ShortestPaths {
    const which = internals ? 1 : 0;
    this.shortest[which] ??= computeShortestPaths(this.raw, this.kinds, { internals });
    return this.shortest[which];
  }

  /** Each node's group under a classifier, computed once per classifier. */
  classify(by: Classifier): { classOf: Uint32Array; names: string[] } {
    let result = this.classes.get(by);
    if (!result) {
      result = by === 'type' ? this.classifyByType() : by === 'via' ? this.classifyByVia() : this.classifyByConstructor();
      this.classes.set(by, result);
    }
    return result;
  }

  summary(options: SummaryOptions = {}): SummaryRow[] {
    return summarize(this, options);
  }

  /** Shortest retainer paths to the objects of a constructor or to one object. */
  paths(options: PathOptions): RetainerPath[] {
    return findPaths(this, options);
  }

  /** The shortest retainer path to one node, or undefined when the root does not reach it. */
  pathTo(index: number, internals = false): RetainerPath | undefined {
    return pathTo(this, index, internals);
  }

  top(options: TopOptions = {}): TopRow[] {
    return topRetainers(this, options);
  }

  private classifyByConstructor() {
    const { nodeType, nodeName } = this.raw;
    const types = this.raw.meta.nodeTypes.length;
    return classifyNodes(
      this.nodeCount,
      (ordinal) => nodeName[ordinal] * types + nodeType[ordinal],
      (key) => {
        const type = key % types;
        return classNameFor(this.raw.meta.nodeTypes[type] ?? 'unknown', this.raw.strings[(key - type) / types] ?? '');
      },
    );
  }

  private classifyByType() {
    return classifyNodes(
      this.nodeCount,
      (ordinal) => this.raw.nodeType[ordinal],
      (key) => this.raw.meta.nodeTypes[key] ?? 'unknown',
    );
  }

  /** Heapy's "via": the edge that holds a node on its shortest path, element indexes folded into []. */
  private classifyByVia() {
    const { parentEdge } = this.shortestPaths();
    const { edgeType, edgeNameOrIndex } = this.raw;
    const types = this.raw.meta.edgeTypes.length;
    const indexed = (type: number) => type === this.kinds.element || type === this.kinds.hidden;
    return classifyNodes(
      this.nodeCount,
      (ordinal) => {
        const edge = parentEdge[ordinal];
        if (edge === NO_EDGE) return -1;
        const type = edgeType[edge];
        return indexed(type) ? type : (edgeNameOrIndex[edge] + 1) * types + type;
      },
      (key) => {
        if (key < 0) return '(no path)';
        const type = key % types;
        const typeName = this.raw.meta.edgeTypes[type] ?? 'unknown';
        return indexed(type) ? '[]' : foldedEdgeLabel(typeName, this.raw.strings[(key - type) / types - 1] ?? '');
      },
    );
  }
}
