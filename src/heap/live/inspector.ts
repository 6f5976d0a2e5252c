/**
 * A session with this thread's own inspector (node:inspector), for the few DevTools protocol calls
 * the live-heap tools need. An in-process session answers most calls synchronously, but not all
 * (Node 24 answers HeapProfiler.takeHeapSnapshot later), so every call is a promise.
 */
import { createRequire } from 'node:module';
import type { Session } from 'node:inspector';
import { MemtraceError } from '../../shared/errors.js';

/** A DevTools protocol RemoteObject, as far as these tools read it. */
export interface RemoteObject {
  type: string;
  objectId?: string;
  description?: string;
}

type Post = (method: string, params: object, callback: (error: Error | null, result: unknown) => void) => void;

let temporaryKeys = 0;

/** node:inspector is loaded on first use: a Node built without the inspector can still load memtrace. */
function newSession(): Session {
  let inspector: typeof import('node:inspector');
  try {
    inspector = createRequire(import.meta.url)('node:inspector') as typeof import('node:inspector');
  } catch (error) {
    throw new MemtraceError(
      `memtrace: this Node has no inspector (node:inspector: ${(error as Error).message}); sizeOf and trackClass's scan need it`,
    );
  }
  return new inspector.Session();
}

export class InspectorSession {
  private readonly session = newSession();

  constructor() {
    // In a worker thread this connects to the worker's own inspector: the tools then see its heap.
    this.session.connect();
  }

  post<T>(method: string, params: object = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      (this.session.post as unknown as Post).call(this.session, method, params, (error, result) => {
        if (error) reject(new Error(`inspector ${method}: ${error.message}`));
        else resolve(result as T);
      });
    });
  }

  /**
   * The protocol's handle of a live value, held in `objectGroup` until that group is released.
   * The protocol reaches values only through expressions, so the value is put on a global property
   * for the one evaluation and removed at once.
   */
  async remoteObject(value: object, objectGroup: string): Promise<RemoteObject> {
    const key = `__memtrace_live_${process.pid}_${++temporaryKeys}`;
    Object.defineProperty(globalThis, key, { value, configurable: true, enumerable: false });
    try {
      const { result } = await this.post<{ result: RemoteObject }>('Runtime.evaluate', {
        expression: `globalThis[${JSON.stringify(key)}]`,
        objectGroup,
        silent: true,
      });
      return result;
    } finally {
      delete (globalThis as Record<string, unknown>)[key];
    }
  }

  /** The live value behind a protocol handle (the reverse of remoteObject), by the same route. */
  async localValue(objectId: string): Promise<unknown> {
    const key = `__memtrace_live_${process.pid}_${++temporaryKeys}`;
    await this.post('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: `function () { Object.defineProperty(globalThis, ${JSON.stringify(key)}, { value: this, configurable: true }); }`,
      silent: true,
    });
    const value = (globalThis as Record<string, unknown>)[key];
    delete (globalThis as Record<string, unknown>)[key];
    return value;
  }

  releaseGroup(objectGroup: string): Promise<unknown> {
    return this.post('Runtime.releaseObjectGroup', { objectGroup });
  }

  disconnect(): void {
    this.session.disconnect();
  }
}
