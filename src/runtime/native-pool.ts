/**
 * Who queued the threadpool's work, for `memtrace run --native`. libuv's threadpool runs fs, crypto,
 * zlib, dns and addons' async work on threads of its own, where no JS function is running. Each
 * request JS queues is an async resource; this reports each one's start (async_hooks init) and end
 * (its first `before`, when its callback is about to run and the work is done, or its destroy) to the
 * allocation tracker, which then knows while every request in flight was queued by one measured
 * function, and only then gives that function a pool thread's samples (native/preload/
 * memtrace-native.c, "The threadpool's owner").
 *
 * Only where async_hooks takes `trackPromises: false`: elsewhere (Node 20, Node 22 up to 22.23 at
 * least) an init hook turns on V8's promise hooks for every promise of the program, a cost that
 * has nothing to do with the threadpool. There a pool thread's samples carry their thread only.
 */
import { asyncWrapProviders, createHook, type HookCallbacks } from 'node:async_hooks';

export interface PoolTracker {
  nativeMemoryPoolQueued(): number;
  nativeMemoryPoolDone(token: number): void;
}

/**
 * Node's own requests that run on the threadpool: fs (callbacks and promises, a FileHandle's close),
 * dns.lookup and lookupService, zlib, and every crypto job (PBKDF2REQUEST, SCRYPTREQUEST, CIPHERREQUEST,
 * ...: each `*REQUEST` type but HTTP's). Node's other resources (timers, sockets, pipes, processes,
 * watchers, workers, HTTP objects) never use the pool. Resources of other types, which an addon's
 * async work or a library's AsyncResource create, are not counted: their work shows as such in its
 * native stack (the addon's `.node` object), and the conversion gives such samples no function.
 */
const NODE_POOL_TYPES = ['FSREQCALLBACK', 'FSREQPROMISE', 'FILEHANDLECLOSEREQ', 'GETADDRINFOREQWRAP', 'GETNAMEINFOREQWRAP', 'ZLIB'];

function poolTypes(): ReadonlySet<string> {
  const types = new Set(NODE_POOL_TYPES);
  for (const type of Object.keys(asyncWrapProviders)) {
    if (type.endsWith('REQUEST') && type !== 'HTTPCLIENTREQUEST') types.add(type);
  }
  return types;
}

/**
 * A zlib stream's handle is one resource for the stream's life, and each write of it runs on the pool
 * (its `before` comes once per write): it is in flight until it is destroyed.
 */
const IN_FLIGHT_UNTIL_DESTROYED = new Set(['ZLIB']);

/** Whether this Node's async_hooks can leave promises out (`trackPromises: false`): the pool's owners are known then. */
export function promisesCanBeLeftOut(): boolean {
  let promiseSeen = false;
  const probe = createHook({
    init(_id: number, type: string) {
      if (type === 'PROMISE') promiseSeen = true;
    },
    trackPromises: false,
  } as HookCallbacks);
  probe.enable();
  void Promise.resolve();
  probe.disable();
  return !promiseSeen;
}

/**
 * The requests in flight on this thread: async id → the tracker's token, in an open-addressed table
 * of typed arrays (linear probing, Fibonacci hashing: async ids come in sequence), so the hooks
 * allocate nothing (they run inside the traced program's calls, whose heap figures they would
 * otherwise add to). Doubles when half full: a rare allocation.
 */
export class InFlight {
  private bits = 10;
  private ids = new Float64Array(1 << this.bits);
  private tokens = new Int32Array(1 << this.bits);
  private whole = new Uint8Array(1 << this.bits);
  private used = 0;

  get size(): number {
    return this.used;
  }

  private home(id: number): number {
    return Math.imul(id | 0, 0x9e3779b1) >>> (32 - this.bits);
  }

  add(id: number, token: number, untilDestroyed: boolean): void {
    if ((this.used + 1) * 2 > this.ids.length) this.grow();
    const mask = this.ids.length - 1;
    let at = this.home(id);
    while (this.ids[at] !== 0) at = (at + 1) & mask;
    this.ids[at] = id;
    this.tokens[at] = token;
    this.whole[at] = untilDestroyed ? 1 : 0;
    this.used++;
  }

  /** Where `id` is, or -1. */
  find(id: number): number {
    const mask = this.ids.length - 1;
    for (let at = this.home(id); this.ids[at] !== 0; at = (at + 1) & mask) if (this.ids[at] === id) return at;
    return -1;
  }

  untilDestroyed(at: number): boolean {
    return this.whole[at] === 1;
  }

  /** Removes the entry at `at` and returns its token. Backward-shift deletion: no tombstones, so a lookup stops at the first empty slot. */
  take(at: number): number {
    const token = this.tokens[at];
    const mask = this.ids.length - 1;
    let hole = at;
    for (let next = (at + 1) & mask; this.ids[next] !== 0; next = (next + 1) & mask) {
      // The entry at `next` moves back into the hole when the hole is no further from its home than `next` is.
      if (((next - this.home(this.ids[next])) & mask) >= ((next - hole) & mask)) {
        this.ids[hole] = this.ids[next];
        this.tokens[hole] = this.tokens[next];
        this.whole[hole] = this.whole[next];
        hole = next;
      }
    }
    this.ids[hole] = 0;
    this.used--;
    return token;
  }

  private grow(): void {
    const { ids, tokens, whole } = this;
    this.bits++;
    this.ids = new Float64Array(1 << this.bits);
    this.tokens = new Int32Array(1 << this.bits);
    this.whole = new Uint8Array(1 << this.bits);
    this.used = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) this.add(ids[i], tokens[i], whole[i] === 1);
  }
}

/**
 * Reports this thread's threadpool requests to the tracker from now on; false where promises cannot be
 * left out of async_hooks (nothing is installed then).
 */
export function trackPoolOwners(tracker: PoolTracker): boolean {
  if (!promisesCanBeLeftOut()) return false;
  const inFlight = new InFlight();
  const pool = poolTypes();
  const end = (id: number, destroyed: boolean): void => {
    const at = inFlight.find(id);
    if (at >= 0 && (destroyed || !inFlight.untilDestroyed(at))) tracker.nativeMemoryPoolDone(inFlight.take(at));
  };
  createHook({
    init(id: number, type: string) {
      if (!pool.has(type)) return;
      inFlight.add(id, tracker.nativeMemoryPoolQueued(), IN_FLIGHT_UNTIL_DESTROYED.has(type));
    },
    before(id: number) {
      end(id, false);
    },
    destroy(id: number) {
      end(id, true);
    },
    trackPromises: false,
  } as HookCallbacks).enable();
  return true;
}
