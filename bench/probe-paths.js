/**
 * The two paths of the probes, each on its own: `node bench/probe-paths.js [--rounds R] [--against DIST]`.
 * bench/probe-paths/counted.mjs makes 5e7 calls of a function the policy counts; measured.mjs 3e6 calls
 * of one it keeps measuring; awaits.mjs 2e5 calls of an async function that awaits 4 times; nested.mjs
 * 7e6 measured calls three levels deep, spread.mjs 3e6 of them between other work (their time over
 * bare: a measured call packed together and spread out). Each runs under plain node, the bare runtime (instrumentation, no memory
 * reads) and memtrace/register (and, with --against, a second build's register, e.g. a copy of an
 * older dist/), interleaved round after round; the figure is the median of R rounds of the timed loop,
 * as ns per call, and the difference from bare. Prints a table and writes bench/results/probe-paths.csv.
 * PROGRAMS=counted (a comma-separated list) runs only those programs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printTable, writeCsv } from './common.js';
import { DIST } from './variants.js';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const rounds = Number(option('--rounds', 9));
const against = option('--against', undefined);
const here = fileURLToPath(new URL('.', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'memtrace-probe-paths-'));

const variants = [
  { name: 'plain', args: [], env: {} },
  { name: 'bare', args: ['--import', join(here, 'bare-runtime.js')], env: { BENCH_DIST: DIST } },
  { name: 'full', args: ['--import', join(DIST, 'loader/register.js')], env: {} },
];
if (against) variants.push({ name: 'against', args: ['--import', join(against, 'loader/register.js')], env: { BENCH_DIST: against } });

const programs = (process.env.PROGRAMS ?? 'counted,measured,awaits,nested,spread').split(',');
const results = new Map();
const environment = { ...process.env };
for (const key of Object.keys(environment)) if (key.startsWith('MEMTRACE_') || key === 'NODE_OPTIONS') delete environment[key];
for (let round = 0; round <= rounds; round++) {
  for (const program of programs) {
    for (const variant of variants) {
      const run = spawnSync(process.execPath, [...variant.args, join(here, 'probe-paths', `${program}.mjs`)], {
        env: { ...environment, ...variant.env, MEMTRACE_OUT: out, MEMTRACE_CACHE_DIR: join(out, '.cache') },
        encoding: 'utf8',
      });
      if (run.status !== 0) throw new Error(`${program} under ${variant.name} failed: ${run.stderr}`);
      if (round === 0) continue; // the transform cache fills; not timed
      const { ms, calls } = JSON.parse(run.stdout.trim().split('\n').at(-1));
      const key = `${program} ${variant.name}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push((ms * 1e6) / calls);
    }
  }
}
rmSync(out, { recursive: true, force: true });

const rows = [];
for (const program of programs) {
  const bare = median(results.get(`${program} bare`));
  for (const variant of variants) {
    const values = results.get(`${program} ${variant.name}`);
    const ns = median(values);
    rows.push({
      program,
      variant: variant.name,
      ns: ns.toFixed(2),
      overBare: variant.name === 'plain' ? '' : (ns - bare).toFixed(2),
      min: Math.min(...values).toFixed(2),
      max: Math.max(...values).toFixed(2),
    });
  }
}
printTable(
  `Node ${process.version}, ${rounds} rounds`,
  rows.map((r) => ({
    program: r.program,
    variant: r.variant,
    'ns/call (median)': r.ns,
    'ns over bare': r.overBare,
    min: r.min,
    max: r.max,
  })),
);
const resultsDir = join(here, 'results');
writeCsv(
  resultsDir,
  'probe-paths',
  rows.map((r) => ({ program: r.program, variant: r.variant, ns_per_call: r.ns, ns_over_bare: r.overBare, min: r.min, max: r.max })),
);
console.log(`written to ${join(resultsDir, 'probe-paths.csv')}`);
