// The transform on its own: which functions get probes, their names and positions, the source maps,
// and its errors. (What instrumented code does when it runs is test/semantics.test.js.)
import test from 'ava';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { instrument } from '../dist/transforms/instrument.js';
import { originalText } from '../dist/transforms/probe-text.js';
import { resolveParser } from '../dist/transforms/parse.js';
import { ParseError } from '../dist/src/index.js';
import { moduleFilter } from '../dist/loader/module-filter.js';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mkdtempSync, mkdirSync, copyFileSync, symlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

const names = (source, options = {}) =>
  instrument(source, { filename: '/app/x.js', sourceType: 'module', ...options }).functions.map((f) => f.name);

test('functions are named as a user reads them', (t) => {
  const source = `
class Shop {
  constructor() { this.onSale = () => 1; }
  get total() { return 1 }
  set total(v) {}
  static open() {}
  #secret() {}
  [Symbol.iterator]() {}
  handler = () => 2;
}
const render = (x) => x;
const api = { fetch() {}, get ready() { return true }, nested: { deep: function () {} } };
exports.load = function () {};
function named() {}
export default function () {}
[1].map(function () {});
`;
  t.deepEqual(names(source), [
    'Shop.constructor',
    'this.onSale',
    'get Shop.total',
    'set Shop.total',
    'Shop.open',
    'Shop.#secret',
    'Shop.[Symbol.iterator]',
    'Shop.handler',
    'render',
    'api.fetch',
    'get api.ready',
    'api.nested.deep',
    'exports.load',
    'named',
    'default',
    '(anonymous:16)',
  ]);
});

test('positions are 1-based lines and columns of the function start', (t) => {
  const { functions } = instrument('\n  function f() {}\nconst g = () => 1;\n', { filename: '/app/x.js', sourceType: 'script' });
  t.deepEqual(
    functions.map((f) => [f.name, f.line, f.column]),
    [
      ['f', 2, 3],
      ['g', 3, 11],
    ],
  );
});

test('lines end where ECMAScript ends them (\\r\\n, \\r, U+2028), as V8 and stack traces count them', (t) => {
  const { functions } = instrument('a;\r\nfunction f() {}\rfunction g() {}\u2028const h = () => 1;\n', {
    filename: '/app/x.js',
    sourceType: 'script',
  });
  t.deepEqual(
    functions.map((f) => [f.name, f.line, f.column]),
    [
      ['f', 2, 1],
      ['g', 3, 1],
      ['h', 4, 11],
    ],
  );
});

test('lines stay where they were: every original line is on the same line of the output', (t) => {
  const source = 'function a() {\n  return 1;\n}\nconst b = async () => {\n  await a();\n};\n';
  const { code } = instrument(source, { filename: '/app/x.js', sourceType: 'module', lines: true });
  t.is(code.split('\n').length, source.split('\n').length);
  // Each line is its original with the probes inserted into it (transforms/probe-text.ts takes them out).
  t.deepEqual(code.split('\n').slice(1).map(originalText), source.split('\n').slice(1));
});

test("statement sampling's probes go only before statements that can allocate", (t) => {
  // Line by line: what gets a probe under `lines: 'allocating'` (memtrace run --alloc).
  const cases = [
    ['x = make();', true],
    ['x = new Array(4);', true],
    ['x = { a: 1 };', true],
    ['x = [y];', true],
    ['x = () => 1;', true],
    ['x = `t${y}`;', true],
    ['x = y + z;', true],
    ['x += y;', true],
    ['x = /re/;', true],
    ['const [p] = y;', true],
    ['if (a) x = make();', true],
    ['if (ready()) { i++; }', true],
    ['throw y;', true],
    ['for (const v of y) { i++; }', true],
    ['i++;', false],
    ['x = y.z[i] * 2 - 1;', false],
    ['x = `plain`;', false],
    ['let v = a ? b : c, w;', false],
    ['if (a < b && !c) { i++; } else if (d) { i--; } else { i = 0; }', false],
    ['break;', false],
    ['return;', false],
    ['return this.pos;', false],
  ];
  for (const [statement, probed] of cases) {
    const source = `function f(y, z, a, b, c, d, i, x) {\n  for (;;) {\n    ${statement}\n  }\n}\n`;
    const { code } = instrument(source, { filename: '/app/x.js', sourceType: 'module', lines: 'allocating' });
    t.is(code.split('\n')[2].includes('__mt$.line('), probed, `${statement}: ${code.split('\n')[2]}`);
    t.is(originalText(code.split('\n')[2]), `    ${statement}`);
  }
  // An arrow whose body allocates nothing gets no probe; one that allocates gets its own.
  const arrows = instrument('const get = (o) => o.value;\nconst make = (n) => new Array(n);\n', {
    filename: '/app/x.js',
    sourceType: 'module',
    lines: 'allocating',
  }).code.split('\n');
  t.false(arrows[0].includes('__mt$.line('));
  t.true(arrows[1].includes('__mt$.line('));
});

test('the emitted source map points back at the original columns', (t) => {
  const source = 'function a() { return missing(); }\n';
  const { code } = instrument(source, { filename: '/app/x.js', sourceType: 'script', sourceMap: true });
  const map = JSON.parse(Buffer.from(code.slice(code.lastIndexOf('base64,') + 7), 'base64').toString());
  const generatedColumn = code.indexOf('missing');
  const original = originalPositionFor(new TraceMap(map), { line: 1, column: generatedColumn });
  t.is(original.line, 1);
  t.is(original.column, source.indexOf('missing'));
});

test('an incoming source map (as tsx leaves one) maps function positions to the original file', (t) => {
  // Generated: line 1 'function f() {}' comes from original line 5, column 2 of /src/f.ts.
  const map = { version: 3, sources: ['/src/f.ts'], names: [], mappings: 'AAIE' };
  const source = `function f() {}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
  const { functions } = instrument(source, { filename: '/build/f.js', sourceType: 'script' });
  t.deepEqual(
    functions.map((f) => [f.file, f.line, f.column]),
    [['/src/f.ts', 5, 3]],
  );
});

test('TypeScript syntax parses with the typescript option; bodiless declarations get no probes', (t) => {
  const source = 'declare function d(): void;\nabstract class A { abstract m(): void; n(x: number): string { return "" } }\n';
  t.deepEqual(names(source, { typescript: true }), ['A.n']);
});

test('a function whose declarations rely on the function scope is left as it was', (t) => {
  t.deepEqual(
    names('function f(a) { function a() {} }\nfunction g() { var h; function h() {} }\nfunction k() { function m() {} eval("") }\n', {
      sourceType: 'script',
    }),
    ['a', 'h', 'm'],
  );
});

test('a var anywhere among the statements counts, one in a nested function does not', (t) => {
  const source = [
    'function p(y) { if (y) { for (var q of y) {} } function q() {} }',
    'function r() { try {} catch { var s } function s() {} }',
    'function u() { switch (1) { case 1: var v } function v() {} }',
    'function w() { loop: while (0) { var x } function x() {} }',
    'function ok() { const f = function () { var z }; function z() {} }',
  ].join('\n');
  for (const parser of ['oxc', 'babel']) {
    t.deepEqual(names(source, { sourceType: 'script', parser }), ['q', 's', 'v', 'x', 'ok', 'f', 'z'], parser);
  }
});

test('already instrumented code is left alone', (t) => {
  const once = instrument('function f() {}', { filename: '/app/x.js', sourceType: 'script' });
  const twice = instrument(once.code, { filename: '/app/x.js', sourceType: 'script' });
  t.is(twice.code, once.code);
  t.is(twice.skipped, 'already instrumented');
});

test('a syntax error is a ParseError naming the file, line and column', (t) => {
  const error = t.throws(() => instrument('let x = ;', { filename: '/app/bad.js', sourceType: 'script' }), { instanceOf: ParseError });
  t.regex(error.message, /^memtrace: cannot parse \/app\/bad\.js:1:9: Unexpected token; it runs untraced$/);
});

test('the committed visitor-key table is what oxc-parser says (run scripts/generate-visitor-keys.js)', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { render, visitorKeys } = await import('../scripts/generate-visitor-keys.js');
  t.is(readFileSync(new URL('../transforms/visitor-keys.ts', import.meta.url), 'utf8'), render(visitorKeys()));
});

test('oxc-parser parses here; MEMTRACE_PARSER=babel (parser: babel) forces the fallback', (t) => {
  // Linux x64 on Node 20.19+/24: oxc-parser's prebuilt binding must load, or every cold start is slow.
  t.is(resolveParser('auto'), 'oxc');
  const source = 'function f() { return 1 }';
  t.is(instrument(source, { filename: '/app/x.js', sourceType: 'script' }).parser, 'oxc');
  t.is(instrument(source, { filename: '/app/x.js', sourceType: 'script', parser: 'babel' }).parser, 'babel');
});

test("deep nesting that Babel's recursive parser could not parse is traced with oxc-parser", (t) => {
  const source = `const v = ${'['.repeat(1200)}${']'.repeat(1200)};\nfunction f() { return 1 }\n`;
  t.throws(() => instrument(source, { filename: '/app/deep.js', sourceType: 'script', parser: 'babel' }), { instanceOf: ParseError });
  t.deepEqual(names(source, { sourceType: 'script' }), ['f']);
});

test('both parsers report a syntax error as a ParseError at the same place', (t) => {
  for (const parser of ['oxc', 'babel']) {
    const error = t.throws(() => instrument('let x = ;', { filename: '/app/bad.js', sourceType: 'script', parser }), {
      instanceOf: ParseError,
    });
    t.regex(error.message, /^memtrace: cannot parse \/app\/bad\.js:1:9: /, parser);
  }
});

test("with every file included, memtrace's own code and the packages its runtime runs stay untraced", (t) => {
  const traced = moduleFilter({ include: ['**/*'], exclude: [] });
  const require = createRequire(import.meta.url);
  for (const name of ['picomatch', 'csv-stringify', 'magic-string', '@babel/parser', '@jridgewell/trace-mapping']) {
    t.false(traced(require.resolve(name)), name);
  }
  t.false(traced(fileURLToPath(new URL('../dist/src/runtime/probes.js', import.meta.url))), 'dist/');
  // A package memtrace does not run is traced like any other file.
  t.true(traced(require.resolve('ava')), 'ava');
  t.true(traced(fileURLToPath(new URL('./fixtures/tracer/trace-subpath.mjs', import.meta.url))), 'a fixture');
});

test('the runtime packages are found through the symlinks a pnpm layout links them in with', async (t) => {
  // pnpm: memtrace's files in .pnpm/memtrace/node_modules/memtrace/, each dependency a symlink beside it
  // to its own directory; Node loads (and the hooks see) the files at their real paths.
  const store = realpathSync(mkdtempSync(join(tmpdir(), 'memtrace-pnpm-')));
  t.teardown(() => rmSync(store, { recursive: true, force: true }));
  const linked = join(store, '.pnpm', 'memtrace', 'node_modules');
  mkdirSync(join(linked, 'memtrace', 'dist', 'src', 'shared'), { recursive: true });
  copyFileSync(
    fileURLToPath(new URL('../dist/src/shared/runtime-packages.js', import.meta.url)),
    join(linked, 'memtrace', 'dist', 'src', 'shared', 'runtime-packages.js'),
  );
  const picomatch = realpathSync(fileURLToPath(new URL('../node_modules/picomatch', import.meta.url)));
  symlinkSync(picomatch, join(linked, 'picomatch'), 'dir');
  const { runtimePackageDirectories } = await import(
    pathToFileURL(join(linked, 'memtrace', 'dist', 'src', 'shared', 'runtime-packages.js')).href
  );
  t.deepEqual(runtimePackageDirectories(), [picomatch + sep]);
});
