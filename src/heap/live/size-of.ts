/**
 * sizeOf: the shallow and retained size of one live object (Pympler's asizeof, answered by V8 itself).
 *
 * V8 tells object sizes only through a heap snapshot, so sizeOf writes one of this thread's whole
 * heap, finds the object's node in it by the id the inspector gives the object
 * (HeapProfiler.getHeapObjectId), and reads the sizes from the dominator tree. That costs what a
 * snapshot costs: the thread stops while V8 writes it (about a second per 100 MB of heap here), and
 * reading it back needs memory in proportion to the heap's object count. Measure several objects with
 * one snapshot through sizeOfEach.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { HeapSnapshotError, InvalidArgumentError } from '../../shared/errors.js';
import { formatBytes } from '../../shared/units.js';
import { readSnapshot } from '../heap-snapshot.js';
import { describeValue } from './describe-value.js';
import { InspectorSession } from './inspector.js';
import { writeSnapshot } from './write-snapshot.js';

export interface SizeOfOptions {
  /** Keep the snapshot sizeOf writes at this path (default: a temporary file, removed afterwards). */
  snapshot?: string;
}

/** One object's sizes, as the heap snapshot has them. */
export class ObjectSize {
  constructor(
    /** The node's name in the snapshot: the constructor for objects, the function name for closures. */
    readonly name: string,
    /** The snapshot's node type: 'object', 'closure', 'array', 'regexp', … */
    readonly type: string,
    /** The object's own bytes, without what it refers to. */
    readonly shallowBytes: number,
    /** The bytes freed if this object were freed: itself and everything only it keeps alive. */
    readonly retainedBytes: number,
    /** The V8 heap object id (the node id in the snapshot, @id in DevTools). */
    readonly nodeId: number,
  ) {}

  toString(): string {
    return `${this.name} (${this.type}): ${formatBytes(this.retainedBytes)} retained, ${formatBytes(this.shallowBytes)} shallow`;
  }
}

let snapshots = 0;

/** The shallow and retained size of `value`, an object or function of this thread. */
export async function sizeOf(value: object, options: SizeOfOptions = {}): Promise<ObjectSize> {
  const [size] = await measure([value], 'sizeOf', options);
  return size!;
}

/** sizeOf for several objects, from one snapshot. */
export async function sizeOfEach(values: readonly object[], options: SizeOfOptions = {}): Promise<ObjectSize[]> {
  if (!Array.isArray(values)) throw new InvalidArgumentError('sizeOfEach', `${describeValue(values)} is not an array of objects`);
  return measure(values, 'sizeOfEach', options);
}

async function measure(values: readonly object[], caller: string, options: SizeOfOptions): Promise<ObjectSize[]> {
  values.forEach((value, i) => {
    if ((typeof value !== 'object' || value === null) && typeof value !== 'function') {
      const which = caller === 'sizeOf' ? '' : ` (item ${i})`;
      throw new InvalidArgumentError(
        caller,
        `${describeValue(value)}${which} is not an object: only objects and functions have a size in the heap`,
      );
    }
  });
  const session = new InspectorSession();
  const group = `memtrace-size-of-${++snapshots}`;
  const file = options.snapshot ?? join(tmpdir(), `memtrace-size-of-${process.pid}-${threadId}-${snapshots}.heapsnapshot`);
  let ids: number[];
  try {
    // The inspector's handles hold the objects while the snapshot is written, so none can be freed
    // in between; they add a retainer, which changes no object's retained size.
    const handles = [];
    for (const value of values) handles.push((await session.remoteObject(value, group)).objectId!);
    writeSnapshot(file);
    // V8 gives an object its id when a snapshot first records it, so the id is asked for afterwards.
    ids = [];
    for (const objectId of handles) {
      const { heapSnapshotObjectId } = await session.post<{ heapSnapshotObjectId: string }>('HeapProfiler.getHeapObjectId', { objectId });
      ids.push(Number(heapSnapshotObjectId));
    }
    await session.releaseGroup(group);
  } finally {
    session.disconnect();
  }
  try {
    const snapshot = await readSnapshot(file);
    return ids.map((id) => {
      const index = snapshot.nodeIndexById(id);
      if (index === undefined) throw new HeapSnapshotError(file, `${caller}: heap object @${id} is not in it`);
      return new ObjectSize(snapshot.nodeName(index), snapshot.nodeType(index), snapshot.selfSize(index), snapshot.retainedSize(index), id);
    });
  } finally {
    if (options.snapshot === undefined) rmSync(file, { force: true });
  }
}
