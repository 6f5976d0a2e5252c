/** writeSnapshot: a .heapsnapshot of this thread's heap (the main thread's, or a worker's own). */
import v8 from 'node:v8';
import { SnapshotWriteError } from '../../shared/errors.js';

export interface WriteSnapshotOptions {
  /** Record the values of numbers held in the heap (V8's exposeNumericValues; larger files). */
  numericValues?: boolean;
}

/**
 * Writes a heap snapshot to `path` (default: Node's own name in the working directory,
 * Heap.<date>.<time>.<pid>.<thread>.<n>.heapsnapshot) and returns the path written. It stops the
 * thread while V8 walks the heap, and needs about as much memory again as the heap holds.
 */
export function writeSnapshot(path?: string, options: WriteSnapshotOptions = {}): string {
  try {
    return v8.writeHeapSnapshot(path, { exposeNumericValues: options.numericValues ?? false, exposeInternals: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new SnapshotWriteError(path ?? '(default name)', reason);
  }
}
