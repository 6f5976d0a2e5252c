/**
 * CommonJS on Node 20: Module.prototype._compile sees every CommonJS source, whether loaded by
 * require, createRequire or an import of a .cjs file (the ESM hooks of module.register get `null` for
 * CommonJS sources there), and the ES modules that require() loads on Node 20.19+.
 */
import Module from 'node:module';
import { kindOfFormat, type ModuleTransformer } from './transform-module.js';

interface CompilableModule {
  _compile(content: string, filename: string, ...rest: unknown[]): unknown;
}

export function installCommonJsHook(transform: ModuleTransformer): void {
  const prototype = (Module as unknown as { prototype: CompilableModule }).prototype;
  const original = prototype._compile;
  prototype._compile = function compile(this: CompilableModule, content: string, filename: string, ...rest: unknown[]) {
    // Node 20.19+ passes the format: 'module' for an ES module that require() loads (a .mjs, or a .js
    // of a "type": "module" package), which it then compiles as a module from this same source.
    const format = typeof rest[0] === 'string' ? kindOfFormat(rest[0], filename) : null;
    // A .ts file reaches _compile already compiled by a loader such as tsx; parse it as TypeScript
    // all the same, in case some type syntax is left.
    const code = transform(content, filename, format ?? { sourceType: 'script', typescript: /\.[cm]?tsx?$/.test(filename) });
    return original.call(this, code, filename, ...rest);
  };
}
