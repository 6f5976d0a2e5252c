/**
 * The serving side of a transform channel (off-thread.ts is the asking side): instruments each
 * request and answers it, then bumps the shared counter the asking thread waits on. Both servers use
 * it: the transform worker, and on Node 20 the module.register hooks thread. Every request gets one
 * reply, an error included, because the asking thread is blocked until it comes.
 */
import type { MessagePort } from 'node:worker_threads';
import { instrument } from './instrument.js';
import { MemtraceError } from '../src/errors.js';
import type { TransformReply, TransformRequest } from './off-thread.js';

/** One end of a transform channel, as it is handed to the serving thread. */
export interface TransformChannelData {
  port: MessagePort;
  /** [0] counts replies: the asking thread waits on it with Atomics.wait; [1] is 1 once a server listens. */
  signal: Int32Array;
}

export function answerTransform(request: TransformRequest): TransformReply {
  try {
    return { code: instrument(request.source, request.options).code };
  } catch (error) {
    // An internal error keeps its stack: the asking thread rethrows it as its own.
    const expected = error instanceof MemtraceError;
    return { error: expected ? (error as Error).message : String((error as Error)?.stack ?? error), expected };
  }
}

export function serveTransforms({ port, signal }: TransformChannelData, answer: (request: TransformRequest) => TransformReply = answerTransform): void {
  port.on('message', (request: TransformRequest) => {
    port.postMessage(answer(request));
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
  // Read by the asking thread right after module.register returns: a hooks file without this server
  // (an older copy, another tool's) must not leave it waiting for replies that never come.
  Atomics.store(signal, 1, 1);
}
