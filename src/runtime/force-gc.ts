/**
 * Garbage collections on demand without --expose-gc on the command line (a user's test runner does
 * not pass it): the flag is set at run time and V8's `gc` function taken from a fresh context, where
 * V8 installs it when the flag is on. One function per thread, made on first use.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' }) => void;

let collect: Gc | undefined;

function gcFunction(): Gc {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Gc;
  }
  return collect;
}

/**
 * V8 frees the contents of the ArrayBuffers a collection found dead on a helper thread, and lowers
 * external memory only when that sweep ends: up to milliseconds later, and on a busy machine inside
 * whatever runs next (a limitMemory block read 288 KiB low in CI). A collection first waits for the
 * sweep of the one before, so a scavenge after each collection below leaves external memory final
 * when it returns (0 of 40 readings moved afterwards, against 5-14 of 20 without it).
 */
function settleExternalMemory(gc: Gc): void {
  gc({ type: 'minor' });
}

/** A full (major) collection, synchronous; external memory is final when it returns. */
export function fullGc(): void {
  const gc = gcFunction();
  gc();
  settleExternalMemory(gc);
}

/**
 * A young-generation collection (a scavenge): about a millisecond, frees the short-lived garbage;
 * external memory is final when it returns.
 */
export function minorGc(): void {
  const gc = gcFunction();
  gc({ type: 'minor' });
  settleExternalMemory(gc);
}
