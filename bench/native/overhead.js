// --native's overhead: the workload's own time under `memtrace run` without --native (the baseline),
// with --native at the default interval, and with --native-interval 0, alternated run by run in one
// session; medians and ratios to the baseline. Results: docs/performance.md.
//   node bench/native/overhead.js [--runs 5] [--scale 1] [--workload buffers|pool]
// buffers (workload.cjs): Buffers, zlib and hashing, synchronous. pool (pool-workload.cjs): fs, zlib and
// crypto requests on libuv's threadpool, where --native also follows who queued each request.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'dist', 'src', 'cli', 'main.js');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    scale: { type: 'string', default: '1' },
    workload: { type: 'string', default: 'buffers' },
  },
});
const workloads = { buffers: 'workload.cjs', pool: 'pool-workload.cjs' };
if (!(values.workload in workloads)) throw new Error(`--workload: buffers or pool, not ${values.workload}`);
const variants = {
  'memtrace run': [],
  'run --native': ['--native'],
  'run --native-interval 64KiB': ['--native', '--native-interval', '64KiB'],
  'run --native-interval 0': ['--native', '--native-interval', '0'],
};
const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let run = 0; run < Number(values.runs); run++) {
  for (const [name, flags] of Object.entries(variants)) {
    const out = mkdtempSync(join(tmpdir(), 'memtrace-native-bench-'));
    const result = spawnSync(
      process.execPath,
      [cli, 'run', ...flags, '--out', out, '--', join(here, workloads[values.workload]), values.scale],
      {
        encoding: 'utf8',
      },
    );
    rmSync(out, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`${name}: ${result.stderr}`);
    times[name].push(Number(result.stdout.trim().split('\n').at(-1)));
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const base = median(times['memtrace run']);
console.log(`Node ${process.version}, ${values.workload}, ${values.runs} runs, scale ${values.scale}`);
for (const [name, list] of Object.entries(times)) {
  console.log(
    `${name.padEnd(30)} ${median(list).toFixed(0).padStart(7)} ms  ${(median(list) / base).toFixed(2)}x  (${list.map((v) => v.toFixed(0)).join(' ')})`,
  );
}
