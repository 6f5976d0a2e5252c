/** Reading a `.heapsnapshot` file in chunks into a RawSnapshot (typed arrays and one string table). */
import { open } from 'node:fs/promises';
import { HeapSnapshotError } from '../shared/errors.js';
import type { RawSnapshot } from './heapsnapshot.js';
import { ScanProblem, SnapshotScanner } from './heapsnapshot-scanner.js';

export interface ReadOptions {
  /** Called after each chunk with the bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const CHUNK_BYTES = 4 << 20;

export async function readRawSnapshot(file: string, options: ReadOptions = {}): Promise<RawSnapshot> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HeapSnapshotError(
      file,
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a heap snapshot'
          : `cannot open it (${code ?? (error as Error).message})`,
    );
  }
  try {
    const stats = await handle.stat();
    const size = stats.size;
    if (stats.isDirectory()) throw new HeapSnapshotError(file, 'is a directory, not a heap snapshot');
    if (size === 0) throw new HeapSnapshotError(file, 'the file is empty (expected a V8 heap snapshot)');
    const scanner = new SnapshotScanner(size);
    // One buffer, reused: the scanner copies what it keeps across chunks.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let bytesRead = 0;
    for (;;) {
      const { bytesRead: n } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      scanner.feed(n === CHUNK_BYTES ? buffer : buffer.subarray(0, n));
      bytesRead += n;
      options.onProgress?.(bytesRead, size);
    }
    return scanner.finish();
  } catch (error) {
    if (error instanceof ScanProblem) throw new HeapSnapshotError(file, error.message, error.offset);
    throw error;
  } finally {
    await handle.close();
  }
}
