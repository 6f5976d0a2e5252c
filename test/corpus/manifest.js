/**
 * The differential corpus (issue 18): real npm packages whose published tarballs ship their own test
 * suites, each run untraced and traced (`--import memtrace/register`, every module traced). The
 * versions here are the ones test/corpus/deps/package.json pins (and its package-lock.json locks, with
 * the test dependencies): `npm run test:corpus` fails when they disagree.
 *
 * A suite entry:
 * - `runs`: the commands, each the arguments after `node` (run in the package's directory);
 *   `$tape`/`$mocha` stand for those runners' bin scripts in the corpus install. Several commands run
 *   one after the other; their exit codes and counts add up (the package's own `npm test` does the
 *   same with `&&`, minus linters and coverage);
 * - `runner`: how assertions are counted: 'tap' (tape, node:test's tap reporter), 'node-tap' (tap's
 *   runner: test files passed and failed) or 'mocha';
 * - `timeoutSeconds`: its own timeout per run, where the default (--timeout) is too short;
 * - `nodeOptions`: NODE_OPTIONS its `npm test` sets (traced runs put memtrace's --import after them);
 * - `style`: what kind of code it exercises, for the table;
 * - `normalise`: [RegExp, replacement] pairs for output the suite randomises on every run;
 * - `slow`: left out unless `--slow` is given (tape's own suite: 23-42 s a plain run, which alone
 *   would take the corpus past its CI budget);
 * - `known`: differences that are known, each `{ id, nodes, modes, kinds, evidence, reason }` (nodes,
 *   modes and kinds default to all; `evidence`, a RegExp the traced run's output must match, keeps an
 *   entry from covering a difference of another cause), with `fixedBy` when
 *   a change not yet on main removes it (then it is tolerated but not required: the run reports
 *   it as gone instead of failing, so the entry can be deleted once that change lands). An entry
 *   without `fixedBy` must still happen, or the run fails as stale.
 */

/**
 * tape's own suite: its 4 test files that fail untraced print their stack traces, and the frames below
 * the test's own are Node's loader, which differs with any `--import` (a CommonJS entry then loads
 * through the ESM loader; plain node with `--import` of an empty module prints the same frames) and,
 * on Node 20, shows memtrace's `_compile` hook.
 */
const TAPE_LOADER_FRAMES = {
  id: 'loader-frames',
  evidence: /\(node:internal\/modules\/esm\/translators:\d+/,
  kinds: ['stdout'],
  reason:
    "stack traces printed by tape's failing tests show the ESM loader's frames (memtrace's --import) and, on Node 20, memtrace's _compile hook, below the test's own",
};
/**
 * tape's test/require.js runs `tape -r ./require/a require/test-a.js`: the `-r` module registers a test
 * before tape's runner waits for its files, so that test runs at once, and test-a.js is only loaded after
 * an async `import()` check (has-dynamic-import). Where that `import()` is slow, the harness has ended
 * when test-a registers ("test exited without ending"). Timing, not behaviour: a resolve hook that
 * waits 30 ms does the same untraced. Lost about a third of the time on Node 20 on a cold cache.
 */
const TAPE_REQUIRE_RACE = {
  id: 'require-race',
  evidence: /test exited without ending: test-a/,
  kinds: ['counts', 'stdout'],
  reason:
    "test/require.js races a slow dynamic import() (has-dynamic-import) against the harness running the -r module's test; lost when import() is slow, traced or not",
};

const TAP_NODE_TEST = ['--test', '--test-reporter=tap'];

/** Test files of node:test suites, listed: Node 20 and 24 differ in `--test`'s default globs. */
const nodeTest = (...files) => [[...TAP_NODE_TEST, ...files]];

export const suites = [
  // ljharb's packages: ES5 CommonJS, tape, polyfills/shims in the es-shims style, getters, Symbols.
  { name: 'qs', version: '6.17.1', runner: 'tap', style: 'CJS ES5, tape', runs: [['$tape', 'test/**/*.js']] },
  { name: 'deep-equal', version: '2.2.3', runner: 'tap', style: 'CJS ES5, tape; Proxy, typed arrays', runs: [['$tape', 'test/**/*.js']] },
  {
    name: 'object-inspect',
    version: '1.13.4',
    runner: 'tap',
    style: 'CJS ES5, tape; declares its own globalThis',
    runs: [['$tape', 'test/*.js']],
  },
  { name: 'side-channel', version: '1.1.1', runner: 'tap', style: 'CJS ES5, tape; WeakMap', runs: [['$tape', 'test/**/*.js']] },
  {
    name: 'es-get-iterator',
    version: '1.1.3',
    runner: 'tap',
    style: 'CJS + ESM, tape; iterators, generators',
    runs: [['test/index.js'], ['test/node.js'], ['test/node.mjs']],
  },
  {
    name: 'is-callable',
    version: '1.2.7',
    runner: 'tap',
    style: 'CJS ES5, tape; Function.prototype.toString',
    runs: [['$tape', 'test/**/*.js']],
  },
  { name: 'function-bind', version: '1.1.2', runner: 'tap', style: 'CJS ES5, tape; bind polyfill', runs: [['$tape', 'test/**/*.js']] },
  {
    name: 'has-symbols',
    version: '1.1.0',
    runner: 'tap',
    style: 'CJS ES5, tape; Symbol shams',
    runs: [['test/index.js'], ['test/shams/get-own-property-symbols.js']],
  },
  { name: 'get-intrinsic', version: '1.3.1', runner: 'tap', style: 'CJS ES5, tape; generators, async', runs: [['$tape', 'test/**/*.js']] },
  {
    name: 'object.assign',
    version: '4.1.7',
    runner: 'tap',
    style: 'CJS ES5, tape; es-shims API',
    runs: [['test/index.js'], ['test/shimmed.js']],
  },
  { name: 'array-includes', version: '3.2.0', runner: 'tap', style: 'CJS ES5, tape; es-shims API', runs: [['$tape', 'test/**/*.js']] },
  { name: 'globalthis', version: '1.0.4', runner: 'tap', style: 'CJS ES5, tape; globalThis shim', runs: [['$tape', 'test/**/*.js']] },
  {
    name: 'regexp.prototype.flags',
    version: '1.5.4',
    runner: 'tap',
    style: 'CJS ES5, tape; getters',
    normalise: [[/random: flags\(\/a\/[a-z]+\)/g, 'random: flags(/a/<shuffled>)']],
    runs: [['$tape', 'test/**/*.js']],
  },
  { name: 'minimist', version: '1.2.8', runner: 'tap', style: 'CJS ES5, tape', runs: [['$tape', 'test/**/*.js']] },
  { name: 'json-stable-stringify', version: '1.3.0', runner: 'tap', style: 'CJS ES5, tape', runs: [['$tape', 'test/**/*.js']] },
  {
    name: 'promise.allsettled',
    version: '1.0.7',
    runner: 'tap',
    style: 'CJS ES5, tape; Promise shim',
    runs: [['$tape', 'test/implementation.js', 'test/index.js', 'test/shimmed.js']],
  },
  {
    name: 'string.prototype.matchall',
    version: '4.1.0',
    runner: 'tap',
    style: 'CJS ES5, tape; RegExp iterators',
    runs: [['$tape', 'test/**/*.js']],
  },
  {
    name: 'is-generator-function',
    version: '1.1.2',
    runner: 'tap',
    style: 'CJS ES5, tape; generator detection',
    runs: [['test/index.js']],
  },
  {
    name: 'has-dynamic-import',
    version: '2.1.1',
    runner: 'tap',
    style: 'CJS, tape; dynamic import(), semver',
    runs: [['$tape', 'test/**/*.js']],
  },
  {
    name: 'tape',
    version: '5.10.2',
    runner: 'node-tap',
    style: 'CJS ES5, tap; spawns node on fixtures',
    slow: true,
    timeoutSeconds: 900,
    nodeOptions: '--no-warnings',
    runs: [['$tap', '-R', 'tap', '--no-coverage', 'test/*.js']],
    known: [TAPE_LOADER_FRAMES, TAPE_REQUIRE_RACE],
  },
  // No-semicolon (ASI) styles: standard, dominictarr's.
  { name: 'safer-buffer', version: '2.1.2', runner: 'tap', style: 'CJS, standard (no semicolons), tape', runs: [['$tape', 'tests.js']] },
  { name: 'stream-shift', version: '1.0.3', runner: 'tap', style: 'CJS, standard, tape; streams', runs: [['$tape', 'test.js']] },
  { name: 'duplexify', version: '4.1.3', runner: 'tap', style: 'CJS ES5, tape; streams', runs: [['$tape', 'test.js']] },
  {
    name: 'pull-stream',
    version: '3.7.0',
    runner: 'tap',
    style: 'CJS ES5, tape; callbacks',
    normalise: [[/^# find [\d.]+$/gm, '# find <random>']],
    runs: [['$tape', 'test/*.js']],
  },
  { name: 'through', version: '2.3.8', runner: 'tap', style: 'CJS ES5 (no semicolons), tape; streams', runs: [['$tape', 'test/*.js']] },
  {
    name: 'typedarray',
    version: '0.0.6',
    runner: 'tap',
    style: 'CJS ES5, tape; typed array polyfill',
    runs: [['$tape', 'test/*.js', 'test/server/*.js']],
  },
  { name: 'xtend', version: '4.0.2', runner: 'tap', style: 'CJS ES5, tape', runs: [['test.js']] },
  { name: 'from2', version: '2.3.0', runner: 'tap', style: 'CJS ES5, tape; streams', runs: [['test.js']] },
  { name: 'events', version: '3.3.0', runner: 'tap', style: 'CJS ES5, tape; EventEmitter polyfill', runs: [['tests/index.js']] },
  // The fastify ecosystem: modern CommonJS, classes, async/await, node:test.
  { name: 'reusify', version: '1.1.0', runner: 'tap', style: 'CJS, tape; object pooling', runs: [['$tape', 'test.js']] },
  {
    name: 'fastq',
    version: '1.20.3',
    runner: 'tap',
    style: 'CJS, tape; queues, promises',
    runs: [['$tape', 'test/test.js', 'test/promise.js']],
  },
  { name: 'fast-uri', version: '4.2.4', runner: 'tap', style: 'CJS, tape; URI parsing', runs: [['$tape', 'test/**/*.js']] },
  {
    name: 'secure-json-parse',
    version: '4.1.1',
    runner: 'tap',
    style: 'CJS, tape; __proto__ handling',
    runs: [['$tape', 'test/*.test.js']],
  },
  { name: '@fastify/deepmerge', version: '3.2.4', runner: 'tap', style: 'CJS, tape', runs: [['$tape', 'test/*.js']] },
  {
    name: '@fastify/error',
    version: '4.3.0',
    runner: 'tap',
    style: 'CJS classes, node:test',
    runs: nodeTest('test/index.test.js', 'test/instanceof.test.js', 'test/rfc9457.test.js'),
  },
  { name: 'process-warning', version: '5.1.1', runner: 'tap', style: 'CJS, node:test; warnings', runs: nodeTest('test/*.test.js') },
  { name: 'safe-regex2', version: '5.1.2', runner: 'tap', style: 'CJS, node:test', runs: nodeTest('test/regex.test.js') },
  { name: 'json-schema-ref-resolver', version: '3.0.1', runner: 'tap', style: 'CJS classes, node:test', runs: nodeTest('test/*.test.js') },
  {
    name: 'avvio',
    version: '9.3.1',
    runner: 'tap',
    style: 'CJS + ESM plugins, node:test; names plugins by Function.prototype.toString',
    runs: nodeTest(
      'test/basic.test.js',
      'test/esm.test.js',
      'test/override.test.js',
      'test/plugin-name.test.js',
      'test/pretty-print.test.js',
      'test/to-json.test.js',
    ),
  },
  // mocha.
  {
    name: 'hash.js',
    version: '1.1.7',
    runner: 'mocha',
    style: 'CJS ES5, mocha; crypto arithmetic',
    runs: [['$mocha', '--reporter=spec', 'test/*-test.js']],
  },
  { name: 'json-schema-traverse', version: '1.0.0', runner: 'mocha', style: 'CJS ES5, mocha', runs: [['$mocha', 'spec', '-R', 'spec']] },
];
