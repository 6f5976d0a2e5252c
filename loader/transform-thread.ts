/**
 * Instrumenting on a worker thread, synchronously for the caller: the CommonJS hook and
 * `module.registerHooks` must return the code before the module runs, and both run on the traced
 * thread, often inside a traced call (a `require()` in a function). Transforming there would put the
 * parser's allocations (~50 times the module's size) into that call. The worker starts on the first
 * module that is loaded inside a measured call and is not in the transform cache, so most runs never
 * start it (modules imported at startup are transformed before any call runs, where an idle extra
 * isolate would only add to V8's background work while the program runs); where a worker cannot
 * start, the transform runs on the calling thread.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { instrument, type InstrumentOptions } from '../transforms/instrument.js';
import { MemtraceError } from '../src/errors.js';

export interface TransformRequest {
  source: string;
  options: InstrumentOptions;
}

/** `unusable`: the worker cannot transform at all (the caller transforms on its own thread instead). */
export type TransformReply = { code: string } | { error: string; expected: boolean } | { unusable: string };

export interface TransformWorkerData {
  port: MessagePort;
  /** [0] counts replies: the caller waits on it with Atomics.wait. */
  signal: Int32Array;
}

/** How long one module may take before the worker is given up for the calling thread (a 9 MB bundle takes seconds). */
const REPLY_TIMEOUT_MS = 120_000;

class TransformWorker {
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker: Worker;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const data: TransformWorkerData = { port: port2, signal: this.signal };
    this.worker = new Worker(new URL('./transform-worker.js', import.meta.url), {
      workerData: data,
      transferList: [port2],
      // Not traced itself: no --import of memtrace/register, no NODE_OPTIONS that would add it.
      execArgv: [],
      env: { ...process.env, MEMTRACE_DISABLE: '1', NODE_OPTIONS: '' },
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.port = port1;
    this.port.unref();
  }

  /** The reply, or undefined when the worker did not answer in time. */
  request(request: TransformRequest): TransformReply | undefined {
    const seen = Atomics.load(this.signal, 0);
    this.port.postMessage(request);
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    while (Atomics.load(this.signal, 0) === seen) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, seen, left) === 'timed-out') return undefined;
    }
    return receiveMessageOnPort(this.port)?.message as TransformReply | undefined;
  }

  close(): void {
    void this.worker.terminate();
  }
}

let worker: TransformWorker | null | undefined;

/** instrument(source, options).code, computed on the transform worker (or here, where it cannot run). */
export function instrumentOffThread(source: string, options: InstrumentOptions): string {
  if (worker === undefined) {
    try {
      worker = new TransformWorker();
    } catch {
      worker = null;
    }
  }
  const reply = worker?.request({ source, options });
  if (!reply || 'unusable' in reply) {
    if (worker) {
      const why = reply ? reply.unusable.split('\n')[0] : `the transform worker did not answer for ${options.filename}`;
      process.stderr.write(`memtrace: ${why.replace(/^memtrace: /, '')}; transforming on this thread from now on\n`);
      worker.close();
      worker = null;
    }
    return instrument(source, options).code;
  }
  if ('code' in reply) return reply.code;
  if (reply.expected) throw new MemtraceError(reply.error);
  throw new Error(`memtrace: transforming ${options.filename} failed: ${reply.error}`);
}
