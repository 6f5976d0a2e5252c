/**
 * `node bench/alloc/run.js [--quick] [--runs N] [--scale S] [--interval BYTES] [--only acorn,…]`:
 * the cost of whole-run allocation sampling on real npm library work (bench/workloads), as ratios
 * measured in the same run, variants interleaved round after round:
 *
 *   plain        node workload.js
 *   heap-prof    node --heap-prof --heap-prof-interval=BYTES (node's own sampling heap profiler)
 *   run          memtrace run: the function tracer (memtrace/register, every module traced)
 *   alloc-only   memtrace run --alloc-only: the sampler alone (MEMTRACE_ALLOC=1, MEMTRACE_ALLOC_LINES=0)
 *   alloc        memtrace run --alloc: the tracer, the sampler and sampled statements (MEMTRACE_ALLOC=1)
 *   alloc-lines  memtrace run --alloc --lines (every statement of every measured call)
 *
 * The traced variants trace every module, libraries included (MEMTRACE_INCLUDE of every file), at the
 * same interval. Targets: alloc-only within 1.2× of heap-prof; alloc within 1.3× of run (issue 17).
 * `work` is the workload's timed section; `wall` the whole process (start-up, and the profile written
 * at exit: one .heapprofile for heap-prof, five files for memtrace). Median of N runs (5; --quick: 1
 * at a quarter of the work). Results: bench/results/alloc/overhead.csv (quick/ for --quick).
 * memtrace runs from a copy of dist/ taken at the start (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { copyOfDist, median, parseOptions, printTable, scratchDirectory, writeCsv } from './common.js';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const options = parseOptions(process.argv.slice(2), {
  runs: undefined,
  scale: undefined,
  interval: 512 * 1024,
  only: undefined,
  out: undefined,
});
options.runs ??= options.quick ? 1 : 5;
options.scale ??= options.quick ? 0.25 : 1;
options.out ??= join(benchDir, 'results', 'alloc', ...(options.quick ? ['quick'] : []));
const workloads = options.only ?? ['acorn', 'marked', 'handlebars', 'js-yaml'];
const scratch = scratchDirectory('memtrace-alloc-bench-');
// memtrace runs from a copy of dist/ taken now: a rebuild during the run cannot mix two builds.
const register = join(copyOfDist(scratch), 'loader/register.js');

const interval = String(options.interval);
const traced = (name, env, args = []) => ({
  name,
  args: [...args, '--import', register],
  env: {
    MEMTRACE_INCLUDE: '**/*',
    MEMTRACE_ALLOC_INTERVAL: interval,
    MEMTRACE_OUT: join(scratch, name),
    MEMTRACE_CACHE_DIR: join(scratch, 'cache'),
    ...env,
  },
});
const VARIANTS = [
  { name: 'plain', args: [], env: {} },
  {
    name: 'heap-prof',
    args: ['--heap-prof', `--heap-prof-interval=${interval}`, `--heap-prof-dir=${join(scratch, 'heap-prof')}`],
    env: {},
  },
  traced('run', {}),
  traced('alloc-only', { MEMTRACE_ALLOC: '1', MEMTRACE_ALLOC_LINES: '0' }),
  // As `memtrace run --alloc` starts it: Node's source maps on (positions of transpiled code).
  traced('alloc', { MEMTRACE_ALLOC: '1', MEMTRACE_SOURCE_MAPS: '1' }, ['--enable-source-maps']),
  traced('alloc-lines', { MEMTRACE_ALLOC: '1', MEMTRACE_LINES: '1', MEMTRACE_SOURCE_MAPS: '1' }, ['--enable-source-maps']),
];

function baseEnvironment() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MEMTRACE_') && key !== 'NODE_OPTIONS'));
}

function runOnce(workload, variant, scale) {
  const start = performance.now();
  const child = spawnSync(process.execPath, [...variant.args, join(benchDir, 'workloads', `${workload}.js`), String(scale)], {
    cwd: benchDir,
    env: { ...baseEnvironment(), ...variant.env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const wallMs = performance.now() - start;
  if (child.status !== 0) throw new Error(`${workload} ${variant.name} failed: ${child.stderr}`);
  const result = JSON.parse(child.stdout.trim().split('\n').pop());
  return { workMs: result.workMs, wallMs, checksum: result.checksum };
}

const rows = [];
try {
  for (const workload of workloads) {
    for (const variant of VARIANTS) runOnce(workload, variant, 0.05); // warm-up (and the transform cache)
    const runs = new Map(VARIANTS.map((v) => [v.name, []]));
    for (let round = 0; round < options.runs; round++) {
      for (const variant of VARIANTS) runs.get(variant.name).push(runOnce(workload, variant, options.scale));
    }
    const checksums = new Set([...runs.values()].flat().map((r) => r.checksum));
    if (checksums.size !== 1) throw new Error(`${workload}: checksums differ between variants`);
    const m = (name, key) => median(runs.get(name).map((r) => r[key]));
    const ratio = (a, b) => (a / b).toFixed(2);
    rows.push({
      workload,
      plain_ms: Math.round(m('plain', 'workMs')),
      heap_prof_x_plain: ratio(m('heap-prof', 'workMs'), m('plain', 'workMs')),
      run_x_plain: ratio(m('run', 'workMs'), m('plain', 'workMs')),
      alloc_only_x_heap_prof: ratio(m('alloc-only', 'workMs'), m('heap-prof', 'workMs')),
      alloc_x_run: ratio(m('alloc', 'workMs'), m('run', 'workMs')),
      alloc_lines_x_run: ratio(m('alloc-lines', 'workMs'), m('run', 'workMs')),
      wall_alloc_x_run: ratio(m('alloc', 'wallMs'), m('run', 'wallMs')),
    });
    process.stdout.write(`${workload} done\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
printTable(
  `allocation sampling at ${interval} B, median of ${options.runs} (node ${process.version}, load ${os.loadavg()[0].toFixed(1)})`,
  rows,
);
writeCsv(
  options.out,
  'overhead',
  rows.map((r) => ({
    ...r,
    interval,
    runs: options.runs,
    scale: options.scale,
    node: process.version,
    date: new Date().toISOString(),
    load: os.loadavg()[0].toFixed(2),
  })),
);
