/**
 * The transform worker's thread: instruments what the traced thread sends it, so the parser, its AST
 * and the edits (megabytes for a large module) are allocated on this thread's heap, never on the heap
 * the tracer measures. When the transform's modules fail to load, every request is still answered
 * (`unusable`), so the traced thread is never left waiting.
 */
import { workerData } from 'node:worker_threads';
import type { TransformChannelData } from './transform-service.js';

const channel = workerData as TransformChannelData;
try {
  const { serveTransforms } = await import('./transform-service.js');
  serveTransforms(channel);
} catch (error) {
  const unusable = `the transform worker could not load the transform: ${String((error as Error)?.stack ?? error)}`;
  const { port, signal } = channel;
  port.on('message', () => {
    port.postMessage({ unusable });
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
}
