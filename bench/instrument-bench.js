/**
 * Transform throughput of memtrace's instrument() (transforms/instrument.ts, as built) on one file, in a
 * fresh process so the first call is truly cold (the parser's module not loaded yet, and a JavaScript
 * parser not yet compiled by the JIT):
 *
 *   node bench/instrument-bench.js FILE module|script [RUNS] [auto|babel]
 *
 * The last argument is the parser (MEMTRACE_PARSER): auto = oxc-parser where it loads. Prints one line
 * of JSON: the parser used, bytes, functions found, the first call's ms (wall, and CPU of the process),
 * the median ms of RUNS more calls (warm; wall and CPU), and the median ms of parsing alone with the same options (transforms/parse.js: for
 * oxc-parser that includes moving the AST to JavaScript). bench/run.js runs it for each library's main
 * file and for TypeScript's lib/typescript.js, with each parser.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { median } from './common.js';
import { distUrl } from './dist-path.js';

const { instrument } = await import(distUrl('transforms/instrument.js'));
const { parseProgram } = await import(distUrl('transforms/parse.js'));

const [file, sourceType, runsArgument, parser = 'auto'] = process.argv.slice(2);
if (!file || (sourceType !== 'module' && sourceType !== 'script') || !['auto', 'babel'].includes(parser)) {
  process.stderr.write('usage: node bench/instrument-bench.js FILE module|script [RUNS] [auto|babel]\n');
  process.exit(2);
}
const runs = Math.max(1, Number(runsArgument ?? 3));
const source = readFileSync(file, 'utf8');
const options = { filename: file, sourceType, parser };

function timed(fn) {
  const start = performance.now();
  const result = fn();
  return [performance.now() - start, result];
}

/** CPU ms of the whole process (this thread, and V8's GC helpers) while fn runs: on a loaded machine,
 * closer than wall time to what a quiet machine would show. */
function cpuTimed(fn) {
  const start = process.cpuUsage();
  const result = fn();
  const used = process.cpuUsage(start);
  return [(used.user + used.system) / 1000, result];
}

let firstMs;
const [firstCpuMs, first] = cpuTimed(() => {
  const [ms, result] = timed(() => instrument(source, options));
  firstMs = ms;
  return result;
});
const warm = [];
const warmCpu = [];
for (let i = 0; i < runs; i++) {
  const [cpuMs, ms] = cpuTimed(() => timed(() => instrument(source, options))[0]);
  warm.push(ms);
  warmCpu.push(cpuMs);
}
const parses = [];
for (let i = 0; i < runs; i++) parses.push(timed(() => parseProgram(source, options))[0]);

process.stdout.write(
  `${JSON.stringify({
    file,
    parser: first.parser,
    bytes: Buffer.byteLength(source),
    functions: first.functions.length,
    outputBytes: Buffer.byteLength(first.code),
    firstMs,
    firstCpuMs,
    warmMs: median(warm),
    warmCpuMs: median(warmCpu),
    parseMs: median(parses),
    runs,
  })}\n`,
);
