/**
 * The transform: parse a module to ESTree (oxc-parser, or @babel/parser where oxc cannot load: see
 * parse.ts), then insert probes into the original text at the parsed positions with magic-string, which also derives the source map from the edits. Regenerating
 * the code from the AST (the usual Babel pipeline) costs ten times more and moves every line; inserting
 * text keeps every original line where it was, so stack traces keep their line numbers even without
 * a source map.
 *
 * Every function body becomes
 *   { var __mt$c, __mt$t; (__mt$c) = --__memtrace$d[__mt$b + K] > 0 ? -1 : __mt$.enter(__mt$b + K);
 *     (__mt$t) = __mt$; try { BODY; (__mt$t) = 0 } finally { if (__mt$c >= 0) __mt$.exit(__mt$c, __mt$t) } }
 *   (a counted call only counts down; exit: thrown where __mt$t is still __mt$)
 * with each `return X` as `return (__mt$t) = (0, X), __mt$t`, which leaves `this`, `arguments`,
 * `new.target`, `super`, return values and hoisting untouched: the body still runs in the same function,
 * and `finally` sees every way out of it. There is no `catch`: an exception passing only through a
 * `finally` keeps the place V8 recorded at its `throw` (Node prints that line above an uncaught one).
 * The exact text is in probe-text.ts.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type {
  Node,
  Function as FunctionNode,
  ArrowFunctionExpression,
  AwaitExpression,
  ForOfStatement,
  ReturnStatement,
  Statement,
  YieldExpression,
} from '@oxc-project/types';
import type MagicStringType from 'magic-string';
import { functionName, functionStart } from './function-names.js';
import { VISITOR_KEYS } from './visitor-keys.js';
import { OriginalPositions, readInlineSourceMap, sourceMapCommentAt, type RawSourceMap } from './source-maps.js';
import { parseProgram, type ParserChoice, type ParserName } from './parse.js';
import { LineIndex } from './line-index.js';
import { isPlain, mayAllocate } from './allocating.js';
import {
  AFTER_DIRECTIVE,
  AFTER_LOOP,
  ARROW_OPEN,
  ARROW_RETURN,
  BARE_RETURN,
  BARE_YIELD_ARGUMENT,
  CLOSE,
  enterProbe,
  LEAVE,
  lineProbe,
  LOOP_BODY_CLOSE,
  LOOP_BODY_OPEN,
  OPEN,
  PROBE_CLOSE,
  RESUME_OPEN,
  RESUMED,
  RETURN_CLOSE,
  RETURN_OPEN,
  STATEMENT_END,
  STATEMENT_START,
  SUSPEND_OPEN,
  YIELD_CLOSE,
  YIELD_OPEN,
} from './probe-text.js';

// The parser (parse.ts) and magic-string load on the first module that is not in the transform cache:
// a traced process whose modules are all cached never pays for loading them.
const require = createRequire(import.meta.url);
let MagicString: typeof MagicStringType | undefined;

export const RUNTIME_GLOBAL = '__memtrace$';
/** Marks instrumented code so a module is never instrumented twice. */
export const INSTRUMENTED_MARKER = `/*memtrace:instrumented*/`;

export interface InstrumentOptions {
  /** Absolute path of the module; what the function table reports unless a source map says otherwise. */
  filename: string;
  sourceType: 'module' | 'script';
  /** Parse TypeScript syntax (Node 24 strips types after us). */
  typescript?: boolean;
  jsx?: boolean;
  /**
   * Insert a probe before every statement inside functions (true: memory_profiler's line view), or
   * only before those that can allocate ('allocating': statement sampling, transforms/allocating.ts).
   */
  lines?: boolean | 'allocating';
  /** Emit a source map of the edits, composed with any incoming one, as an inline comment. */
  sourceMap?: boolean;
  /** 'auto' (the default): oxc-parser where it loads, else @babel/parser. */
  parser?: ParserChoice;
}

/** One traced function as the runtime's FunctionTable receives it. */
export interface FunctionRecord {
  name: string;
  file: string;
  line: number;
  column: number;
}

export interface InstrumentResult {
  code: string;
  functions: FunctionRecord[];
  /** Set when the source was left as it was (already instrumented). */
  skipped?: string;
  /** The parser that parsed it (absent when skipped). */
  parser?: ParserName;
}

const NO_KEYS: readonly string[] = [];
/** The nodes whose statements form a list, where an empty statement more changes nothing. */
const STATEMENT_LISTS = new Set(['BlockStatement', 'Program', 'SwitchCase', 'StaticBlock']);

interface FunctionContext {
  /** false where the node is not a traced function (a class static block, or module top level). */
  traced: boolean;
  suspends: boolean;
}

export function instrument(source: string, options: InstrumentOptions): InstrumentResult {
  if (source.includes(INSTRUMENTED_MARKER)) return { code: source, functions: [], skipped: 'already instrumented' };
  const { program, parser } = parseProgram(source, options);
  MagicString ??= (require('magic-string') as { default: typeof MagicStringType }).default;
  const instrumenter = new Instrumenter(source, options, new MagicString(source));
  instrumenter.visit(program);
  return { ...instrumenter.finish(program), parser };
}

/**
 * One module's walk: the visitor goes down every node that can hold code that runs (VISITOR_KEYS),
 * keeping the ancestors and the function contexts, and each kind of node that gets probes has its own
 * small method. Insertions go into `out` (magic-string); finish() adds the preamble and the map.
 */
class Instrumenter {
  private readonly lineIndex: LineIndex;
  private readonly positions: OriginalPositions;
  private readonly functions: FunctionRecord[] = [];
  private readonly ancestors: Node[] = [];
  private readonly contexts: FunctionContext[] = [{ traced: false, suspends: false }];

  constructor(
    private readonly source: string,
    private readonly options: InstrumentOptions,
    private readonly out: MagicStringType,
  ) {
    this.lineIndex = new LineIndex(source);
    this.positions = new OriginalPositions(options.filename, readInlineSourceMap(source, options.filename));
  }

  visit(node: Node): void {
    const instrumentable = isInstrumentable(node);
    const isFunction = instrumentable && !hasBlockScopingConflict(node, this.source);
    if (isFunction) this.instrumentFunction(node);
    else this.instrumentExpression(node);
    // A function left untraced has a context too: its returns and awaits are not the outer call's.
    const opensContext = instrumentable || node.type === 'StaticBlock';
    if (opensContext) this.contexts.push({ traced: isFunction, suspends: isFunction && (node.async || node.generator) });
    this.ancestors.push(node);
    const record = node as unknown as Record<string, unknown>;
    // Indexed loops: the first module runs this in V8's interpreter, where for-of costs an iterator.
    const keys = VISITOR_KEYS[node.type] ?? NO_KEYS;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const child = record[key];
      if (Array.isArray(child)) {
        const linesHere =
          this.options.lines &&
          ((key === 'body' && node.type === 'BlockStatement') || (key === 'consequent' && node.type === 'SwitchCase'));
        for (let i = 0; i < child.length; i++) {
          const item: unknown = child[i];
          if (item === null || typeof item !== 'object' || typeof (item as Node).type !== 'string') continue;
          if (linesHere) this.probeStatement(item as Statement);
          this.visit(item as Node);
        }
      } else if (child !== null && typeof child === 'object' && typeof (child as Node).type === 'string') {
        this.visit(child as Node);
      }
    }
    this.ancestors.pop();
    if (opensContext) this.contexts.pop();
  }

  /** Entry and exit probes around a function's body, and its record in the function table. */
  private instrumentFunction(fn: InstrumentableFunction): void {
    const start = this.lineIndex.position(functionStart(fn, this.ancestors[this.ancestors.length - 1]));
    const original = this.positions.original(start.line, start.column);
    const id = this.functions.length;
    this.functions.push({
      name: functionName(fn, this.ancestors, this.source, start.line),
      file: original.file,
      line: original.line,
      column: original.column,
    });
    // `__mt$||__mt$i()`: a hoisted function can run before its module's preamble (circular imports).
    const enter = enterProbe(id);
    const body = fn.body;
    const out = this.out;
    if (body.type === 'BlockStatement') {
      const prologue = directivesEnd(body.body);
      // A directive may end without its `;` (ASI before the next line): the entry must not continue it.
      const entry = prologue === undefined ? enter : AFTER_DIRECTIVE + enter;
      const at = prologue ?? body.start + 1;
      const closeAt = body.end - 1;
      if (at === closeAt) {
        out.appendLeft(at, entry + LEAVE);
      } else {
        out.appendLeft(at, entry);
        out.prependLeft(closeAt, LEAVE);
      }
    } else {
      // An expression body is the function's one statement: in line mode it gets its line probe too.
      const probe = this.options.lines === true || (this.options.lines === 'allocating' && !isPlain(body));
      out.appendLeft(body.start, `${ARROW_OPEN}${enter}${probe ? this.lineProbeAt(body.start) : ''}${ARROW_RETURN}`);
      out.prependLeft(body.end, RETURN_CLOSE + LEAVE + CLOSE);
    }
  }

  /** The probes inside a traced function's body: returns, and where it suspends and resumes. */
  private instrumentExpression(node: Node): void {
    const context = this.contexts[this.contexts.length - 1];
    if (!context.traced) return;
    if (node.type === 'ReturnStatement') return this.instrumentReturn(node);
    if (!context.suspends) return;
    if (node.type === 'AwaitExpression' || node.type === 'YieldExpression') this.instrumentSuspension(node);
    else if (node.type === 'ForOfStatement' && node.await) this.instrumentForAwait(node);
    else if (node.type === 'CatchClause' || (node.type === 'TryStatement' && node.finalizer)) {
      // A rejected await or a generator's throw()/return() resumes the function here without passing
      // through resume(): tell the runtime the call runs again.
      const block = node.type === 'CatchClause' ? node.body : node.finalizer!;
      this.out.appendLeft(block.start + 1, RESUMED);
    }
  }

  private instrumentReturn(node: ReturnStatement): void {
    if (node.argument) {
      this.out.appendLeft(node.argument.start, RETURN_OPEN);
      this.out.prependLeft(node.argument.end, RETURN_CLOSE);
    } else {
      // `return` alone, ended by ASI, must stay ended: `(` or `[` on the next line would continue.
      this.out.prependLeft(
        node.start + 'return'.length,
        BARE_RETURN + (this.source.charCodeAt(node.end - 1) === 59 /* ; */ ? '' : STATEMENT_END),
      );
    }
  }

  /** `await X` and `yield X`: suspend around the argument, resume around the whole. */
  private instrumentSuspension(node: AwaitExpression | YieldExpression): void {
    const keyword = node.type === 'AwaitExpression' ? 'await' : node.delegate ? 'yield*' : 'yield';
    const close = node.type === 'AwaitExpression' ? PROBE_CLOSE : YIELD_CLOSE;
    // The wrapper opens with `(`: where it opens a statement, the line before could continue into it.
    const guard = startsStatementInList(node, this.ancestors) ? STATEMENT_START : '';
    this.out.appendLeft(node.start, guard + (node.type === 'AwaitExpression' ? RESUME_OPEN : YIELD_OPEN));
    if (node.argument) {
      // The argument ends where the expression does: both closings at once, suspend's first.
      this.out.appendLeft(node.argument.start, SUSPEND_OPEN);
      this.out.prependLeft(node.end, PROBE_CLOSE + close);
    } else {
      // `yield` alone, at the end of a statement without `;`, ended it by ASI (a `yield` takes no
      // argument from the next line); wrapped in a call, it would not: `(` or `[` on the next line
      // would continue the call.
      const end = endsStatementWithoutSemicolon(node, this.ancestors) ? STATEMENT_END : '';
      this.out.prependLeft(node.start + keyword.length, BARE_YIELD_ARGUMENT + close + end);
    }
  }

  /**
   * `for await` waits without an `await` keyword: before the first next() (suspend around the iterable),
   * after each iteration (suspend in a finally around the body, which break/continue/return pass
   * through too), and it resumes at the top of the body and after the loop.
   */
  private instrumentForAwait(loop: ForOfStatement): void {
    const out = this.out;
    const ancestors = this.ancestors;
    // After the loop: the statement it is (with its labels), in a list of statements, or wrapped in a
    // block where it stands alone (the branch of an if, the body of a loop). Done first: insertions
    // that close at one position come out in the reverse order of these calls.
    let statement: Node = loop;
    let depth = ancestors.length - 1;
    while (depth >= 0 && ancestors[depth].type === 'LabeledStatement') statement = ancestors[depth--];
    const parent = ancestors[depth];
    const inList = parent !== undefined && STATEMENT_LISTS.has(parent.type);
    if (inList) {
      out.prependLeft(statement.end, `${AFTER_LOOP};`);
    } else {
      out.appendLeft(statement.start, OPEN);
      out.prependLeft(statement.end, AFTER_LOOP + CLOSE);
    }
    out.appendLeft(loop.right.start, SUSPEND_OPEN);
    out.prependLeft(loop.right.end, PROBE_CLOSE);
    const body = loop.body;
    if (body.type === 'BlockStatement') {
      if (body.start + 1 === body.end - 1) out.appendLeft(body.start + 1, LOOP_BODY_OPEN + LOOP_BODY_CLOSE);
      else {
        out.appendLeft(body.start + 1, LOOP_BODY_OPEN);
        out.prependLeft(body.end - 1, LOOP_BODY_CLOSE);
      }
    } else {
      out.appendLeft(body.start, OPEN + LOOP_BODY_OPEN);
      out.prependLeft(body.end, LOOP_BODY_CLOSE + CLOSE);
    }
  }

  /** The line probe of the statement at `offset`, with its line in the original source. */
  private lineProbeAt(offset: number): string {
    const loc = this.lineIndex.position(offset);
    const original = this.positions.original(loc.line, loc.column);
    return lineProbe(original.line, original.column);
  }

  private probeStatement(statement: Statement): void {
    const context = this.contexts[this.contexts.length - 1];
    if (!context.traced || !isExecutableStatement(statement)) return;
    if (this.options.lines === 'allocating' && !mayAllocate(statement)) return;
    this.out.appendLeft(statement.start, this.lineProbeAt(statement.start));
  }

  /** The module's preamble (its function table, registered with the runtime) and the source map. */
  finish(program: Node & { body: unknown[] }): { code: string; functions: FunctionRecord[] } {
    const { source, options, out, positions, functions } = this;
    if (functions.length === 0) return { code: source, functions };
    const defaultFile = positions.original(1, 0).file;
    const table = functions.map((f) => (f.file === defaultFile ? [f.name, f.line, f.column] : [f.name, f.line, f.column, f.file]));
    // The runtime by its own global name, not through `globalThis`: a module may declare a `globalThis`
    // (core-js: `var globalThis = require('globalthis')()`, hoisted and still undefined here), but a name
    // of memtrace's own only memtrace declares.
    const preamble = `${INSTRUMENTED_MARKER}var __mt$,__mt$b;function __mt$i(){__mt$=${RUNTIME_GLOBAL};__mt$b=__mt$.register(${JSON.stringify(defaultFile)},${JSON.stringify(table)});return __mt$}__mt$||__mt$i();`;
    const prologue = directivesEnd(program.body as Statement[]);
    out.appendLeft(prologue ?? preambleOffset(source), prologue === undefined ? preamble : AFTER_DIRECTIVE + preamble);
    let code = out.toString();
    if (options.sourceMap) {
      const sourceName =
        options.sourceType === 'module' && isAbsolute(options.filename) ? pathToFileURL(options.filename).href : options.filename;
      code = `${stripSourceMapComment(code)}\n${positions.inlineMapComment(out, sourceName)}`;
    }
    return { code, functions };
  }
}

type InstrumentableFunction = (FunctionNode & { body: NonNullable<FunctionNode['body']> }) | ArrowFunctionExpression;

/** A function with a body (not a TypeScript declaration or overload signature). */
function isInstrumentable(node: Node): node is InstrumentableFunction {
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return node.body != null;
    default:
      return false;
  }
}

/** The end of a block's directive prologue ('use strict' ...), or undefined where it has none. */
function directivesEnd(statements: readonly Statement[]): number | undefined {
  let end: number | undefined;
  for (const statement of statements) {
    if (statement.type !== 'ExpressionStatement' || typeof statement.directive !== 'string') break;
    end = statement.end;
  }
  return end;
}

/**
 * The body goes inside a `try` block, where its top-level function declarations become block-scoped.
 * That is the same program unless a declaration relies on sharing the function's own scope: a name
 * declared twice (two function declarations, or a function and a `var`), a function declaration named
 * like a parameter (it replaces the parameter's value), or a direct `eval` that may `var`-declare a
 * name. Such a function is left untraced rather than changed.
 */
function hasBlockScopingConflict(fn: InstrumentableFunction, source: string): boolean {
  if (fn.body.type !== 'BlockStatement') return false;
  const functionNames = new Set<string>();
  for (const statement of fn.body.body) {
    if (statement.type !== 'FunctionDeclaration' || !statement.id) continue;
    if (functionNames.has(statement.id.name)) return true;
    functionNames.add(statement.id.name);
  }
  if (functionNames.size === 0) return false;
  const params = new Set<string>();
  for (const param of fn.params) collectIdentifiers(param as Node, params);
  for (const name of functionNames) if (params.has(name) || name === 'arguments') return true;
  const scope = { vars: new Set<string>(), directEval: false };
  // Without the word `eval` in the body there is no direct eval, and `var` can only be in statements:
  // a walk over the statements is enough (and cheaper than one over every expression).
  if (source.slice(fn.body.start, fn.body.end).includes('eval')) scanOwnScope(fn.body, scope);
  else collectVars(fn.body.body, scope.vars);
  if (scope.directEval) return true;
  for (const name of functionNames) if (scope.vars.has(name)) return true;
  return false;
}

/** `var` names declared by statements (not in nested functions or class bodies). */
function collectVars(statements: readonly (Statement | null | undefined)[], vars: Set<string>): void {
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i];
    if (!statement) continue;
    switch (statement.type) {
      case 'VariableDeclaration':
        if (statement.kind === 'var') for (const declarator of statement.declarations) collectIdentifiers(declarator.id, vars);
        break;
      case 'BlockStatement':
        collectVars(statement.body, vars);
        break;
      case 'IfStatement':
        collectVars([statement.consequent, statement.alternate], vars);
        break;
      case 'ForStatement':
        collectVars([statement.init?.type === 'VariableDeclaration' ? statement.init : null, statement.body], vars);
        break;
      case 'ForInStatement':
      case 'ForOfStatement':
        collectVars([statement.left.type === 'VariableDeclaration' ? statement.left : null, statement.body], vars);
        break;
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'LabeledStatement':
      case 'WithStatement':
        collectVars([statement.body], vars);
        break;
      case 'TryStatement':
        collectVars([statement.block, statement.handler?.body, statement.finalizer], vars);
        break;
      case 'SwitchStatement':
        for (const switchCase of statement.cases) collectVars(switchCase.consequent, vars);
        break;
    }
  }
}

/** `var` names and direct `eval` calls in a function's own scope (not in nested functions). */
function scanOwnScope(node: Node, scope: { vars: Set<string>; directEval: boolean }): void {
  if (node.type === 'VariableDeclaration' && node.kind === 'var') {
    for (const declarator of node.declarations) collectIdentifiers(declarator.id, scope.vars);
  } else if (node.type === 'CallExpression' && !node.optional && node.callee.type === 'Identifier' && node.callee.name === 'eval') {
    // (`eval?.()` is an indirect eval.)
    scope.directEval = true;
  }
  const record = node as unknown as Record<string, unknown>;
  for (const key of VISITOR_KEYS[node.type] ?? NO_KEYS) {
    const child = record[key];
    const children = Array.isArray(child) ? child : [child];
    for (const item of children) {
      if (item === null || typeof item !== 'object' || typeof (item as Node).type !== 'string') continue;
      // Nested functions, methods' values included, have scopes of their own.
      if ((item as Node).type.includes('Function')) continue;
      scanOwnScope(item as Node, scope);
    }
  }
}

function collectIdentifiers(pattern: Node, names: Set<string>): void {
  switch (pattern.type) {
    case 'Identifier':
      names.add(pattern.name);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) collectIdentifiers(p.type === 'RestElement' ? p.argument : p.value, names);
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements) {
        if (e) collectIdentifiers(e, names);
      }
      break;
    case 'AssignmentPattern':
      collectIdentifiers(pattern.left, names);
      break;
    case 'RestElement':
      collectIdentifiers(pattern.argument, names);
      break;
  }
}

/**
 * Whether `node` starts a statement of a list of statements. `ancestors`: from the program down to
 * node's parent.
 */
function startsStatementInList(node: Node, ancestors: readonly Node[]): boolean {
  for (let depth = ancestors.length - 1; depth > 0; depth--) {
    const ancestor = ancestors[depth];
    if (ancestor.start !== node.start) return false;
    if (ancestor.type === 'ExpressionStatement') return STATEMENT_LISTS.has(ancestors[depth - 1].type);
  }
  return false;
}

/**
 * Whether `node` is the last thing of a statement that has no `;` of its own (ASI ended it). `ancestors`:
 * from the program down to node's parent.
 */
function endsStatementWithoutSemicolon(node: Node, ancestors: readonly Node[]): boolean {
  for (let depth = ancestors.length - 1; depth >= 0; depth--) {
    const ancestor = ancestors[depth];
    if (ancestor.end !== node.end) return false;
    if (/Statement$|Declaration$/.test(ancestor.type)) return true;
  }
  return false;
}

function isExecutableStatement(node: Statement): boolean {
  if (node.type === 'ExpressionStatement' && typeof node.directive === 'string') return false;
  return node.type !== 'EmptyStatement' && !node.type.startsWith('TS') && node.type !== 'FunctionDeclaration';
}

/** Where the preamble goes in a module without a directive prologue: after a shebang. */
function preambleOffset(source: string): number {
  const start = source.startsWith('\uFEFF') ? 1 : 0;
  if (source.startsWith('#!', start)) {
    // The shebang line runs to its newline; the preamble goes at the start of the next line.
    const newline = source.indexOf('\n', start);
    return newline < 0 ? source.length : newline + 1;
  }
  return start;
}

function stripSourceMapComment(code: string): string {
  const at = sourceMapCommentAt(code);
  if (at < 0) return code;
  return code.slice(0, at).replace(/\n$/, '');
}

export type { RawSourceMap };
