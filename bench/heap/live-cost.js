/**
 * What the live-heap tools cost on heaps of different sizes:
 * `node bench/heap/live-cost.js [--quick] [--out DIR]`.
 *
 * For each heap size, a child process builds that much heap (records of a class, each with a string
 * and an array), then times, one after the other: writeSnapshot, sizeOf of one record (a snapshot
 * written and read back), one trackClass sample with a scan (Runtime.queryObjects: a full
 * collection) and one without (a sweep of the WeakRefs of the records, all made through its
 * tracker.Class). Prints a table and writes DIR/heap-live.csv (bench/results, or
 * bench/results/quick with --quick). Times in seconds; the medians of 3 rounds (1 for 2 M records
 * and with --quick).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { median, writeCsv } from '../common.js';
import { distUrl } from '../dist-path.js';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, out: { type: 'string' }, child: { type: 'string' } },
});

if (values.child) {
  // Child: build ~records x 200 bytes of heap, then time each tool.
  const memtrace = await import(distUrl('src/index.js').href);
  class WorkRecord {
    constructor(i) {
      this.name = `record-${i}`;
      this.values = [i, i + 1, i + 2];
    }
  }
  // Made through a scan-less tracker's stand-in class, so its sample sweeps one WeakRef per record.
  const registered = memtrace.trackClass(WorkRecord, { scan: false });
  const records = Array.from({ length: Number(values.child) }, (_, i) => new registered.Class(i));
  const dir = mkdtempSync(join(tmpdir(), 'memtrace-live-cost-'));
  const time = async (work) => {
    const start = performance.now();
    await work();
    return (performance.now() - start) / 1000;
  };
  const heapUsed = process.memoryUsage().heapUsed;
  const scanned = memtrace.trackClass(WorkRecord);
  const result = {
    heapUsed,
    writeSnapshotS: await time(() => memtrace.writeSnapshot(join(dir, 'w.heapsnapshot'))),
    sizeOfS: await time(() => memtrace.sizeOf(records[records.length >> 1])),
    sampleScanS: await time(() => scanned.sample()),
    sampleNoScanS: await time(() => registered.sample()),
    live: scanned.samples[0].live,
    registered: registered.samples[0].live,
  };
  await scanned.stop();
  await registered.stop();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const sizes = values.quick ? [50_000] : [50_000, 500_000, 2_000_000];
  const rows = [];
  for (const records of sizes) {
    const rounds = values.quick || records >= 1_000_000 ? 1 : 3;
    const runs = [];
    for (let round = 0; round < rounds; round++) {
      const child = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--child', String(records)], {
        encoding: 'utf8',
      });
      if (child.status !== 0) {
        process.stderr.write(`bench/heap/live-cost: child exited with ${child.status}: ${child.stderr}\n`);
        process.exit(2);
      }
      const result = JSON.parse(child.stdout.trim().split('\n').pop());
      if (result.live !== records || result.registered !== records)
        throw new Error(`the scan found ${result.live} records and registration ${result.registered}, not ${records}`);
      runs.push(result);
    }
    const pick = (key) => median(runs.map((r) => r[key]));
    rows.push({
      records,
      heap_used_bytes: pick('heapUsed'),
      write_snapshot_s: pick('writeSnapshotS').toFixed(3),
      size_of_s: pick('sizeOfS').toFixed(3),
      track_sample_scan_s: pick('sampleScanS').toFixed(3),
      track_sample_no_scan_s: pick('sampleNoScanS').toFixed(4),
      rounds,
    });
  }
  const outDir = values.out ?? join(benchDir, 'results', ...(values.quick ? ['quick'] : []));
  writeCsv(outDir, 'heap-live', rows);
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padStart(widths[i])).join('  ');
  process.stdout.write(`${line(columns)}\n${rows.map((r) => line(columns.map((c) => r[c]))).join('\n')}\n`);
  process.stdout.write(`bench/heap/live-cost: written ${join(outDir, 'heap-live.csv')}\n`);
}
