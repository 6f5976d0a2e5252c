/**
 * Transform throughput of memtrace's instrument() (transforms/instrument.ts, as built) on one file, in a
 * fresh process so the first call is truly cold (Babel's parser not yet compiled by the JIT):
 *
 *   node bench/instrument-bench.js FILE module|script [RUNS]
 *
 * Prints one line of JSON: bytes, functions found, the first call's ms, the median ms of RUNS more
 * calls (warm), and the median ms of @babel/parser's parse() alone with the same options (the part of
 * the transform the parser takes). bench/run.js runs it for each library's main file and for
 * TypeScript's lib/typescript.js.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { distUrl } from './dist-path.js';

const { instrument } = await import(distUrl('transforms/instrument.js'));
// The parser memtrace itself uses (resolved from its build, so from the root's node_modules).
const { parse } = createRequire(distUrl('transforms/instrument.js'))('@babel/parser');

const [file, sourceType, runsArgument] = process.argv.slice(2);
if (!file || (sourceType !== 'module' && sourceType !== 'script')) {
  process.stderr.write('usage: node bench/instrument-bench.js FILE module|script [RUNS]\n');
  process.exit(2);
}
const runs = Math.max(1, Number(runsArgument ?? 3));
const source = readFileSync(file, 'utf8');
const options = { filename: file, sourceType };

function timed(fn) {
  const start = performance.now();
  const result = fn();
  return [performance.now() - start, result];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const [firstMs, first] = timed(() => instrument(source, options));
const warm = [];
for (let i = 0; i < runs; i++) warm.push(timed(() => instrument(source, options))[0]);
const parseOptions = {
  sourceType,
  sourceFilename: file,
  allowReturnOutsideFunction: sourceType === 'script',
  allowAwaitOutsideFunction: sourceType === 'module',
  createParenthesizedExpressions: true,
  attachComment: false,
};
const parses = [];
for (let i = 0; i < runs; i++) parses.push(timed(() => parse(source, parseOptions))[0]);

process.stdout.write(`${JSON.stringify({
  file,
  bytes: Buffer.byteLength(source),
  functions: first.functions.length,
  outputBytes: Buffer.byteLength(first.code),
  firstMs,
  warmMs: median(warm),
  parseMs: median(parses),
  runs,
})}\n`);
