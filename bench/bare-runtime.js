/**
 * Bare runtime: `node --import ./bench/bare-runtime.js app.js` instruments modules exactly as
 * memtrace/register does (same transformer, same settings from MEMTRACE_*, same transform cache, same
 * hooks), but globalThis.__memtrace$ holds probes that only count calls: no clock, no memory reading,
 * no shadow stack, no events. It is the floor the full tracer is compared with ("instrumentation with
 * no memory reads").
 *
 * BENCH_STATS=FILE: the timed transformer appends a line per instrumented module (transform-stats.js)
 * and, at exit, this adds `C<TAB>calls<TAB>functions<TAB>modules`.
 */
import { appendFileSync } from 'node:fs';
import { distUrl } from './dist-path.js';
import { benchTransformer } from './transform-stats.js';

const { installHooks } = await import(distUrl('loader/install-hooks.js'));

/**
 * Every call is counted the way the tracer counts a counted call: by the traced code itself, in its
 * function's countdown (transforms/probe-text.ts), which starts at START here, so enter() is not
 * called; the calls of a function are how far its countdown went down.
 */
const START = 2 ** 30;
let countdowns = new Int32Array(1024).fill(START);
/** Calls of the stretches that ran out (enter() below). */
let spent = 0;
let functions = 0;
let modules = 0;
const publish = () =>
  Object.defineProperty(globalThis, '__memtrace$d', { value: countdowns, enumerable: false, configurable: true, writable: true });
publish();

const runtime = {
  enter(id) {
    // A countdown that ran out (2^30 calls of one function): a new stretch, its calls kept in `spent`.
    spent += START;
    countdowns[id] = START;
    return -1;
  },
  exit(frame) {},
  thrown(frame) {},
  suspend(value, frame) {
    return value;
  },
  resume(value, frame) {
    return value;
  },
  resumed(frame) {},
  line(frame, line) {},
  register(file, entries) {
    const first = functions;
    functions += entries.length;
    modules++;
    if (functions > countdowns.length) {
      const grown = new Int32Array(Math.max(functions, countdowns.length * 2)).fill(START);
      grown.set(countdowns);
      countdowns = grown;
      publish();
    }
    return first;
  },
};
Object.defineProperty(globalThis, '__memtrace$', { value: runtime, enumerable: false, configurable: true, writable: true });

// The same hooks as memtrace/register, around the timed transformer.
installHooks(benchTransformer(), new URL('./bare-esm-hooks.js', import.meta.url));

if (process.env.BENCH_STATS) {
  const statsPath = process.env.BENCH_STATS;
  process.on('exit', () => {
    let calls = spent;
    for (let i = 0; i < functions; i++) calls += START - countdowns[i];
    appendFileSync(statsPath, `C\t${calls}\t${functions}\t${modules}\n`);
  });
}
