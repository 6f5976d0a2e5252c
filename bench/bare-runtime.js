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

let counts = new Float64Array(1024);
let functions = 0;
let modules = 0;

const runtime = {
  enter(id) {
    counts[id]++;
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
    if (functions > counts.length) {
      const grown = new Float64Array(Math.max(functions, counts.length * 2));
      grown.set(counts);
      counts = grown;
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
    let calls = 0;
    for (let i = 0; i < functions; i++) calls += counts[i];
    appendFileSync(statsPath, `C\t${calls}\t${functions}\t${modules}\n`);
  });
}
