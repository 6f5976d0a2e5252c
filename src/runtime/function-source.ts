/**
 * `Function.prototype.toString()` of a traced function returns the user's source text, not the
 * instrumented one, so that `Function(String(fn))`, serialisers and frameworks that read a function's
 * source (avvio names plugins from it) see the program as written.
 *
 * V8's own toString runs first; only where its text holds memtrace's probes are they taken out again
 * (transforms/probe-text.ts: the transform only inserts, and what it inserts is recognisable). Nothing is
 * kept per function, and nothing runs when a function is created or called: the cost is on toString
 * alone. Everything else stays Node's: the text of untraced, bound and native functions and of proxies,
 * the TypeError for a non-function (thrown by V8's own toString), and the patched function itself reads
 * as native (`function toString() { [native code] }`), with the name, length and property attributes
 * of the one it replaces.
 */
import { mayHoldProbes, originalText } from '../../transforms/probe-text.js';

let installed = false;

export function installOriginalFunctionText(): void {
  if (installed) return;
  const descriptor = Object.getOwnPropertyDescriptor(Function.prototype, 'toString');
  const nativeToString = descriptor?.value as ((this: unknown) => string) | undefined;
  if (typeof nativeToString !== 'function') return;
  const apply = Reflect.apply;
  const ownText = apply(nativeToString, nativeToString, []);
  // A method: like the native one, it has no prototype and cannot be called with `new`.
  const replacement = {
    toString(this: unknown): string {
      if (this === replacement) return ownText;
      const text = apply(nativeToString, this, []);
      return mayHoldProbes(text) ? originalText(text) : text;
    },
  }.toString;
  Object.defineProperty(Function.prototype, 'toString', { ...descriptor, value: replacement });
  installed = true;
}
