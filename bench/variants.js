/**
 * The variants bench/run.js compares (and bench/profile.js profiles): how each child node is started.
 * `args` go before the script, `env` is added to the child's environment.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's build. */
export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-runtime.js', import.meta.url));
const TRACED = { MEMTRACE_INCLUDE: '**/*' };

/** The variants, running memtrace from `dist` (a copy of dist/ during bench/run.js). */
export function variants(dist = DIST) {
  const register = join(dist, 'loader/register.js');
  const env = { BENCH_DIST: dist };
  return [
    { name: 'plain', args: [], env: {} },
    { name: 'heap-prof', args: ['--heap-prof'], env: {}, heapProf: true },
    { name: 'bare', args: ['--import', BARE], env: { ...env, ...TRACED }, traced: true, bare: true },
    { name: 'full', args: ['--import', register], env: { ...env, ...TRACED }, traced: true, tracer: true },
    // The summaries' checkpoints off (MEMTRACE_CHECKPOINT_MS=0): what writing them each second costs.
    {
      name: 'no-checkpoints',
      args: ['--import', register],
      env: { ...env, ...TRACED, MEMTRACE_CHECKPOINT_MS: '0' },
      traced: true,
      tracer: true,
    },
    { name: 'exact', args: ['--import', register], env: { ...env, ...TRACED, MEMTRACE_EXACT: '1' }, traced: true, tracer: true },
    { name: 'full-js', args: ['--import', register], env: { ...env, ...TRACED, MEMTRACE_COUNTERS: 'js' }, traced: true, tracer: true },
    {
      name: 'js-probes',
      args: ['--import', register],
      env: { ...env, ...TRACED, MEMTRACE_COUNTERS: 'js-probes' },
      traced: true,
      tracer: true,
    },
  ];
}

/** The environment of every child: ours, less anything that would change what it runs. */
export function baseEnvironment() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('MEMTRACE_') || key.startsWith('BENCH_') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}
