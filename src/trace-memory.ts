/**
 * Selective tracing without the loader: `traceMemory(fn)` wraps a function, and `@traceMemory()`
 * decorates class methods, getters and setters (TC39 decorators and TypeScript's
 * experimentalDecorators). Both report to this thread's tracer, into the same files as the loader.
 *
 * An async function (or one seen returning a promise before) is measured until its promise settles,
 * counting only the stretches where its own code runs (promise-calls.ts), as the loader's await probes
 * do; the promise itself is left untouched.
 */
import { fileURLToPath } from 'node:url';
import { tracerOrUntraced } from './tracer/active.js';
import { calibrationTransform } from '../loader/transform-module.js';
import { enterCall } from './runtime/probes.js';
import { callFollowingPromise } from './runtime/promise-calls.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

interface DecoratorContext {
  kind: 'method' | 'getter' | 'setter' | 'field' | 'accessor' | 'class' | 'auto-accessor';
  name: string | symbol;
  static?: boolean;
  private?: boolean;
  addInitializer?(initializer: (this: unknown) => void): void;
}

export interface TraceMemoryOptions {
  /** The name in functions.csv; by default the function's or `Class.method`. */
  name?: string;
}

type Decorator = (...args: unknown[]) => unknown;

export function traceMemory<F extends (...args: never[]) => unknown>(fn: F, options?: TraceMemoryOptions | string): F;
export function traceMemory(options?: TraceMemoryOptions): Decorator;
export function traceMemory(first?: unknown, second?: unknown): unknown {
  if (typeof first === 'function') {
    // `@traceMemory` without parentheses is called as a TC39 decorator: (method, context).
    if (isContext(second)) return decorate({}, first as AnyFunction, second);
    const options = typeof second === 'string' ? { name: second } : ((second as TraceMemoryOptions | undefined) ?? {});
    return wrap(first as AnyFunction, options.name ?? (first.name || '(anonymous)'), callerPosition());
  }
  const options = (first as TraceMemoryOptions | undefined) ?? {};
  return (...args: unknown[]): unknown => {
    if (args.length === 2 && typeof args[0] === 'function' && isContext(args[1])) return decorate(options, args[0] as AnyFunction, args[1]);
    if (args.length === 3 && args[2] && typeof args[2] === 'object')
      return decorateLegacy(options, args[0], String(args[1]), args[2] as PropertyDescriptor);
    throw new TypeError('memtrace: @traceMemory() decorates methods, getters and setters');
  };
}

function isContext(value: unknown): value is DecoratorContext {
  return typeof value === 'object' && value !== null && 'kind' in value && 'name' in value;
}

function decorate(options: TraceMemoryOptions, method: AnyFunction, context: DecoratorContext): AnyFunction {
  if (context.kind !== 'method' && context.kind !== 'getter' && context.kind !== 'setter') {
    throw new TypeError(`memtrace: @traceMemory() decorates methods, getters and setters, not a ${context.kind}`);
  }
  const key = typeof context.name === 'symbol' ? `[${context.name.description ?? ''}]` : context.name;
  const prefix = context.kind === 'getter' ? 'get ' : context.kind === 'setter' ? 'set ' : '';
  const position = callerPosition();
  const { wrapped, id } = wrapWithId(method, options.name ?? `${prefix}${key}`, position);
  if (!options.name && context.addInitializer) {
    let named = false;
    context.addInitializer(function (this: unknown) {
      if (named) return;
      named = true;
      const owner = typeof this === 'function' ? this.name : (this as object | null)?.constructor?.name;
      if (owner && id >= 0) tracerOrUntraced(calibrationTransform)?.table.rename(id, `${prefix}${owner}.${key}`);
    });
  }
  return wrapped;
}

function decorateLegacy(options: TraceMemoryOptions, target: unknown, key: string, descriptor: PropertyDescriptor): PropertyDescriptor {
  const owner = typeof target === 'function' ? target.name : (target as object).constructor.name;
  const position = callerPosition();
  if (typeof descriptor.value === 'function')
    descriptor.value = wrap(descriptor.value as AnyFunction, options.name ?? `${owner}.${key}`, position);
  if (descriptor.get) descriptor.get = wrap(descriptor.get as AnyFunction, options.name ?? `get ${owner}.${key}`, position);
  if (descriptor.set) descriptor.set = wrap(descriptor.set as AnyFunction, options.name ?? `set ${owner}.${key}`, position);
  return descriptor;
}

interface Position {
  file: string;
  line: number;
  column: number;
}

function wrap(fn: AnyFunction, name: string, position: Position): AnyFunction {
  return wrapWithId(fn, name, position).wrapped;
}

function wrapWithId(fn: AnyFunction, name: string, position: Position): { wrapped: AnyFunction; id: number } {
  const tracer = tracerOrUntraced(calibrationTransform);
  if (!tracer) return { wrapped: fn, id: -1 };
  const id = tracer.addFunction(name, position.file, position.line, position.column);
  let returnsPromises = fn.constructor?.name === 'AsyncFunction';
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const frame = enterCall(id);
    if (frame < 0) return fn.apply(this, args); // a counted call: nothing to follow
    const { result, promise } = callFollowingPromise(frame, returnsPromises, () => fn.apply(this, args));
    if (promise) returnsPromises = true;
    return result;
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
  return { wrapped, id };
}

/** Where traceMemory was called from: the first stack frame outside memtrace. */
function callerPosition(): Position {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  // memtrace's own frames: dist/src/, or src/ where a loader with source maps (tsx) maps them back.
  const own = [fileURLToPath(new URL('.', import.meta.url)), fileURLToPath(new URL('../../src/', import.meta.url))];
  for (const frame of stack) {
    const match = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/.exec(frame.trim());
    if (!match) continue;
    const file = match[1]!.startsWith('file:') ? fileURLToPath(match[1]!) : match[1]!;
    if (own.some((directory) => file.startsWith(directory)) || file.startsWith('node:')) continue;
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return { file: '(unknown)', line: 0, column: 0 };
}
