/**
 * What a measured call costs in instructions, cache misses and branch mispredictions, counted rather
 * than timed: `node bench/instructions.js [--workload handlebars] [--scales 0.05,0.1] [--dist DIST]`.
 *
 * This VM has no hardware counters (perf stat: cycles, cache and TLB events "not supported"), and a
 * ratio's round-to-round spread of ±0.05 hides changes of a few ns a call. Valgrind's callgrind counts
 * every instruction the process runs and simulates its caches and branch predictors: the same build
 * gives the same counts, so a change to the probes shows in instructions even where time cannot tell.
 * What it simulates is not this CPU: read its misses and mispredictions as where, not how long.
 *
 * The workload runs under the full tracer and the bare runtime (every call counted), at two scales,
 * four runs of ~1-2 min under valgrind, two at a time. The per-call figures are the difference of
 * the two scales (so start-up, the transform and the calibration drop out), full less bare, divided
 * by the difference in measured calls. Code is grouped by thread (callgrind's --separate-threads) and
 * by what it is: on the main thread the addon's probes, V8's API callbacks into it, memtrace's JS
 * runtime and the program (JIT code, named through `--perf-basic-prof`'s map), V8's builtins, its GC;
 * on the others the writer's formatter, V8's compilers, its GC helpers. The addon's figures repeat to
 * within ~3 % from run to run, V8's API callbacks' to ~10 %; those of the program's JIT code, the
 * compilers and the GC move with when V8's compiles finish (±20-30 %).
 *
 * The copy of dist/ it runs (bench/node_modules/.memtrace-instructions/) has the policy's time
 * threshold (Policy.DemoteNs) multiplied by 600, valgrind's slowdown here: judged on time that
 * valgrind inflates, every function would stay measured. Needs valgrind (Debian: apt install valgrind).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { printTable, snapshotDist } from './common.js';

const SLOWDOWN = 600;
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');

const { values: options } = parseArgs({
  options: {
    workload: { type: 'string', default: 'handlebars' },
    scales: { type: 'string', default: '0.05,0.1' },
    dist: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const scales = options.scales.split(',').map(Number);
if (scales.length !== 2 || !scales.every((s) => s > 0) || scales[0] >= scales[1]) {
  fail(`--scales takes two increasing scales, got ${options.scales}`);
}
if (!existsSync(join(here, 'workloads', `${options.workload}.js`))) fail(`no workload bench/workloads/${options.workload}.js`);
if (spawnSync('valgrind', ['--version']).status !== 0) fail('valgrind is not installed (Debian: apt install valgrind)');

function fail(message) {
  process.stderr.write(`bench/instructions: ${message}\n`);
  process.exit(2);
}

/** A copy of the build whose policy judges time as if valgrind did not slow the program down. */
function slowedCopy() {
  const dist = options.dist ?? join(root, 'dist');
  const copy = snapshotDist(join(dist, '..'), join(here, 'node_modules', '.memtrace-instructions'));
  let patched = 0;
  for (const file of ['src/runtime/probes.js', 'src/runtime/function-stats.js']) {
    const path = join(copy, file);
    const text = readFileSync(path, 'utf8');
    const next = text.replace(/\b(\d+) \/\* Policy\.DemoteNs \*\//g, (_, ns) => {
      patched++;
      return String(Number(ns) * SLOWDOWN);
    });
    writeFileSync(path, next);
  }
  if (patched === 0) fail(`found no Policy.DemoteNs in ${copy}/src/runtime/ to scale`);
  return copy;
}

/** One run under callgrind: resolves to { out, map, measured } (files in `dir`). */
function runUnderValgrind(dist, variant, scale, dir) {
  const preload = variant === 'full' ? join(dist, 'loader/register.js') : join(here, 'bare-runtime.js');
  const out = join(dir, `${variant}-${scale}.callgrind`);
  const trace = join(dir, `${variant}-${scale}-trace`);
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MEMTRACE_') && key !== 'NODE_OPTIONS') env[key] = value;
  Object.assign(env, { BENCH_DIST: `${dist}/`, MEMTRACE_INCLUDE: '**/*', MEMTRACE_OUT: trace });
  const args = [
    '--tool=callgrind',
    '--separate-threads=yes',
    '--dump-instr=yes',
    '--cache-sim=yes',
    '--branch-sim=yes',
    `--callgrind-out-file=${out}`,
  ];
  args.push(process.execPath, '--perf-basic-prof', '--import', preload, join('workloads', `${options.workload}.js`), String(scale));
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { cwd: here, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.stdout.resume();
    child.on('close', (code) => {
      // valgrind runs the program in its own process: the map is named after valgrind's pid.
      const map = `/tmp/perf-${child.pid}.map`;
      if (code !== 0 || !existsSync(map))
        return reject(new Error(`${variant} at scale ${scale} failed (exit ${code}): ${stderr.trim().split('\n').at(-1)}`));
      resolve({ out, map, measured: variant === 'full' ? measuredCalls(trace) : 0 });
    });
  });
}

function measuredCalls(trace) {
  const runs = existsSync(trace) ? readdirSync(trace).filter((name) => name.startsWith('memtrace-')) : [];
  if (runs.length !== 1) fail(`expected one trace in ${trace}, found ${runs.length}`);
  const rows = parse(readFileSync(join(trace, runs[0], 'functions.csv')), { columns: true });
  return rows.reduce((sum, row) => sum + Number(row.measured_calls), 0);
}

/** The JIT code's ranges from node's perf map, sorted by start. */
function readPerfMap(path) {
  const ranges = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [start, size, ...name] = line.split(' ');
      return { start: Number.parseInt(start, 16), end: Number.parseInt(start, 16) + Number.parseInt(size, 16), name: name.join(' ') };
    })
    .sort((a, b) => a.start - b.start);
  return ranges;
}

function jitName(ranges, address) {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (ranges[middle].start <= address) low = middle + 1;
    else high = middle - 1;
  }
  const range = ranges[high];
  return range !== undefined && address < range.end ? range.name : undefined;
}

// What each function is, by thread: the main thread's file and the others' each have their list,
// whose names are the table's rows. The formatter is the writer thread's, but under valgrind's
// one-thread-at-a-time scheduling the writer may fall behind and the main thread then formats the
// rest at exit: one row, whichever thread ran it.
const FORMATTER = ["memtrace's formatter (any thread)", (name) => /memtrace::.*(FormatEvents|WriteInteger|WriteNumber)/.test(name)];
const GC = (name) => /Scaveng|Mark|Sweep|heap::base|Heap::|Evacuat|Compactor/.test(name);
const MAIN_GROUPS = [
  FORMATTER,
  ['main thread: addon probes', (name) => name.includes('memtrace::')],
  [
    "main thread: V8's API callbacks",
    (name) =>
      /CallApiCallback|HandleApiCall|FunctionCallbackArguments|^v8::(External|Value|Number|Object)::|AsyncHooksGetExecutionAsyncId/.test(
        name,
      ),
  ],
  ["main thread: memtrace's JS runtime", (name) => /^JIT JS:.*\/dist\/(src|loader)\//.test(name)],
  ['main thread: the program (JIT)', (name) => name.startsWith('JIT JS:')],
  ["main thread: V8's builtins", (name) => name.startsWith('JIT ')],
  ["main thread: V8's GC", GC],
  ['main thread: the rest', () => true],
];
const OTHER_GROUPS = [
  FORMATTER,
  ["other threads: memtrace's addon", (name) => name.includes('memtrace::')],
  [
    "V8's compiler threads",
    (name) => /v8::internal::(compiler|maglev|turboshaft)::|v8::internal::(Pipeline|OptimizedCompilationJob)/.test(name),
  ],
  ["V8's GC threads", GC],
  ['other threads: the rest', () => true],
];
const GROUPS = [...new Set([...MAIN_GROUPS, ...OTHER_GROUPS].map(([name]) => name))];
const EVENTS = ['Ir', 'I1mr', 'D1mr', 'D1mw', 'Bcm', 'Bim'];

/**
 * Sums callgrind's self cost by group over the threads' files (OUT-01 is the main thread's);
 * instructions in JIT code are named through the perf map.
 */
async function costByGroup({ out, map }) {
  const ranges = readPerfMap(map);
  const totals = new Map(GROUPS.map((name) => [name, new Array(EVENTS.length).fill(0)]));
  const prefix = out.split('/').at(-1);
  const files = readdirSync(dir).filter((name) => name.startsWith(`${prefix}-`));
  if (!files.includes(`${prefix}-01`)) fail(`callgrind wrote no main-thread file ${out}-01`);
  // Callgrind compresses a function's name to "(id)" after its first mention in any thread's file.
  const names = new Map();
  for (const file of files) {
    for await (const line of createInterface({ input: createReadStream(join(dir, file)) })) {
      const match = /^c?fn=\((\d+)\) (.*)$/.exec(line);
      if (match) names.set(match[1], match[2]);
    }
  }
  for (const file of files) {
    const main = file === `${prefix}-01`;
    await addFile(join(dir, file), main ? MAIN_GROUPS : OTHER_GROUPS, { ranges, names, totals });
  }
  return totals;
}

async function addFile(path, groups, { ranges, names, totals }) {
  const groupOf = new Map();
  let columns;
  let fn = '';
  let last = [0, 0];
  let skipNext = false;
  const position = (token, previous) => {
    if (token === '*') return previous;
    if (token[0] === '+' || token[0] === '-') return previous + Number(token);
    return Number(token);
  };
  const group = (name) => {
    let found = groupOf.get(name);
    if (found === undefined) {
      found = groups.find(([, test]) => test(name))[0];
      groupOf.set(name, found);
    }
    return found;
  };
  for await (const line of createInterface({ input: createReadStream(path) })) {
    const first = line[0];
    if ((first >= '0' && first <= '9') || first === '+' || first === '-' || first === '*') {
      const tokens = line.split(' ');
      const address = position(tokens[0], last[0]);
      last = [address, tokens.length > 1 ? position(tokens[1], last[1]) : last[1]];
      if (skipNext) {
        skipNext = false; // a call's inclusive cost: counted in the callee
        continue;
      }
      const jit = jitName(ranges, address);
      const sums = totals.get(group(jit === undefined ? fn : `JIT ${jit}`));
      for (let i = 0; i < EVENTS.length; i++) {
        const value = tokens[2 + columns[i]];
        if (value !== undefined) sums[i] += Number(value);
      }
    } else if (line.startsWith('calls=')) {
      skipNext = true;
    } else if (line.startsWith('fn=')) {
      fn = names.get(/^fn=\((\d+)\)/.exec(line)[1]) ?? '';
    } else if (line.startsWith('events:')) {
      const all = line.slice('events:'.length).trim().split(' ');
      columns = EVENTS.map((event) => all.indexOf(event));
      if (columns.includes(-1)) fail(`callgrind's events lack one of ${EVENTS.join(', ')}: ${line}`);
    }
  }
}

const dist = slowedCopy();
const dir = mkdtempSync(join(tmpdir(), 'memtrace-instructions-'));
process.stdout.write(
  `bench/instructions: ${options.workload} at scales ${scales.join(' and ')}, full and bare, under callgrind (two at a time)\n`,
);
const jobs = [];
for (const scale of scales) for (const variant of ['full', 'bare']) jobs.push({ variant, scale });
const results = new Map();
for (let i = 0; i < jobs.length; i += 2) {
  const pair = jobs.slice(i, i + 2);
  const done = await Promise.all(pair.map(({ variant, scale }) => runUnderValgrind(dist, variant, scale, dir)));
  for (let j = 0; j < pair.length; j++) {
    const key = `${pair[j].variant} ${pair[j].scale}`;
    results.set(key, { measured: done[j].measured, groups: await costByGroup(done[j]) });
    rmSync(done[j].map, { force: true });
    process.stdout.write(`  ${key} done\n`);
  }
}
const [small, large] = scales;
const calls = results.get(`full ${large}`).measured - results.get(`full ${small}`).measured;
const rows = [];
const total = new Array(EVENTS.length).fill(0);
for (const name of GROUPS) {
  const perCall = EVENTS.map((_, i) => {
    const at = (variant, scale) => results.get(`${variant} ${scale}`).groups.get(name)[i];
    return (at('full', large) - at('full', small) - (at('bare', large) - at('bare', small))) / calls;
  });
  perCall.forEach((value, i) => {
    total[i] += value;
  });
  rows.push({ code: name, ...Object.fromEntries(EVENTS.map((event, i) => [event, perCall[i].toFixed(event === 'Ir' ? 0 : 2)])) });
}
rows.push({ code: 'all', ...Object.fromEntries(EVENTS.map((event, i) => [event, total[i].toFixed(event === 'Ir' ? 0 : 2)])) });
printTable(`${options.workload}: per measured call (${calls} more between the scales), full less bare`, rows);
if (options.keep) process.stdout.write(`callgrind files kept in ${dir}\n`);
else rmSync(dir, { recursive: true, force: true });
