/**
 * `node bench/alloc/run.js [--quick] [--runs N] [--scale S] [--interval BYTES] [--only acorn,…]`:
 * the cost of whole-run allocation sampling on real npm library work (bench/workloads), as ratios
 * measured in the same run, variants interleaved round after round:
 *
 *   plain        node workload.js
 *   heap-prof    node --heap-prof --heap-prof-interval=BYTES (node's own sampling heap profiler)
 *   alloc        memtrace run --alloc (memtrace/register with MEMTRACE_ALLOC=1, same interval)
 *   alloc-lines  memtrace run --alloc --lines (line probes in every module, libraries included)
 *
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
const VARIANTS = [
  { name: 'plain', args: [], env: {} },
  {
    name: 'heap-prof',
    args: ['--heap-prof', `--heap-prof-interval=${interval}`, `--heap-prof-dir=${join(scratch, 'heap-prof')}`],
    env: {},
  },
  {
    name: 'alloc',
    args: ['--import', register],
    env: { MEMTRACE_ALLOC: '1', MEMTRACE_ALLOC_INTERVAL: interval, MEMTRACE_OUT: join(scratch, 'alloc') },
  },
  {
    name: 'alloc-lines',
    args: ['--enable-source-maps', '--import', register],
    env: {
      MEMTRACE_ALLOC: '1',
      MEMTRACE_LINES: '1',
      MEMTRACE_SOURCE_MAPS: '1',
      MEMTRACE_INCLUDE: '**/*',
      MEMTRACE_ALLOC_INTERVAL: interval,
      MEMTRACE_OUT: join(scratch, 'alloc-lines'),
      MEMTRACE_CACHE_DIR: join(scratch, 'cache'),
    },
  },
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
      alloc_x_plain: ratio(m('alloc', 'workMs'), m('plain', 'workMs')),
      alloc_x_heap_prof: ratio(m('alloc', 'workMs'), m('heap-prof', 'workMs')),
      alloc_lines_x_heap_prof: ratio(m('alloc-lines', 'workMs'), m('heap-prof', 'workMs')),
      wall_alloc_x_heap_prof: ratio(m('alloc', 'wallMs'), m('heap-prof', 'wallMs')),
      wall_alloc_lines_x_heap_prof: ratio(m('alloc-lines', 'wallMs'), m('heap-prof', 'wallMs')),
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
