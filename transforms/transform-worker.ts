/**
 * The transform worker's thread: instruments what the traced thread sends it, so the parser, its AST
 * and the edits (megabytes for a large module) are allocated on this thread's heap, never on the heap
 * the tracer measures. When the transform's modules fail to load, every request is still answered
 * (`unusable`), so the traced thread is never left waiting.
 */
import { workerData } from 'node:worker_threads';
import { serveTransforms, type TransformChannelData, type TransformReply, type TransformRequest } from './transform-service.js';
import { ignoreThreadInNativeRecord } from '../src/shared/native-addon.js';

// The parser's native memory is memtrace's, not the program's (`memtrace run --native`).
ignoreThreadInNativeRecord();

let answer: (request: TransformRequest) => TransformReply;
try {
  ({ answerTransform: answer } = await import('./off-thread.js'));
} catch (error) {
  const unusable = `the transform worker could not load the transform: ${String((error as Error)?.stack ?? error)}`;
  answer = () => ({ unusable });
}
serveTransforms(workerData as TransformChannelData, answer);
