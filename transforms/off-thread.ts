/**
 * Instrumenting on another thread, synchronously for the caller: the CommonJS hook and
 * `module.registerHooks` must return the code before the module runs, and both run on the traced
 * thread, often inside a traced call (a `require()` in a function). Transforming there would put the
 * parser's allocations (~50 times the module's size) into that call.
 *
 * Two threads serve (transform-service.ts): on Node 20, Node's module.register hooks thread, which
 * transforms the ES modules already, so every CommonJS module goes there too and the parser loads and
 * warms up once per process instead of once per thread; elsewhere a transform worker, started on the
 * first module that is loaded inside a measured call and is not in the transform cache, so most runs
 * never start it (modules imported at startup are transformed before any call runs, where an idle
 * extra isolate would only add to V8's background work while the program runs). Where neither can
 * serve, the transform runs on the calling thread.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { instrument, type InstrumentOptions } from './instrument.js';
import { MemtraceError } from '../src/shared/errors.js';
import type { TransformChannelData, TransformReply, TransformRequest } from './transform-service.js';

/** How long one module may take before the server is given up for the calling thread (a 9 MB bundle takes seconds). */
const REPLY_TIMEOUT_MS = 120_000;

class TransformChannel {
  /** The end to hand to the serving thread (transferred, so usable only there). */
  readonly serverEnd: TransformChannelData;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));

  /**
   * `everyModule`: the server takes every transform of this thread (Node 20's hooks thread), not only
   * those of modules loaded inside a measured call (the worker).
   */
  constructor(
    readonly everyModule: boolean,
    private readonly onClose: () => void = () => {},
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.unref();
    this.serverEnd = { port: port2, signal: this.signal };
  }

  get served(): boolean {
    return Atomics.load(this.signal, 1) === 1;
  }

  /** The reply, or undefined when the server did not answer in time. */
  request(request: TransformRequest): TransformReply | undefined {
    this.port.postMessage(request);
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    for (;;) {
      // Read before looking at the port: a reply posted in between changes it, so the wait returns.
      const seen = Atomics.load(this.signal, 0);
      const reply = receiveMessageOnPort(this.port);
      if (reply) return reply.message as TransformReply;
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, seen, left) === 'timed-out')
        return receiveMessageOnPort(this.port)?.message as TransformReply | undefined;
    }
  }

  close(): void {
    this.port.close();
    this.onClose();
  }
}

function startTransformWorker(): TransformChannel {
  let worker: Worker | undefined;
  const channel = new TransformChannel(false, () => void worker?.terminate());
  worker = new Worker(new URL('./transform-worker.js', import.meta.url), {
    workerData: channel.serverEnd,
    transferList: [channel.serverEnd.port],
    // Not traced itself: no --import of memtrace/register, no NODE_OPTIONS that would add it.
    execArgv: [],
    env: { ...process.env, MEMTRACE_DISABLE: '1', NODE_OPTIONS: '' },
    stdout: false,
    stderr: false,
  });
  worker.unref();
  return channel;
}

/** undefined: not started yet; null: none can serve (the calling thread transforms). */
let server: TransformChannel | null | undefined;

/**
 * For Node 20's module.register: `connect(data)` registers the hooks with `data` for their
 * `initialize` (which calls serveTransforms); when they serve, every transform of this thread goes to
 * the hooks thread from then on.
 */
export function transformOnHooksThread(connect: (data: TransformChannelData) => void): void {
  const channel = new TransformChannel(true);
  connect(channel.serverEnd);
  if (channel.served) server = channel;
  else channel.close();
}

/** The serving side's work: instrument() of one request, its failure as a reply. */
export function answerTransform(request: TransformRequest): TransformReply {
  try {
    return { code: instrument(request.source, request.options).code };
  } catch (error) {
    // An internal error keeps its stack: the asking thread rethrows it as its own.
    const expected = error instanceof MemtraceError;
    return { error: expected ? (error as Error).message : String((error as Error)?.stack ?? error), expected };
  }
}

/**
 * instrument(source, options).code where this thread's transforms go: off the thread when a server
 * takes every module (Node 20's hooks thread) or when `offThread` asks (a measured call is open), else
 * here.
 */
export function instrumentCode(source: string, options: InstrumentOptions, offThread = false): string {
  return offThread || server?.everyModule ? instrumentOffThread(source, options) : instrument(source, options).code;
}

/** instrument(source, options).code, computed on the serving thread (or here, where none can serve). */
function instrumentOffThread(source: string, options: InstrumentOptions): string {
  if (server === undefined) {
    try {
      server = startTransformWorker();
    } catch {
      server = null;
    }
  }
  const reply = server?.request({ source, options });
  if (!reply || 'unusable' in reply) {
    if (server) {
      const why = reply ? reply.unusable.split('\n')[0] : `the transform thread did not answer for ${options.filename}`;
      process.stderr.write(`memtrace: ${why.replace(/^memtrace: /, '')}; transforming on this thread from now on\n`);
      server.close();
      server = null;
    }
    return instrument(source, options).code;
  }
  if ('code' in reply) return reply.code;
  if (reply.expected) throw new MemtraceError(reply.error);
  throw new Error(`memtrace: transforming ${options.filename} failed: ${reply.error}`);
}
