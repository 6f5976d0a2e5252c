/**
 * The transform worker's thread: instruments what the traced thread sends it, so the parser, its AST
 * and the edits (megabytes for a large module) are allocated on this thread's heap, never on the heap
 * the tracer measures. See transform-thread.ts for the other side, which waits for every reply: so
 * every request gets one, an error included, even when the transform's modules fail to load.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { TransformReply, TransformRequest, TransformWorkerData } from './transform-thread.js';

const { port, signal } = workerData as TransformWorkerData;

type Instrument = typeof import('../transforms/instrument.js').instrument;
let instrument: Instrument | undefined;
let MemtraceError: typeof import('../src/errors.js').MemtraceError | undefined;
let loadFailure: string | undefined;
try {
  ({ instrument } = await import('../transforms/instrument.js'));
  ({ MemtraceError } = await import('../src/errors.js'));
} catch (error) {
  loadFailure = `the transform worker could not load the transform: ${String((error as Error)?.stack ?? error)}`;
}

function answer(request: TransformRequest): TransformReply {
  if (!instrument || !MemtraceError) return { unusable: loadFailure ?? 'the transform worker could not load the transform' };
  try {
    return { code: instrument(request.source, request.options).code };
  } catch (error) {
    // An internal error keeps its stack: the traced thread rethrows it as its own.
    const expected = error instanceof MemtraceError;
    return { error: expected ? (error as Error).message : String((error as Error)?.stack ?? error), expected };
  }
}

(port as MessagePort).on('message', (request: TransformRequest) => {
  port.postMessage(answer(request));
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
