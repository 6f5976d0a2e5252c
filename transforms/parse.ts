/**
 * Parsing a module to an ESTree AST (TS-ESTree for TypeScript) with UTF-16 `start`/`end` offsets.
 * oxc-parser (Rust, through N-API) parses wherever its prebuilt binding loads: it is fast from the
 * first call, where @babel/parser (JavaScript) runs cold in a fresh process until the JIT has compiled
 * it. @babel/parser with its `estree` plugin is the fallback (another platform, a failed optional
 * install, a Node without require() of ES modules), and what MEMTRACE_PARSER=babel forces. Both load
 * on the first module that is not in the transform cache.
 */
import { createRequire } from 'node:module';
import type { Program } from '@oxc-project/types';
import type { ParserPlugin } from '@babel/parser';
import { ParseError } from '../src/shared/errors.js';
import { LineIndex } from './line-index.js';

export type ParserName = 'oxc' | 'babel';
/** 'auto': oxc where it loads, else Babel. */
export type ParserChoice = 'auto' | ParserName;

export interface ParseOptions {
  filename: string;
  sourceType: 'module' | 'script';
  typescript?: boolean;
  jsx?: boolean;
  parser?: ParserChoice;
}

export interface Parsed {
  program: Program;
  parser: ParserName;
}

type OxcParser = typeof import('oxc-parser');
type BabelParser = typeof import('@babel/parser');

const require = createRequire(import.meta.url);
let oxc: OxcParser | null | undefined;
let babel: BabelParser | undefined;

/** oxc-parser, or null where it cannot load here (then it is not tried again). */
function loadOxc(): OxcParser | null {
  if (oxc === undefined) {
    try {
      // An ES module: require() of it needs Node 20.19+ or 22.12+ (oxc-parser's own engines).
      oxc = require('oxc-parser') as OxcParser;
    } catch {
      oxc = null;
    }
  }
  return oxc;
}

/** Which parser `choice` comes to on this platform (loads oxc-parser to find out). */
export function resolveParser(choice: ParserChoice = 'auto'): ParserName {
  if (choice === 'babel') return 'babel';
  return loadOxc() ? 'oxc' : 'babel';
}

export function parseProgram(source: string, options: ParseOptions): Parsed {
  return resolveParser(options.parser) === 'oxc'
    ? { program: parseWithOxc(loadOxc()!, source, options), parser: 'oxc' }
    : { program: parseWithBabel(source, options), parser: 'babel' };
}

function parseWithOxc(parser: OxcParser, source: string, options: ParseOptions): Program {
  const lang = options.typescript ? (options.jsx ? 'tsx' : 'ts') : options.jsx ? 'jsx' : 'js';
  const result = parser.parseSync(options.filename, source, {
    lang,
    // 'commonjs': a script whose top level may `return`, as CommonJS wraps it in a function.
    sourceType: options.sourceType === 'script' ? 'commonjs' : 'module',
    astType: options.typescript ? 'ts' : 'js',
    // Kept: an arrow's body `({...})` must be wrapped with its parentheses.
    preserveParens: true,
  });
  // Any error means the module is not parsed as V8 will run it: it runs untraced.
  const error = result.errors.find((e) => e.severity === 'Error');
  if (error) {
    const offset = error.labels[0]?.start;
    const at = offset === undefined ? undefined : new LineIndex(source).position(offset);
    throw new ParseError(options.filename, at?.line, at?.column, error.message);
  }
  return result.program;
}

function parseWithBabel(source: string, options: ParseOptions): Program {
  // classFeatures: class fields and private names as ESTree's PropertyDefinition and PrivateIdentifier.
  const plugins: ParserPlugin[] = [['estree', { classFeatures: true }]];
  if (options.typescript) plugins.push('typescript');
  if (options.jsx) plugins.push('jsx');
  try {
    babel ??= require('@babel/parser') as BabelParser;
    const file = babel.parse(source, {
      sourceType: options.sourceType,
      sourceFilename: options.filename,
      allowReturnOutsideFunction: options.sourceType === 'script',
      allowAwaitOutsideFunction: options.sourceType === 'module',
      createParenthesizedExpressions: true,
      createImportExpressions: true,
      attachComment: false,
      plugins,
    });
    return file.program as unknown as Program;
  } catch (error) {
    const e = error as { message?: string; loc?: { line: number; column: number } };
    throw new ParseError(options.filename, e.loc?.line, e.loc?.column, String(e.message ?? error));
  }
}
