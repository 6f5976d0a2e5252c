/**
 * Shared by the workloads: a seeded random generator (inputs are generated, so every run does the
 * same work), a string hash for checksums, and the one line of JSON a workload prints for bench/run.js.
 *
 * A workload runs as `node workloads/NAME.js [scale]`: scale multiplies its fixed amount of work
 * (1 by default, about 1-3 s under plain node). It prints
 * `{"workload":NAME,"scale":S,"checksum":"…","workMs":…,"workCpuMs":…}` as its last line of stdout;
 * workMs (wall) and workCpuMs (CPU time of every thread of the process) cover the timed section
 * only: module loading and the tracer's start-up and exit are outside it. The workloads are traced
 * too (bench/run.js sets MEMTRACE_INCLUDE='**\/*'), so this module stays small.
 *
 * BENCH_WINDOW=1 also prints `WINDOW <start> <end>` to stderr, the timed section in CLOCK_MONOTONIC
 * nanoseconds, to keep a profile to it: `perf record -k CLOCK_MONOTONIC` stamps samples on that clock
 * (docs/performance.md, "Where a measured call's cost lands").
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** mulberry32: small, fast, deterministic. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore ' +
  'magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute ' +
  'irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident ' +
  'sunt culpa qui officia deserunt mollit anim id est laborum'
).split(' ');

export function words(rand, count) {
  let text = WORDS[Math.floor(rand() * WORDS.length)];
  for (let i = 1; i < count; i++) text += ' ' + WORDS[Math.floor(rand() * WORDS.length)];
  return text;
}

export function pick(rand, items) {
  return items[Math.floor(rand() * items.length)];
}

/** FNV-1a over a string's UTF-16 code units, folded into a running 32-bit hash. */
export function hashString(hash, text) {
  let h = hash >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

export const FNV_OFFSET = 2166136261;

/** The scale argument (argv[2]), a positive number, 1 by default. */
export function scaleArgument() {
  const scale = process.argv[2] === undefined ? 1 : Number(process.argv[2]);
  if (!(scale > 0)) throw new Error(`scale must be a positive number, got ${process.argv[2]}`);
  return scale;
}

/**
 * Runs `work` (which returns a checksum) once, timed, and prints the result line. With
 * BENCH_LOAD_ONLY=1 the work is skipped (bench/run.js measures module loading and transform cost).
 */
export function run(workload, scale, work) {
  if (process.env.BENCH_LOAD_ONLY === '1') {
    process.stdout.write(`${JSON.stringify({ workload, scale, checksum: 'load-only', workMs: 0, workCpuMs: 0 })}\n`);
    return;
  }
  const cpu = process.cpuUsage();
  const start = performance.now();
  const t0 = process.hrtime.bigint();
  const checksum = work();
  const t1 = process.hrtime.bigint();
  const workMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  // CPU time of the whole process (every thread: GC helpers, memtrace's writer) during the work.
  const workCpuMs = (used.user + used.system) / 1000;
  if (process.env.BENCH_WINDOW === '1') process.stderr.write(`WINDOW ${t0} ${t1}\n`);
  const round = (value) => Math.round(value * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({ workload, scale, checksum: String(checksum), workMs: round(workMs), workCpuMs: round(workCpuMs) })}\n`,
  );
}

/** A file of an installed package (bench/node_modules), read as text; `exports` maps are bypassed. */
export function packageFile(path) {
  return readFileSync(new URL(`../node_modules/${path}`, import.meta.url), 'utf8');
}
