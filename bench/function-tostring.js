/**
 * What the tracer's Function.prototype.toString costs (src/runtime/function-source.ts):
 * `node bench/function-tostring.js [--rounds R]`. In one process, interleaved round after round, the
 * median ns per toString() call of: an untraced function with V8's own toString (the baseline) and with
 * memtrace's; a traced function (its instrumented text compiled, as the loader would) with V8's own (which
 * shows the probes) and with memtrace's (which takes them out). Prints the figures and their ratios to
 * the baseline. A function's text is made fresh at every call by V8 either way; nothing is kept per
 * function, so the memory per traced function is nothing.
 */
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { median, printTable } from './common.js';
import { distUrl } from './dist-path.js';

const { instrument } = await import(distUrl('transforms/instrument.js'));
const { installOriginalFunctionText } = await import(distUrl('src/runtime/function-source.js'));

const args = process.argv.slice(2);
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 15);
const calls = 20_000;

// A real library function of some size: picomatch's `parse` (a 1 000-line arrow), traced and untraced.
const require = createRequire(import.meta.url);
const file = require.resolve('picomatch/lib/parse.js');
const source = readFileSync(file, 'utf8');
const load = (code) => {
  const module = { exports: {} };
  vm.runInThisContext(`(function (module, exports, require) {${code}\n})`)(module, module.exports, createRequire(file));
  return module.exports;
};
// The preamble's call to the runtime left out: the functions are only read, never called.
const traceModule = (code) => instrument(code, { filename: file, sourceType: 'script' }).code.replace(/__mt\$\|\|__mt\$i\(\);/, '');
const untraced = load(source);
const traced = load(traceModule(source));
// And a small one (68 characters).
const small = 'module.exports = function add(a, b) {\n  const sum = a + b;\n  return sum;\n};';
const untracedSmall = load(small);
const tracedSmall = load(traceModule(small));

const nativeToString = Function.prototype.toString;
installOriginalFunctionText();
const patchedToString = Function.prototype.toString;
if (
  patchedToString.call(traced) !== nativeToString.call(untraced) ||
  patchedToString.call(tracedSmall) !== nativeToString.call(untracedSmall)
)
  throw new Error('the traced function does not read as its source');

let sink = 0;
function time(stringify, fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink += stringify.call(fn).length;
  return Number(process.hrtime.bigint() - start) / calls;
}
const cases = [
  ['small untraced, V8 toString', nativeToString, untracedSmall],
  ['small untraced, memtrace toString', patchedToString, untracedSmall],
  ['small traced, memtrace toString', patchedToString, tracedSmall],
  ['untraced, V8 toString', nativeToString, untraced],
  ['untraced, memtrace toString', patchedToString, untraced],
  ['traced, V8 toString (probes shown)', nativeToString, traced],
  ['traced, memtrace toString', patchedToString, traced],
];
const samples = cases.map(() => []);
for (let round = 0; round <= rounds; round++) {
  cases.forEach(([, stringify, fn], i) => {
    const ns = time(stringify, fn);
    if (round > 0) samples[i].push(ns); // round 0 warms up
  });
}
// Each case against V8's toString of the same-sized untraced function.
printTable(
  'Function.prototype.toString',
  cases.map(([name], i) => {
    const baseline = median(samples[i < 3 ? 0 : 3]);
    return { case: name, 'ns per call': median(samples[i]).toFixed(0), 'ratio to V8 untraced': (median(samples[i]) / baseline).toFixed(2) };
  }),
);
console.log(
  `function text: ${nativeToString.call(untracedSmall).length} and ${nativeToString.call(untraced).length} characters untraced, ${nativeToString.call(tracedSmall).length} and ${nativeToString.call(traced).length} traced; ${rounds} rounds of ${calls} calls (${sink > 0 ? 'ok' : ''})`,
);
