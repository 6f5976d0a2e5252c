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

/** A full (major) collection, synchronous. */
export function fullGc(): void {
  gcFunction()();
}

/** A young-generation collection (a scavenge): about a millisecond, frees the short-lived garbage. */
export function minorGc(): void {
  gcFunction()({ type: 'minor' });
}
