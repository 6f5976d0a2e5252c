/**
 * HeapNode and HeapEdge: small views of one node or edge of a snapshot, made on demand, for code that
 * walks a few objects (memlab's HeapNode/HeapEdge). The analyses work on the typed arrays directly; a
 * view holds only (snapshot, index), so walking a million nodes through views still keeps no per-node
 * objects alive.
 */
import type { HeapSnapshot } from './heap-snapshot.js';

export class HeapNode {
  constructor(
    readonly snapshot: HeapSnapshot,
    readonly index: number,
  ) {}

  get id(): number {
    return this.snapshot.nodeId(this.index);
  }
  get name(): string {
    return this.snapshot.nodeName(this.index);
  }
  get type(): string {
    return this.snapshot.nodeType(this.index);
  }
  get className(): string {
    return this.snapshot.className(this.index);
  }
  get selfSize(): number {
    return this.snapshot.selfSize(this.index);
  }
  get retainedSize(): number {
    return this.snapshot.retainedSize(this.index);
  }
  get dominator(): HeapNode {
    return new HeapNode(this.snapshot, this.snapshot.dominatorOf(this.index));
  }
  get edgeCount(): number {
    const [first, end] = this.snapshot.edgeRange(this.index);
    return end - first;
  }

  /** Outgoing references, weak ones included. */
  *edges(): IterableIterator<HeapEdge> {
    const [first, end] = this.snapshot.edgeRange(this.index);
    for (let edge = first; edge < end; edge++) yield new HeapEdge(this.snapshot, edge, this.index);
  }

  /** The nodes that keep this one alive (weak references left out). */
  *retainers(): IterableIterator<HeapNode> {
    for (const owner of this.snapshot.retainers(this.index)) yield new HeapNode(this.snapshot, owner);
  }

  toString(): string {
    return `${this.snapshot.displayName(this.index)} @${this.id}`;
  }
}

export class HeapEdge {
  constructor(
    readonly snapshot: HeapSnapshot,
    readonly index: number,
    readonly fromIndex: number,
  ) {}

  get type(): string {
    return this.snapshot.edgeType(this.index);
  }
  /** A property or variable name, or an element's index as a string. */
  get name(): string {
    return this.snapshot.edgeName(this.index);
  }
  get from(): HeapNode {
    return new HeapNode(this.snapshot, this.fromIndex);
  }
  get to(): HeapNode {
    return new HeapNode(this.snapshot, this.snapshot.edgeTarget(this.index));
  }
}
