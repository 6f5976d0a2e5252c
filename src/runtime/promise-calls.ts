/**
 * Follows a traceMemory()-wrapped call past the promise it returns, without touching the promise: no
 * handler is attached (that would change unhandled-rejection behaviour) and no extra tick is added.
 * V8's promise hooks tell which promises the call's own code created (init while it runs), when one of
 * their reactions runs (before/after: the call resumes and suspends, as the loader's await probes do),
 * and when the returned promise settles (the call ends). Hooks are on only while such calls are pending,
 * because they cost every promise in the process something.
 */
import { promiseHooks } from 'node:v8';
import { probes } from './probes.js';

interface PendingCall {
  readonly frame: number;
  settled: boolean;
  running: boolean;
}

/** The traced call whose code created each promise; reactions of that promise are its work. */
const creator = new WeakMap<object, PendingCall>();
/** The promise each pending call returned, to end the call when it settles. */
const returnedBy = new WeakMap<object, PendingCall>();
/** Promises of traced calls that settled before the call returned them (an async function without awaits). */
const settledEarly = new WeakSet<object>();
/** The traced call whose code runs now (synchronously, or inside one of its promise reactions). */
let current: PendingCall | undefined;
const outer: Array<PendingCall | undefined> = [];
let pendingCalls = 0;
let activeCalls = 0;
let stopHooks: (() => void) | undefined;

function startHooks(): void {
  if (stopHooks) return;
  stopHooks = promiseHooks.createHook({
    init(promise) {
      if (current) creator.set(promise, current);
    },
    before(promise) {
      outer.push(current);
      const call = creator.get(promise);
      current = call && !call.settled ? call : undefined;
      if (current && !current.running) {
        current.running = true;
        probes.resumed(current.frame);
      }
    },
    after() {
      const call = current;
      if (call && !call.settled && call.running && call !== outer[outer.length - 1]) {
        call.running = false;
        probes.suspend(undefined, call.frame);
      }
      current = outer.pop();
    },
    settled(promise) {
      const call = returnedBy.get(promise);
      if (!call) {
        if (creator.has(promise)) settledEarly.add(promise);
        return;
      }
      if (call.settled) return;
      pendingCalls--;
      endCall(call);
    },
  }) as () => void; // @types/node 20 types it as Function
}

/** The call ends: its exit probe, and the hooks off if nothing is left to follow. */
function endCall(call: PendingCall): void {
  call.settled = true;
  probes.exit(call.frame);
  stopHooksWhenIdle();
}

function stopHooksWhenIdle(): void {
  if (pendingCalls === 0 && activeCalls === 0 && stopHooks) {
    stopHooks();
    stopHooks = undefined;
  }
}

/**
 * Runs `body` (the wrapped function's own call) as traced call `frame`. With `expectPromise` (an async
 * function, or one that returned a promise before) the hooks are on during the call, so the promises
 * its synchronous part creates are known as its own, and when it returns a native promise the call
 * stays open, suspended, until that promise settles. `promise` in the result says a promise came back.
 */
export function callFollowingPromise(frame: number, expectPromise: boolean, body: () => unknown): { result: unknown; promise: boolean } {
  if (expectPromise) startHooks();
  const call: PendingCall = { frame, settled: false, running: true };
  const previous = current;
  current = call;
  activeCalls++;
  let result: unknown;
  try {
    result = body();
  } catch (error) {
    probes.thrown(frame);
    current = previous;
    activeCalls--;
    endCall(call);
    throw error;
  }
  current = previous;
  activeCalls--;
  // Without the hooks on during the call, whether its promise already settled cannot be known: the
  // call ends here (its synchronous part), and the caller turns the hooks on for its next calls.
  if (!(result instanceof Promise) || !expectPromise || settledEarly.has(result)) {
    endCall(call);
    return { result, promise: result instanceof Promise };
  }
  call.running = false;
  probes.suspend(undefined, frame);
  returnedBy.set(result, call);
  pendingCalls++;
  return { result, promise: true };
}
