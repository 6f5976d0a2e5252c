// Generates small JavaScript programs from a seed, for test/fuzz.test.js: each is a list of cases, each
// case a function in one of the forms the transform handles, with a body made of pieces that touch what
// instrumentation could change (directives with and without `;`, ASI, labels, default parameters that
// read earlier ones, `arguments`, `this`, `new.target`, destructuring, closures, generators and async
// code), called and its results printed. Deterministic: the same seed gives the same program, and the
// program itself uses no clock, no randomness and no addresses, so two runs print the same lines.

// The bench's seeded generator (mulberry32): one copy of it.
import { random } from '../../bench/workloads/common.js';

const pick = (rand, items) => items[Math.floor(rand() * items.length)];
const int = (rand, max) => Math.floor(rand() * max);

// Statements for a synchronous body; `a` and `b` are parameters (numbers), `acc` a local array. Each is
// a function of rand returning source lines, written without semicolons where ASI ends the statement.
const PIECES = [
  (r) => [`acc.push(a + b * ${int(r, 9)})`],
  (r) => [`const [x${'$'}, y${'$'} = ${int(r, 5)}] = [a]`, 'acc.push(x$ + y$)'],
  // (Not in arrows: these two read the function's own `arguments` and `this`.)
  Object.assign(() => ['const { length } = arguments', 'acc.push(length)'], { ownScope: true }),
  Object.assign(() => ['acc.push(typeof this === "object" && this !== null ? this.tag ?? "obj" : String(this))'], { ownScope: true }),
  () => [
    'let s = 0',
    'outer: for (let i = 0; i < 4; i++) {',
    '  for (let j = 0; j < 4; j++) {',
    '    if (j > i) continue outer',
    '    if (i === 3) break outer',
    '    s += i * j',
    '  }',
    '}',
    'acc.push(s)',
  ],
  // ASI: the next line starts with `(`, `[` or a template, after a statement without `;`.
  () => ['let t = a', ';(function () { acc.push("iife", t) })()'],
  () => ['const arr = [a, b]', ';[0, 1].forEach((i) => acc.push(arr[i]))'],
  () => ['const tag = (s, ...v) => s.raw.join("|") + v.join(",")', 'acc.push(tag`x${a}y${b}z`)'],
  (r) => [`const add = (p) => (q) => p + q + ${int(r, 7)}`, 'acc.push(add(a)(b))'],
  () => [
    'try {',
    '  if (a > b) throw new RangeError("big " + a)',
    '  acc.push("small")',
    '} catch (e) {',
    '  acc.push(e.name, e.message)',
    '} finally {',
    '  acc.push("finally")',
    '}',
  ],
  () => [
    'const counter = (() => { let n = 0; return { inc: () => ++n, get value() { return n } } })()',
    'counter.inc(); counter.inc()',
    'acc.push(counter.value)',
  ],
  () => ['var hoisted = typeof later', 'function later() { return "later" }', 'acc.push(hoisted, later())'],
  () => ['switch (a % 3) {', '  case 0: acc.push("zero")', '  case 1: acc.push("one"); break', '  default: acc.push("other")', '}'],
  () => ['const o = { a, b, get sum() { return this.a + this.b }, ["k" + a]: 1 }', 'acc.push(o.sum, Object.keys(o).join())'],
  () => ['acc.push(((...rest) => rest.length)(a, b, a))'],
  () => ['let w = 0', 'do w++', 'while (w < a % 5)', 'acc.push(w)'],
];

// Directive prologues: none, or one or two, with and without `;`, with comments after them.
const PROLOGUES = [
  [],
  [],
  ["'use strict'"],
  ["'use strict';"],
  ['"use strict" // why'],
  ["'use strict' /* c */"],
  ["'a directive'", "'use strict'"],
];

/** A prologue: one with 'use strict' only where the parameters are simple (else a SyntaxError). */
function prologue(rand, params = '') {
  const chosen = pick(rand, PROLOGUES);
  return /[=[{]/.test(params) && chosen.some((d) => d.includes('use strict')) ? [] : chosen;
}

/** A synchronous body: a prologue, pieces, and a return of what they computed. */
function body(rand, params, arrow = false) {
  const lines = [...prologue(rand, params), 'const acc = []'];
  // Each piece once at most: they declare names of their own.
  const pieces = PIECES.filter((piece) => !(arrow && piece.ownScope));
  const count = 1 + int(rand, 3);
  for (let i = 0; i < count; i++) lines.push(...pieces.splice(int(rand, pieces.length), 1)[0](rand));
  lines.push('return acc.join(" ")');
  return lines;
}

const indent = (lines, by = '  ') => lines.map((line) => by + line);

// Function forms: each returns { define: lines, call: an expression (sync) or awaited expression }.
// `P` is the parameter list: defaults that read earlier parameters, destructuring.
const PARAMS = ['a, b', 'a, b = a + 1', '{ a, b } = { a: 2, b: 3 }', 'a, [b] = [a * 2]', 'a = 1, b = (() => a + 1)()'];
const ARGS = {
  'a, b': '(4, 5)',
  'a, b = a + 1': '(3)',
  '{ a, b } = { a: 2, b: 3 }': '({ a: 6, b: 1 })',
  'a, [b] = [a * 2]': '(7)',
  'a = 1, b = (() => a + 1)()': '()',
};

const FORMS = [
  (r, n, p) => ({ define: [`function f${n}(${p}) {`, ...indent(body(r, p)), '}'], call: `f${n}.call({ tag: "t${n}" }, ...${args(p)})` }),
  (r, n, p) => ({ define: [`const f${n} = function named${n}(${p}) {`, ...indent(body(r, p)), '}'], call: `f${n}${ARGS[p]}` }),
  (r, n, p) => ({ define: [`const f${n} = (${p}) => {`, ...indent(body(r, p, true)), '}'], call: `f${n}${ARGS[p]}` }),
  (r, n, p) => ({ define: [`const f${n} = (${p}) => [a, b].map((v) => v * ${int(r, 4)}).join()`], call: `f${n}${ARGS[p]}` }),
  (r, n, p) => ({
    define: [`const o${n} = {`, `  tag: "o${n}",`, `  m(${p}) {`, ...indent(body(r, p), '    '), '  },', '}'],
    call: `o${n}.m${ARGS[p]}`,
  }),
  (r, n) => ({
    define: [
      `class C${n} {`,
      '  #v = 1',
      '  static count = 0',
      '  constructor(v) {',
      '    this.kind = new.target === C' + n + ' ? "direct" : "derived"',
      '    this.#v = v',
      `    C${n}.count++`,
      '  }',
      '  get v() { return this.#v }',
      '  set v(x) { this.#v = x * 2 }',
      '  #twice() { return this.#v * 2 }',
      '  both() { return this.#twice() + C' + n + '.helper() }',
      `  static helper() { return ${int(r, 9)} }`,
      '}',
      `class D${n} extends C${n} { constructor() { super(5) } get v() { return super.v + 100 } }`,
    ],
    call: `(() => { const c = new C${n}(${int(r, 9)}); c.v = 3; const d = new D${n}(); return [c.kind, c.v, c.both(), d.kind, d.v, C${n}.count].join() })()`,
  }),
  (r, n) => ({
    define: [
      `function* g${n}(limit) {`,
      ...prologue(r, 'limit'),
      '  let i = 0',
      '  while (i < limit) {',
      '    const got = yield i++',
      '    if (got) i += got',
      '  }',
      '  yield',
      '  [1, 2].forEach((x) => i += x)',
      '  return i',
      '}',
    ],
    call: `(() => { const it = g${n}(${2 + int(r, 3)}); const seen = []; let s = it.next(); while (!s.done) { seen.push(String(s.value)); s = it.next(1) } return seen.join() + "=" + s.value })()`,
  }),
  (r, n, p) => ({
    define: [
      `async function f${n}(${p}) {`,
      ...prologue(r, p),
      '  const acc = []',
      '  acc.push(await a)',
      '  acc.push(await Promise.resolve(b))',
      '  try { await Promise.reject(new Error("no")) } catch (e) { acc.push(e.message) }',
      `  for await (const v of [a, Promise.resolve(b)]) acc.push(v)`,
      '  return acc.join(" ")',
      '}',
    ],
    call: `await f${n}${ARGS[p]}`,
  }),
  (r, n) => ({
    define: [`async function* ag${n}(n) {`, '  for (let i = 0; i < n; i++) yield await Promise.resolve(i * 2)', '  yield* [7, 8]', '}'],
    call: `await (async () => { const out = []; for await (const v of ag${n}(${1 + int(r, 3)})) out.push(v); return out.join() })()`,
  }),
  (r, n) => ({ define: [`const f${n} = async (x) => (await x) + ${int(r, 9)}`], call: `await f${n}(${int(r, 9)})` }),
  (r, n) => ({ define: [`function f${n}() {`, '  return typeof new.target', '}'], call: `[f${n}(), typeof new f${n}()].join()` }),
  // The source text of a function, and a function rebuilt from it.
  (r, n, p) => ({
    define: [`function f${n}(${p}) {`, ...indent(body(r, p)), '}'],
    call: `String(f${n}).length + " " + Function("return " + f${n})()${ARGS[p]}`,
  }),
];

function args(params) {
  return `[${ARGS[params].slice(1, -1)}]`;
}

/** The program for one seed: a module (ES) or a CommonJS script; both top-level-await-free in CommonJS. */
export function generateProgram(seed, { module = true } = {}) {
  const rand = random(seed);
  const cases = 8 + int(rand, 8);
  const lines = [`// generated from seed ${seed}`];
  if (rand() < 0.5) lines.push("'use strict'");
  const calls = [];
  for (let n = 0; n < cases; n++) {
    const form = pick(rand, FORMS)(rand, n, pick(rand, PARAMS));
    lines.push(...form.define);
    calls.push(form.call);
  }
  lines.push('async function main() {');
  for (const [n, call] of calls.entries()) {
    lines.push(`  try { console.log(${n}, ${call}) } catch (e) { console.log(${n}, "threw", e.name, e.message) }`);
  }
  lines.push('}');
  lines.push(module ? 'await main()' : 'main()');
  return lines.join('\n') + '\n';
}
