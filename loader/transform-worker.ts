/**
 * The transform worker's thread: instruments what the traced thread sends it, so the parser, its AST
 * and the edits (megabytes for a large module) are allocated on this thread's heap, never on the heap
 * the tracer measures. See transform-thread.ts for the other side.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { instrument } from '../transforms/instrument.js';
import { MemtraceError } from '../src/errors.js';
import type { TransformReply, TransformRequest, TransformWorkerData } from './transform-thread.js';

const { port, signal } = workerData as TransformWorkerData;

function answer(request: TransformRequest): TransformReply {
  try {
    return { code: instrument(request.source, request.options).code };
  } catch (error) {
    // An internal error keeps its stack: the traced thread rethrows it as its own.
    const message = error instanceof MemtraceError ? error.message : String((error as Error)?.stack ?? error);
    return { error: message, expected: error instanceof MemtraceError };
  }
}

(port as MessagePort).on('message', (request: TransformRequest) => {
  port.postMessage(answer(request));
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
