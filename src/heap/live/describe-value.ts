/** How an argument that is not what a function takes is named in its error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 20 ? `${value.slice(0, 20)}…` : value;
      return `${JSON.stringify(shown)} (a string)`;
    }
    case 'number':
    case 'boolean':
      return `${String(value)} (a ${typeof value})`;
    case 'bigint':
      return `${String(value)}n (a bigint)`;
    case 'symbol':
      return `${String(value)} (a symbol)`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return `the function ${value.name || '(anonymous)'}`;
    default:
      return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  }
}

/** True for values `new` works on (classes, plain constructor functions), without calling them. */
export function isConstructor(value: unknown): value is new (...args: never[]) => object {
  if (typeof value !== 'function') return false;
  try {
    // Reflect.construct checks that its newTarget is a constructor before it calls the (harmless) target.
    Reflect.construct(String, [], value);
    return true;
  } catch {
    return false;
  }
}
