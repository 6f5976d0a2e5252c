/**
 * The protocol of a transform channel, and its serving side (off-thread.ts is the asking side): each
 * request gets exactly one reply, an error included, because the asking thread is blocked until it
 * comes; after posting it the server bumps the shared counter the asking thread waits on. Both
 * servers use it: the transform worker, and on Node 20 the module.register hooks thread. Nothing here
 * loads the transform itself, so a worker that cannot load it still answers.
 */
import type { MessagePort } from 'node:worker_threads';
import type { InstrumentOptions } from './instrument.js';

export interface TransformRequest {
  source: string;
  options: InstrumentOptions;
}

/** `unusable`: the server cannot transform at all (the caller transforms on its own thread instead). */
export type TransformReply = { code: string } | { error: string; expected: boolean } | { unusable: string };

/** One end of a transform channel, as it is handed to the serving thread. */
export interface TransformChannelData {
  port: MessagePort;
  /** [0] counts replies: the asking thread waits on it with Atomics.wait; [1] is 1 once a server listens. */
  signal: Int32Array;
}

export function serveTransforms({ port, signal }: TransformChannelData, answer: (request: TransformRequest) => TransformReply): void {
  port.on('message', (request: TransformRequest) => {
    port.postMessage(answer(request));
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
  // Read by the asking thread right after module.register returns: a hooks file without this server
  // (an older copy, another tool's) must not leave it waiting for replies that never come.
  Atomics.store(signal, 1, 1);
}
