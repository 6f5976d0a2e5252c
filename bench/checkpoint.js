/**
 * What one checkpoint of the summaries costs the writer thread: `node bench/checkpoint.js [--rounds R]`.
 * For 100, 1,000 and 10,000 functions with realistic names and figures, times the change check (run
 * every second) and a whole checkpoint (functions.csv formatted with the names' quoting cached, as the
 * writer thread keeps it, meta.json built, both written through a temporary file and renamed), wall
 * and CPU time, median of R rounds. The traced thread pays none of it (src/writer/summaries.ts); the
 * end-to-end ratio is the `no-checkpoints` variant of bench/run.js.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, writeCsv } from './common.js';
import { distUrl } from './dist-path.js';

const args = process.argv.slice(2);
const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 31;
const { FunctionStats } = await import(distUrl('src/runtime/function-stats.js'));
const { buildMeta, functionsCsv, writeSummaries, statsSignature } = await import(distUrl('src/writer/summaries.js'));
const { WriterState } = await import(distUrl('src/writer/writer-state.js'));

const rows = [];
for (const n of [100, 1000, 10000]) {
  const stats = new FunctionStats();
  stats.ensure(n);
  const functions = [];
  for (let i = 0; i < n; i++) {
    functions.push({
      name: `Parser.method${i}`,
      file: `/home/user/project/node_modules/lib/src/module${i % 50}.js`,
      line: i + 1,
      column: 3,
    });
    for (let field = 1; field < 9; field++) stats.set(i, field, 1e6 + i * field * 1234.5);
  }
  const state = new WriterState();
  const quoted = new Map();
  const dir = mkdtempSync(join(tmpdir(), 'memtrace-checkpoint-bench-'));
  const wall = [],
    cpu = [],
    check = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    statsSignature(stats, n);
    check.push(performance.now() - t0);
    t0 = performance.now();
    const c0 = process.cpuUsage();
    const meta = buildMeta({ version: 1, settings: {} }, { measuredCalls: r, writerWaits: 0, functions: n }, state, 'checkpoint');
    writeSummaries(dir, functionsCsv(stats, functions, new Set(), quoted), meta, false);
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1e3);
  }
  rmSync(dir, { recursive: true, force: true });
  rows.push({
    functions: n,
    checkpoint_wall_ms: median(wall).toFixed(2),
    checkpoint_cpu_ms: median(cpu).toFixed(2),
    change_check_ms: median(check).toFixed(3),
  });
}
console.table(rows);
writeCsv(fileURLToPath(new URL('./results/', import.meta.url)), 'checkpoint', rows);
