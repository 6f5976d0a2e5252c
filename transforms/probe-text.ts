/**
 * The text the transform inserts, in one place, and its inverse: `originalText()` takes the instrumented
 * source text of a function (what V8's Function.prototype.toString returns for it) and gives back the
 * user's text, by removing exactly what was inserted. The transform only inserts (it never replaces or
 * removes a character), and every inserted piece is a fixed string or a fixed pattern that names a
 * `__mt$` binding, so the user's text is what remains. Pieces that would otherwise look like the user's
 * code (a brace wrapped around an arrow's expression body, a semicolon ending a statement) carry the
 * comment MARK, which costs nothing when the code runs.
 *
 * Kept beside the transform (transforms/*.js is the transform cache's fingerprint): a change of the
 * inserted text changes the cache key.
 */

/**
 * The global where the traced code finds the functions' countdowns (src/runtime/function-stats.ts;
 * probes.ts publishes them): a name of memtrace's own, as the runtime's `__memtrace$` is.
 */
export const COUNTDOWNS_GLOBAL = '__memtrace$d';

/** Marks inserted punctuation that would otherwise read as the user's own. */
export const MARK = '/*__mt$*/';

/**
 * V8 names anonymous functions for stack traces (their "inferred name", not `.name`) while it parses:
 * it keeps a stack of the names it has read (a variable, then `.prop`s; a call's callee stays on it while
 * the arguments are read), collects the function literals it meets, and at each `=` (or `let x =`)
 * gives every function collected so far the names then on the stack, the target's last (V8's
 * FuncNameInferrer). A function left over, such as the first of two passed to one call, takes the
 * names of whatever assignment comes next, ours included. So no inserted name may be on that stack
 * when it names something: every assignment of ours has a parenthesized target (`(__mt$t)=`: V8 drops
 * the names read inside parentheses when they close, and a parenthesized target gives no `.name`
 * either), a declaration of ours has no initializer unless it is a call's result (V8 names nothing at
 * `x = call()`), and a probe that wraps the user's expression is called through a parenthesized callee
 * (`(__mt$.resume)(…)`: the same call, `this` included). The bytecode is the same as without these
 * (`var __mt$t;` declares without code, where `let __mt$t;` would store undefined first).
 *
 * Entry of a traced function: counts the call down in the function's countdown (the runtime's
 * `__memtrace$d`, src/runtime/function-stats.ts), and only where that reaches 0 calls the runtime's
 * enter(), which measures the call and gives its frame; a counted call's frame is -1, and nothing of
 * the runtime runs for it. The counted path is text in the traced function, not a probe it calls:
 * V8 counts an inlined probe's bytecode against the caller's inlining budget, and a probe called at
 * every call had halved how many of the program's own functions TurboFan inlined (acorn: 566 inlined
 * calls plain, 252 traced; docs/performance.md). Before its module's preamble ran (a hoisted
 * function, circular imports), `__mt$b` is undefined: the index is NaN, the countdown reads
 * undefined, and enter(NaN) gives -1. `(__mt$c)=`, not `const __mt$c=`: a declaration's initializer
 * that is not a call would name the functions V8's name inferrer has left over (see above).
 *
 * Then it opens the try block whose finally ends the call. `__mt$t` holds the
 * runtime object itself (a value no program returns) while the call can only be leaving by an
 * exception; a `return` stores its value there instead, the end of the body and a generator's suspension
 * store 0. No `catch`: an exception only passes through the `finally`, so V8 keeps the place where it
 * was thrown (what Node prints above an uncaught one). One variable, not a flag and a value: each frame
 * is a register larger, and deep recursion overflows that much sooner.
 */
export const enterProbe = (id: number | string): string =>
  `var __mt$c,__mt$t;(__mt$c)=--${COUNTDOWNS_GLOBAL}[__mt$b+${id}]>0?-1:(__mt$||__mt$i()).enter(__mt$b+${id});(__mt$t)=__mt$;try{`;
/** After a directive prologue (with or without its own `;`): the directive ends before the entry. */
export const AFTER_DIRECTIVE = ';';
/**
 * The exit probe runs for a measured call only (a counted call's frame is -1), and is guarded: a probe
 * must never replace the function's own completion (at the stack limit, the extra frame of a probe
 * call can overflow). It is given `__mt$t` and compares it with the runtime itself (its `this`): a
 * comparison here, in the `finally`, read `__mt$` from the module's scope at every call, and cost a
 * counted call 1.3 ns of its 6.5 (bench/probe-paths.js, docs/performance.md).
 */
export const LEAVE = ';(__mt$t)=0}finally{if(__mt$c>=0)try{__mt$.exit(__mt$c,__mt$t)}catch{}}';
/**
 * `return X` becomes `return (__mt$t)=(0,X),__mt$t`: X first, then the call is marked as returning.
 * `(0,X)`: X may be a comma expression. No `(` right before X: V8 compiles a `(function` at once, as a
 * function about to be called, where `return function () {}` alone is compiled on its first call. The
 * leading space keeps the keyword apart where the source has none (`return!0`).
 */
export const RETURN_OPEN = ' (__mt$t)=(0,';
export const RETURN_CLOSE = '),__mt$t';
/** After a `return` without a value. */
export const BARE_RETURN = ' void((__mt$t)=0)';
/** An arrow's expression body becomes a block: `{MARK ENTER [LINE] return RETURN_OPEN EXPR RETURN_CLOSE LEAVE MARK}`. */
export const ARROW_OPEN = `{${MARK}`;
export const ARROW_RETURN = `return${RETURN_OPEN}`;
export const CLOSE = `${MARK}}`;
export const OPEN = `{${MARK}`;
/**
 * Before a statement (line probes): a counted call (frame -1) passes it at the cost of a comparison, a
 * measured one counts down the statements the runtime skips (statement sampling, `--alloc`) and calls
 * line() when they are done, or when its frame is watched (its statement started in a window).
 */
export const lineProbe = (line: number | string, column: number | string): string =>
  `__mt$c<0||--__mt$.skip>0&&__mt$.w[__mt$c]!==1||__mt$.line(__mt$c,${line},${column});`;

// `await X` becomes `(__mt$.resume)(await (__mt$.suspend)(X,__mt$c),__mt$c)`: the frame comes last, so
// the closing text is the probe's own and not a bare `)`.
export const RESUME_OPEN = '(__mt$.resume)(';
// `yield X` becomes `(__mt$.resume)(((__mt$t)=0,yield (__mt$.suspend)(X,__mt$c)),__mt$c,(__mt$t)=__mt$)`:
// a generator's return() ends the call at the yield, as a return.
export const YIELD_OPEN = '(__mt$.resume)(((__mt$t)=0,';
export const YIELD_CLOSE = '),__mt$c,(__mt$t)=__mt$)';
export const SUSPEND_OPEN = '(__mt$.suspend)(';
export const PROBE_CLOSE = ',__mt$c)';
/** What a bare `yield` gets as its argument, so suspend() has something to pass through. */
export const BARE_YIELD_ARGUMENT = ' (__mt$.suspend)(void 0,__mt$c)';
/** Ends a statement that ended at a bare `yield` by ASI: the next line must not continue the wrapper call. */
export const STATEMENT_END = `;${MARK}`;
/** Before an await or yield probe that opens a statement: the line before must not continue into its `(`. */
export const STATEMENT_START = STATEMENT_END;

/** At the top of a catch or finally block of a suspending function (and of a `for await` body). */
export const RESUMED = '__mt$.resumed(__mt$c);';
export const LOOP_BODY_OPEN = `${RESUMED}try{`;
export const LOOP_BODY_CLOSE = '}finally{__mt$.suspend(0,__mt$c)}';
/** After a `for await` loop: `;RESUMED` in a list of statements, `;__mt$.resumed(__mt$c)` + CLOSE elsewhere. */
export const AFTER_LOOP = ';__mt$.resumed(__mt$c)';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// One alternation, longest first where two start alike; NUMBER stands for the ids, lines and columns.
const NUMBER = '#';
const pattern = (text: string): string => escapeRegExp(text).replaceAll(NUMBER, '\\d+');
const INSERTED = new RegExp(
  [
    pattern(ARROW_OPEN + enterProbe(NUMBER)) + `(?:${pattern(lineProbe(NUMBER, NUMBER))})?` + pattern(ARROW_RETURN),
    pattern(OPEN),
    pattern(CLOSE),
    `(?:${pattern(AFTER_DIRECTIVE)})?` + pattern(enterProbe(NUMBER)),
    pattern(LEAVE),
    pattern(RETURN_OPEN),
    pattern(RETURN_CLOSE),
    pattern(BARE_RETURN),
    pattern(YIELD_OPEN),
    pattern(YIELD_CLOSE),
    pattern(lineProbe(NUMBER, NUMBER)),
    pattern(BARE_YIELD_ARGUMENT),
    pattern(RESUME_OPEN),
    pattern(SUSPEND_OPEN),
    pattern(PROBE_CLOSE),
    pattern(AFTER_LOOP) + ';?',
    pattern(LOOP_BODY_OPEN),
    pattern(LOOP_BODY_CLOSE),
    pattern(RESUMED),
    pattern(STATEMENT_END),
  ].join('|'),
  'g',
);

/** Every inserted piece names `__mt$` within its first characters: at most this many before it. */
const MAX_LEAD = 9;

/** Whether `text` may hold inserted probes (false: it is the user's text as it is). */
export function mayHoldProbes(text: string): boolean {
  return text.includes('__mt$');
}

/** The user's text of an instrumented piece of code (a whole function, class or module body). */
export function originalText(instrumented: string): string {
  // The alternation is tried only near each `__mt$` (found by indexOf, which is fast), not at every
  // character of a long function: 6x faster on a 28 KB function.
  let original = '';
  let from = 0;
  for (let at = instrumented.indexOf('__mt$'); at >= 0; at = instrumented.indexOf('__mt$', from)) {
    INSERTED.lastIndex = Math.max(from, at - MAX_LEAD);
    const match = INSERTED.exec(instrumented);
    if (!match) break;
    original += instrumented.slice(from, match.index);
    from = match.index + match[0].length;
  }
  return original + instrumented.slice(from);
}
