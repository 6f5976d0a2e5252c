/**
 * The heap-snapshot bench: `node bench/heap/run.js [--quick] [--runs N] [--sizes 100,1000] [--data DIR] [--out DIR]`.
 *
 * Generates snapshots of about 100 MB and 1 GB (generate.js; kept in bench/heap/data/, which git
 * ignores, and reused while the generator and its unit count are unchanged), then times parse +
 * dominators + summary by constructor with memtrace (memtrace-analyze.js) and with memlab
 * (memlab-analyze.js) on the same files, each run in its own child process, the two tools
 * alternating run after run. Reports the median time of each phase and the process's peak RSS,
 * and the ratios memtrace / memlab, as a table and as DIR/heap.csv (bench/results, or
 * bench/results/quick with --quick). Both tools run with the same --max-old-space-size (16 GiB: a
 * ceiling that memlab needs on 1 GB, not memory either uses).
 *
 * --quick: one ~20 MB snapshot, one run each (a smoke test, ~1 min). Full: 3 runs on 100 MB and
 * 1 run on 1 GB (~10 min on 2 cores; the 1 GB generator needs ~4 GB of memory, memlab ~5 GB).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { median } from '../common.js';

const heapDir = fileURLToPath(new URL('.', import.meta.url));
const benchDir = join(heapDir, '..');
const rootDir = join(benchDir, '..');

const SIZES = {
  20: { label: '20 MB', units: 5_000 },
  100: { label: '100 MB', units: 26_000 },
  1000: { label: '1 GB', units: 270_000 },
};
const HEAP_LIMIT = '--max-old-space-size=16384';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    sizes: { type: 'string' },
    data: { type: 'string', default: join(heapDir, 'data') },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write('usage: node bench/heap/run.js [--quick] [--runs N] [--sizes 100,1000] [--data DIR] [--out DIR]\n');
  process.exit(0);
}
const sizes = (values.sizes ?? (values.quick ? '20' : '100,1000')).split(',').map(Number);
for (const size of sizes) if (!SIZES[size]) fail(`--sizes: ${size} is not one of ${Object.keys(SIZES).join(', ')}`);
const runsFor = (size) => Number(values.runs ?? (values.quick || size >= 1000 ? 1 : 3));
const outDir = values.out ?? join(benchDir, 'results', ...(values.quick ? ['quick'] : []));

function fail(message) {
  process.stderr.write(`bench/heap: ${message}\n`);
  process.exit(2);
}

function ensureReady() {
  if (!existsSync(join(rootDir, 'dist', 'src', 'index.js'))) fail('dist/ is missing: run `npm run build` first');
  if (!existsSync(join(benchDir, 'node_modules', '@memlab', 'core', 'package.json'))) {
    process.stdout.write("bench/heap: installing bench/'s dependencies (@memlab/core): npm --prefix bench install\n");
    const result = spawnSync('npm', ['--prefix', benchDir, 'install', '--no-audit', '--no-fund'], {
      stdio: 'inherit',
      env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
    });
    if (result.status !== 0) fail('npm --prefix bench install failed');
  }
}

/** The snapshot for `size`, generated unless one from the same generator and unit count exists. */
function snapshotFor(size) {
  const { units } = SIZES[size];
  const generator = readFileSync(join(heapDir, 'generate.js'));
  const version = createHash('sha256').update(generator).digest('hex').slice(0, 8);
  const file = join(values.data, `bench-${units}-${version}-node${process.versions.node.split('.')[0]}.heapsnapshot`);
  if (existsSync(file)) return file;
  mkdirSync(values.data, { recursive: true });
  process.stdout.write(`bench/heap: generating ${file} (${units} units)…\n`);
  const child = spawnSync(
    process.execPath,
    ['--max-old-space-size=8192', join(heapDir, 'generate.js'), '--units', String(units), '--out', file],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) fail(`generate.js exited with ${child.status ?? child.signal}: ${child.stderr}`);
  const result = JSON.parse(child.stdout.trim());
  process.stdout.write(`bench/heap:   ${(result.bytes / 1e6).toFixed(0)} MB written in ${result.writeS.toFixed(1)} s\n`);
  return file;
}

/**
 * A copy of dist/ for the run (bench/node_modules/.memtrace-heap/, where dist's imports of the root's
 * node_modules still resolve), so a rebuild while the bench runs cannot mix two builds.
 */
function snapshotDist() {
  const home = join(benchDir, 'node_modules', '.memtrace-heap');
  rmSync(home, { recursive: true, force: true });
  cpSync(join(rootDir, 'dist'), join(home, 'dist'), { recursive: true });
  cpSync(join(rootDir, 'package.json'), join(home, 'package.json'));
  return join(home, 'dist');
}

let benchDist;

function analyze(tool, file) {
  const script = join(heapDir, `${tool}-analyze.js`);
  const child = spawnSync(process.execPath, [HEAP_LIMIT, script, file], {
    cwd: benchDir,
    env: { ...process.env, BENCH_DIST: benchDist },
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  if (child.status !== 0) fail(`${tool} on ${file} exited with ${child.status ?? child.signal}:\n${child.stderr.slice(-2000)}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** The two tools must find the same objects: the count and self size of each class the generator makes. */
function checkAgreement(results, file) {
  if (results.memtrace[0].unavailable) return;
  const classes = (result) =>
    Object.fromEntries(result.classes.map(([name, count, selfSize]) => [name, `${count} objects, ${selfSize} bytes`]));
  const [a, b] = [classes(results.memtrace[0]), classes(results.memlab[0])];
  for (const name of Object.keys(b)) {
    if (a[name] !== b[name]) fail(`${file}: memtrace finds ${name}: ${a[name]}; memlab ${b[name]}`);
  }
}

ensureReady();
const loadAtStart = os.loadavg()[0].toFixed(2);
benchDist = snapshotDist();
const rows = [];
for (const size of sizes) {
  const file = snapshotFor(size);
  const runs = runsFor(size);
  const results = { memtrace: [], memlab: [] };
  for (let run = 0; run < runs; run++) {
    for (const tool of ['memtrace', 'memlab']) {
      process.stdout.write(`bench/heap: ${SIZES[size].label} ${tool} run ${run + 1}/${runs}… `);
      const result = analyze(tool, file);
      process.stdout.write(
        result.unavailable
          ? `not available: ${result.unavailable}\n`
          : `${result.totalS.toFixed(2)} s, ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB\n`,
      );
      results[tool].push(result);
    }
  }
  checkAgreement(results, file);
  const summarize = (tool) => {
    const list = results[tool];
    if (list[0].unavailable) return { tool, unavailable: list[0].unavailable };
    return {
      tool,
      nodes: list[0].nodes,
      parseS: median(list.map((r) => r.parseS)),
      dominatorsS: median(list.map((r) => r.dominatorsS)),
      summaryS: median(list.map((r) => r.summaryS)),
      totalS: median(list.map((r) => r.totalS)),
      peakRssBytes: median(list.map((r) => r.peakRssBytes)),
    };
  };
  const memtrace = summarize('memtrace');
  const memlab = summarize('memlab');
  for (const row of [memtrace, memlab]) {
    if (row.unavailable) {
      rows.push({
        snapshot: SIZES[size].label,
        snapshot_bytes: statSync(file).size,
        nodes: memlab.nodes,
        tool: `${row.tool} (NOT MEASURED: ${row.unavailable})`,
        runs: 0,
      });
      continue;
    }
    rows.push({
      snapshot: SIZES[size].label,
      snapshot_bytes: statSync(file).size,
      nodes: row.nodes,
      tool: row.tool,
      runs,
      parse_s: row.parseS.toFixed(3),
      dominators_s: row.dominatorsS.toFixed(3),
      summary_s: row.summaryS.toFixed(3),
      total_s: row.totalS.toFixed(3),
      peak_rss_bytes: row.peakRssBytes,
      time_vs_memlab: (row.totalS / memlab.totalS).toFixed(3),
      rss_vs_memlab: (row.peakRssBytes / memlab.peakRssBytes).toFixed(3),
    });
  }
}

const columns = Object.keys(rows.find((r) => r.runs > 0));
mkdirSync(outDir, { recursive: true });
// csv-stringify from memtrace's own dependencies (the root node_modules), as the tool writes its CSV.
writeFileSync(join(outDir, 'heap.csv'), stringify(rows, { header: true, columns }));
writeFileSync(
  join(outDir, 'heap-environment.csv'),
  stringify(
    [
      ['date', new Date().toISOString()],
      ['node', process.version],
      ['cpus', `${os.cpus().length} x ${os.cpus()[0]?.model}`],
      ['memory_bytes', os.totalmem()],
      ['loadavg_1min_at_start', loadAtStart],
      ['loadavg_1min_at_end', os.loadavg()[0].toFixed(2)],
      ['memlab', JSON.parse(readFileSync(join(benchDir, 'node_modules', '@memlab', 'core', 'package.json'), 'utf8')).version],
      ['heap_limit', HEAP_LIMIT],
    ],
    { header: true, columns: ['key', 'value'] },
  ),
);

const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
const line = (cells) => cells.map((cell, i) => String(cell ?? '').padStart(widths[i])).join('  ');
process.stdout.write(`\n${line(columns)}\n${rows.map((r) => line(columns.map((c) => r[c]))).join('\n')}\n`);
process.stdout.write(`\nbench/heap: written ${join(outDir, 'heap.csv')}\n`);
