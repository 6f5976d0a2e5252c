/**
 * memtrace benchmarks: `node bench/run.js [--quick] [--runs N] [--scale S] [--only a,b] [--sections LIST] [--out DIR]`
 * (`npm run bench` from the root). Installs bench/'s own dependencies first if they are missing.
 *
 * Every figure is a ratio against plain node measured in the same run, on call-heavy work of real npm
 * libraries (bench/workloads/*.js). Each workload runs in child processes, one variant after the other
 * and round after round (interleaved, so a burst of load on the machine hits every variant alike):
 *
 *   plain       node workload.js
 *   heap-prof   node --heap-prof (node's own sampling heap profiler, default 512 KiB interval)
 *   bare        the same instrumentation with probes that only count calls (bench/bare-runtime.js)
 *   full        memtrace/register, default settings
 *   exact       memtrace/register, MEMTRACE_EXACT=1 (memory read at every call)
 *   full-js     memtrace/register, MEMTRACE_COUNTERS=js (pure-JS counters even where the addon loads)
 *   js-probes   memtrace/register, MEMTRACE_COUNTERS=js-probes (native counters, the measured path in JS)
 *
 * Traced variants set MEMTRACE_INCLUDE='**' + '/*' (the libraries themselves are traced) and run with a
 * warm transform cache: one untimed warm-up run per variant (at a small scale) first. The median of N
 * runs (5; --quick: 1, at a quarter of the work) is reported, for the timed work section of the
 * workload (workMs) and for the whole process (wall, which adds start-up, transform-cache reads, the
 * tracer's calibration and its exit flush).
 *
 * Every child checks its checksum against plain node's: traced code must compute the same thing.
 * memtrace runs from a copy of dist/ taken at the start (bench/node_modules/.memtrace/), so a rebuild
 * during the run does not mix two builds; `npm run build` first.
 *
 * Sections, each printed as a table and written to DIR/<section>.csv (bench/results, or
 * bench/results/quick with --quick):
 *   summary     one row per workload: work-time ratios of every variant, full/bare, calls
 *   runtime     one row per workload and variant: medians of work, wall and CPU time (CPU: every
 *               thread of the process), ratios, ns added per traced call, measured calls, event rows
 *               and trace size, and how often the program waited for memtrace's writer thread
 *   transform   per workload (and three-libraries: acorn.js, handlebars.js and js-yaml.mjs in one
 *               process): bytes of source instrumented, transform ms and MB/s cold (MEMTRACE_CACHE=0;
 *               with oxc-parser, and with MEMTRACE_PARSER=babel) and warm (cache hit), measured inside
 *               the hooks; load-only process wall times
 *   instrument  instrument() throughput on each library's main file and TypeScript's typescript.js, with
 *               each parser
 * `--sections transform,instrument` runs only those (runtime = the summary and runtime tables).
 *   environment machine, node, date, memtrace revision, settings of this run
 *
 * `node bench/profile.js WORKLOAD [VARIANT]` shows where one variant spends its time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median, printTable, snapshotDist, writeCsv } from './common.js';
import { baseEnvironment, variants } from './variants.js';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const rootDir = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Options

/** runtime: the summary and runtime tables (the longest part); transform and instrument: the transform's cost. */
const SECTIONS = ['runtime', 'transform', 'instrument'];

function parseArguments(argv) {
  const options = {
    quick: false,
    runs: undefined,
    scale: undefined,
    only: undefined,
    out: undefined,
    sections: SECTIONS,
    variants: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--scale') options.scale = Number(value());
    else if (arg === '--only')
      options.only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (arg === '--out') options.out = value();
    else if (arg === '--variants')
      options.variants = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (arg === '--sections') {
      options.sections = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = options.sections.filter((s) => !SECTIONS.includes(s));
      if (unknown.length > 0 || options.sections.length === 0) fail(`--sections takes a list of ${SECTIONS.join(', ')}`);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        `usage: node bench/run.js [--quick] [--runs N] [--scale S] [--only acorn,marked,…] [--variants full,exact,…] [--sections ${SECTIONS.join(',')}] [--out DIR]\n`,
      );
      process.exit(0); // nothing started yet
    } else fail(`unknown option ${arg} (see --help)`);
  }
  options.runs ??= options.quick ? 1 : 5;
  options.scale ??= options.quick ? 0.25 : 1;
  options.out ??= join(benchDir, 'results', ...(options.quick ? ['quick'] : []));
  if (!(options.runs >= 1) || !Number.isInteger(options.runs)) fail('--runs must be a whole number, 1 or more');
  if (!(options.scale > 0)) fail('--scale must be a positive number');
  return options;
}

class BenchError extends Error {}

/** Stops the run (main() reports it, removes its temporary files and exits with 2). */
function fail(message) {
  throw new BenchError(message);
}

// ---------------------------------------------------------------------------------------------
// Set-up: bench's own dependencies, a built dist/

function ensureDependencies() {
  const pkg = JSON.parse(readFileSync(join(benchDir, 'package.json'), 'utf8'));
  const missing = Object.keys(pkg.devDependencies ?? {}).filter(
    (name) => !existsSync(join(benchDir, 'node_modules', name, 'package.json')),
  );
  if (missing.length === 0) return;
  process.stdout.write(`bench: installing bench/'s dependencies (${missing.join(', ')} missing): npm --prefix bench install\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // @memlab/core (bench/heap) depends on puppeteer, whose install would download a browser (refused here).
  const env = { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' };
  const result = spawnSync(npm, ['--prefix', benchDir, 'install', '--no-audit', '--no-fund'], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
    env,
  });
  if (result.status !== 0) fail(`npm --prefix bench install failed (${result.error?.message ?? `exit ${result.status}`})`);
}

/** Newest modification time and file count of dist/: a build during the run makes figures mixed. */
function distFingerprint(dist) {
  let newest = 0;
  let files = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        files++;
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  walk(dist);
  return `${files}@${new Date(newest).toISOString()}`;
}

function gitRevision() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: rootDir, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'loader', 'transforms', 'native'], {
    cwd: rootDir,
    encoding: 'utf8',
  });
  return `${head.stdout.trim()}${dirty.stdout?.trim() ? ' + uncommitted changes in src/loader/transforms/native' : ''}`;
}

function ensureBuilt() {
  for (const file of [
    'dist/loader/register.js',
    'dist/loader/transform-module.js',
    'dist/transforms/instrument.js',
    'dist/src/shared/settings.js',
  ]) {
    if (!existsSync(join(rootDir, file))) fail(`${file} is missing: run \`npm run build\` first`);
  }
}

// ---------------------------------------------------------------------------------------------
// Workloads and variants

/** Workloads, with each library's main file for the instrument() micro-bench. */
const WORKLOADS = [
  { name: 'acorn', main: ['acorn/dist/acorn.js', 'script'] },
  { name: 'marked', main: ['marked/lib/marked.esm.js', 'module'] },
  { name: 'handlebars', main: ['handlebars/dist/handlebars.js', 'script'] },
  { name: 'js-yaml', main: ['js-yaml/dist/js-yaml.mjs', 'module'] },
  // The three one-file libraries of issue #2's example loaded by one program (no instrument() micro-bench:
  // its files are the three above).
  { name: 'three-libraries' },
];

// ---------------------------------------------------------------------------------------------
// Running one child

let tmp;
let childCount = 0;
/** The variants, running memtrace from the snapshot (set in main). */
let VARIANTS = variants();
let benchDist;

/**
 * Runs `node [args] workloads/NAME.js scale` and returns its result line, the wall time, the bare
 * runtime's stats (calls, modules transformed) and the tracer's meta.json where there is one.
 */
function runChild(workload, variant, scale, extraEnv = {}) {
  const id = ++childCount;
  const statsPath = join(tmp, `stats-${id}.txt`);
  const traceDir = join(tmp, `trace-${id}`);
  const heapDir = join(tmp, `heap-${id}`);
  const env = { ...baseEnvironment(), ...variant.env, ...extraEnv, MEMTRACE_CACHE_DIR: join(tmp, 'cache') };
  if (variant.bare) env.BENCH_STATS = statsPath;
  if (variant.tracer) env.MEMTRACE_OUT = traceDir;
  const args = [...variant.args];
  if (variant.heapProf) args.push('--heap-prof-dir', heapDir);
  args.push(join(benchDir, 'workloads', `${workload.name}.js`), String(scale));
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: benchDir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - start;
  if (child.status !== 0) {
    fail(
      `${workload.name} (${variant.name}) exited with ${child.status ?? child.signal}${child.error ? ` (${child.error.message})` : ''}\n${child.stderr}`,
    );
  }
  const lines = child.stdout.trim().split('\n');
  let result;
  try {
    result = JSON.parse(lines[lines.length - 1]);
  } catch {
    fail(`${workload.name} (${variant.name}) printed no result line:\n${child.stdout}\n${child.stderr}`);
  }
  const run = { workMs: result.workMs, workCpuMs: result.workCpuMs, wallMs, checksum: result.checksum, stderr: child.stderr };
  if (existsSync(statsPath)) {
    run.stats = parseStats(readFileSync(statsPath, 'utf8'));
    rmSync(statsPath);
  }
  if (existsSync(traceDir)) {
    const dirs = readdirSync(traceDir).filter((name) => name.startsWith('memtrace-'));
    if (dirs.length !== 1) fail(`${workload.name} (${variant.name}) wrote ${dirs.length} trace directories`);
    const dir = join(traceDir, dirs[0]);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    run.trace = {
      counters: meta.counters,
      measuredCalls: meta.events?.measuredCalls ?? NaN,
      rows: meta.events?.rowsWritten ?? NaN,
      writerWaits: meta.events?.writerWaits ?? NaN,
      bytes: directorySize(dir),
    };
    rmSync(traceDir, { recursive: true, force: true });
  } else if (variant.tracer) {
    fail(`${workload.name} (${variant.name}) wrote no trace:\n${child.stderr}`);
  }
  if (variant.heapProf) {
    if (!existsSync(heapDir) || readdirSync(heapDir).length === 0) fail(`${workload.name} (heap-prof) wrote no .heapprofile`);
    rmSync(heapDir, { recursive: true, force: true });
  }
  return run;
}

/** The bare runtime's BENCH_STATS lines: T bytes ms file (one per module), C calls functions modules. */
function parseStats(text) {
  const stats = { files: [], calls: NaN, functions: NaN, modules: NaN };
  for (const line of text.split('\n')) {
    const [kind, a, b, c] = line.split('\t');
    if (kind === 'T') stats.files.push({ bytes: Number(a), ms: Number(b), file: c });
    else if (kind === 'C') Object.assign(stats, { calls: Number(a), functions: Number(b), modules: Number(c) });
  }
  return stats;
}

function directorySize(dir) {
  let bytes = 0;
  for (const name of readdirSync(dir)) bytes += statSync(join(dir, name)).size;
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function fixed(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : '';
}

const ratio = (value) => fixed(value, 2);
const ms = (value) => fixed(value, 0);
const mb = (value) => fixed(value, 2);

function section(dir, name, title, rows) {
  if (rows.length === 0) return;
  printTable(title, rows);
  writeCsv(dir, name, rows);
}

function progress(text) {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${text}`);
  else process.stdout.write(`${text}\n`);
}

// ---------------------------------------------------------------------------------------------
// Sections

/** Runtime: every variant of one workload, warm-up first, then N interleaved rounds. */
function benchRuntime(workload, options) {
  const warmupScale = Math.min(options.scale, 0.05);
  for (const variant of VARIANTS.filter((v) => v.traced)) {
    progress(`${workload.name}: warm-up ${variant.name}`);
    runChild(workload, variant, warmupScale);
  }
  const runs = new Map(VARIANTS.map((v) => [v.name, []]));
  for (let round = 0; round < options.runs; round++) {
    for (const variant of VARIANTS) {
      progress(`${workload.name}: run ${round + 1}/${options.runs} ${variant.name}`);
      runs.get(variant.name).push(runChild(workload, variant, options.scale));
    }
  }
  // Traced and plain must compute the same thing.
  const expected = runs.get('plain')[0].checksum;
  for (const [name, list] of runs) {
    for (const run of list) {
      if (run.checksum !== expected) fail(`${workload.name}: checksum of ${name} is ${run.checksum}, plain printed ${expected}`);
    }
  }
  const figures = new Map();
  for (const [name, list] of runs) {
    figures.set(name, {
      workMs: median(list.map((r) => r.workMs)),
      workCpuMs: median(list.map((r) => r.workCpuMs)),
      wallMs: median(list.map((r) => r.wallMs)),
      calls: median(list.map((r) => r.stats?.calls ?? NaN)),
      counters: list[0].trace?.counters ?? '',
      measuredCalls: median(list.map((r) => r.trace?.measuredCalls ?? NaN)),
      rows: median(list.map((r) => r.trace?.rows ?? NaN)),
      traceBytes: median(list.map((r) => r.trace?.bytes ?? NaN)),
      writerWaits: median(list.map((r) => r.trace?.writerWaits ?? NaN)),
    });
  }
  return { checksum: expected, figures };
}

/** Transform cost: load-only runs, plain vs bare with a cold (MEMTRACE_CACHE=0) and a warm cache. */
function benchTransform(workload, options) {
  const runs = Math.min(options.runs, 3);
  const load = { BENCH_LOAD_ONLY: '1' };
  const plain = VARIANTS.find((v) => v.name === 'plain');
  const bare = VARIANTS.find((v) => v.name === 'bare');
  progress(`${workload.name}: transform warm-up`);
  runChild(workload, bare, options.scale, load);
  const cold = [];
  const coldBabel = [];
  const warm = [];
  const plainRuns = [];
  for (let round = 0; round < runs; round++) {
    progress(`${workload.name}: transform ${round + 1}/${runs}`);
    plainRuns.push(runChild(workload, plain, options.scale, load));
    cold.push(runChild(workload, bare, options.scale, { ...load, MEMTRACE_CACHE: '0' }));
    coldBabel.push(runChild(workload, bare, options.scale, { ...load, MEMTRACE_CACHE: '0', MEMTRACE_PARSER: 'babel' }));
    warm.push(runChild(workload, bare, options.scale, load));
  }
  const files = cold[0].stats.files;
  const libraryFiles = files.filter((f) => f.file.includes('/node_modules/'));
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const libraryBytes = libraryFiles.reduce((sum, f) => sum + f.bytes, 0);
  const transformMs = (list) => median(list.map((run) => run.stats.files.reduce((sum, f) => sum + f.ms, 0)));
  const coldMs = transformMs(cold);
  const coldBabelMs = transformMs(coldBabel);
  const warmMs = transformMs(warm);
  return {
    workload: workload.name,
    files: files.length,
    library_files: libraryFiles.length,
    kb: fixed(bytes / 1024, 0),
    library_kb: fixed(libraryBytes / 1024, 0),
    cold_ms: ms(coldMs),
    cold_mb_s: mb(bytes / 1e6 / (coldMs / 1000)),
    cold_babel_ms: ms(coldBabelMs),
    cold_babel_mb_s: mb(bytes / 1e6 / (coldBabelMs / 1000)),
    warm_ms: fixed(warmMs, 1),
    warm_mb_s: mb(bytes / 1e6 / (warmMs / 1000)),
    load_plain_ms: ms(median(plainRuns.map((r) => r.wallMs))),
    load_warm_ms: ms(median(warm.map((r) => r.wallMs))),
    load_cold_ms: ms(median(cold.map((r) => r.wallMs))),
    load_cold_babel_ms: ms(median(coldBabel.map((r) => r.wallMs))),
  };
}

/** instrument() on each library's main file and on typescript.js, each in a fresh process. */
function benchInstrument(workloads, options) {
  const targets = workloads.map((w) => ({ label: w.main[0], file: join(benchDir, 'node_modules', w.main[0]), sourceType: w.main[1] }));
  const typescript = join(rootDir, 'node_modules/typescript/lib/typescript.js');
  if (existsSync(typescript)) targets.push({ label: 'typescript/lib/typescript.js', file: typescript, sourceType: 'script' });
  else process.stdout.write('bench: node_modules/typescript is not installed at the root: typescript.js left out\n');
  const rows = [];
  for (const target of targets)
    for (const parser of ['auto', 'babel']) {
      progress(`instrument: ${target.label} (${parser})`);
      const big = statSync(target.file).size > 1e6;
      const runs = options.quick ? 1 : big ? 3 : 5;
      const child = spawnSync(
        process.execPath,
        [join(benchDir, 'instrument-bench.js'), target.file, target.sourceType, String(runs), parser],
        {
          cwd: benchDir,
          env: { ...baseEnvironment(), BENCH_DIST: benchDist },
          encoding: 'utf8',
          maxBuffer: 16 << 20,
        },
      );
      if (child.status !== 0) fail(`instrument-bench on ${target.label} failed:\n${child.stderr}`);
      const r = JSON.parse(child.stdout.trim().split('\n').pop());
      const rate = (msValue) => mb(r.bytes / 1e6 / (msValue / 1000));
      rows.push({
        file: target.label,
        parser: r.parser,
        kb: fixed(r.bytes / 1024, 0),
        functions: r.functions,
        first_ms: ms(r.firstMs),
        first_mb_s: rate(r.firstMs),
        first_cpu_ms: ms(r.firstCpuMs),
        first_cpu_mb_s: rate(r.firstCpuMs),
        warm_ms: ms(r.warmMs),
        warm_mb_s: rate(r.warmMs),
        warm_cpu_mb_s: rate(r.warmCpuMs),
        parse_only_mb_s: rate(r.parseMs),
        parse_share: fixed(r.parseMs / r.warmMs, 2),
      });
    }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Main

function cpuModel() {
  try {
    const text = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout ?? '';
    const match = /^Model name:\s*(.+)$/m.exec(text);
    if (match) return match[1].trim();
  } catch {
    // fall through
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function main() {
  const options = parseArguments(process.argv.slice(2));
  ensureDependencies();
  ensureBuilt();
  const workloads = options.only ? WORKLOADS.filter((w) => options.only.includes(w.name)) : WORKLOADS;
  if (workloads.length === 0) fail(`--only matched no workload (have ${WORKLOADS.map((w) => w.name).join(', ')})`);
  mkdirSync(options.out, { recursive: true });
  const distBefore = distFingerprint(join(rootDir, 'dist'));
  const revision = gitRevision();
  tmp = mkdtempSync(join(os.tmpdir(), 'memtrace-bench-'));
  const snapshotHome = join(benchDir, 'node_modules', '.memtrace');
  benchDist = snapshotDist(rootDir, snapshotHome);
  VARIANTS = variants(benchDist);
  if (options.variants) {
    // plain and bare always run: every ratio is over one of them.
    const unknown = options.variants.filter((name) => !VARIANTS.some((v) => v.name === name));
    if (unknown.length > 0) fail(`--variants: no variant ${unknown.join(', ')} (have ${VARIANTS.map((v) => v.name).join(', ')})`);
    VARIANTS = VARIANTS.filter((v) => v.name === 'plain' || v.name === 'bare' || options.variants.includes(v.name));
  }
  const started = new Date();
  const loadBefore = os.loadavg()[0];
  const t0 = performance.now();
  process.stdout.write(
    `memtrace bench: ${workloads.map((w) => w.name).join(', ')}; ${options.runs} run(s) per variant, scale ${options.scale}; node ${process.version}; load average ${loadBefore.toFixed(2)}\n`,
  );
  if (loadBefore > 0.5) process.stdout.write('bench: the machine is busy (load average > 0.5): ratios are noisier than usual\n');

  try {
    const summary = [];
    const runtime = [];
    for (const workload of options.sections.includes('runtime') ? workloads : []) {
      const { checksum, figures } = benchRuntime(workload, options);
      const plain = figures.get('plain');
      const bare = figures.get('bare');
      const calls = bare.calls;
      for (const [name, f] of figures) {
        runtime.push({
          workload: workload.name,
          variant: name,
          work_ms: ms(f.workMs),
          wall_ms: ms(f.wallMs),
          cpu_ms: ms(f.workCpuMs),
          work_x_plain: ratio(f.workMs / plain.workMs),
          cpu_x_plain: ratio(f.workCpuMs / plain.workCpuMs),
          wall_x_plain: ratio(f.wallMs / plain.wallMs),
          work_x_bare: name === 'plain' || name === 'heap-prof' ? '' : ratio(f.workMs / bare.workMs),
          ns_per_call: name === 'plain' ? '' : fixed(((f.workMs - plain.workMs) * 1e6) / calls, 1),
          counters: f.counters,
          measured_calls_m: fixed(f.measuredCalls / 1e6, 2),
          rows_m: fixed(f.rows / 1e6, 2),
          trace_mb: fixed(f.traceBytes / 1e6, 1),
          writer_waits: fixed(f.writerWaits, 0),
          checksum,
        });
      }
      // A variant left out by --variants: an empty cell.
      const over = (name, base, key = 'workMs') => (figures.has(name) ? ratio(figures.get(name)[key] / base[key]) : '');
      summary.push({
        workload: workload.name,
        calls_m: fixed(calls / 1e6, 1),
        plain_ms: ms(plain.workMs),
        'heap-prof': over('heap-prof', plain),
        bare: over('bare', plain),
        full: over('full', plain),
        exact: over('exact', plain),
        'full-js': over('full-js', plain),
        'js-probes': over('js-probes', plain),
        full_x_bare: over('full', bare),
        'full-js_x_bare': over('full-js', bare),
        'js-probes_x_bare': over('js-probes', bare),
        full_wall: over('full', plain, 'wallMs'),
        counters: figures.get('full')?.counters ?? '',
      });
    }
    const transform = options.sections.includes('transform') ? workloads.map((w) => benchTransform(w, options)) : [];
    const instrumentRows = options.sections.includes('instrument')
      ? benchInstrument(
          workloads.filter((w) => w.main),
          options,
        )
      : [];
    progress('');

    if (summary.length > 0) {
      section(options.out, 'summary', 'Summary: work-section time over plain node (median of runs; full_wall: whole process)', summary);
      section(options.out, 'runtime', 'Runtime, every variant (ns_per_call: work time added per traced call, over plain)', runtime);
    }
    if (transform.length > 0)
      section(
        options.out,
        'transform',
        'Transform cost in the loader (bare runtime, load only): cold = MEMTRACE_CACHE=0 with oxc-parser, cold_babel = with MEMTRACE_PARSER=babel, warm = cache hit; MB = 10^6 bytes',
        transform,
      );
    if (instrumentRows.length > 0)
      section(
        options.out,
        'instrument',
        'instrument() throughput per parser (auto = oxc-parser), each file in a fresh process (first call cold, then median of warm calls)',
        instrumentRows,
      );

    const distAfter = distFingerprint(join(rootDir, 'dist'));
    if (distAfter !== distBefore)
      process.stdout.write(`\nbench: dist/ was rebuilt during the run; the figures are of the copy taken at the start (${distBefore})\n`);
    const environment = [
      { key: 'date', value: started.toISOString() },
      { key: 'node', value: process.version },
      { key: 'cpu', value: cpuModel() },
      { key: 'cores', value: String(os.availableParallelism?.() ?? os.cpus().length) },
      { key: 'memory_gib', value: (os.totalmem() / 2 ** 30).toFixed(1) },
      { key: 'platform', value: `${os.platform()} ${os.release()}` },
      { key: 'memtrace', value: revision },
      { key: 'dist', value: `${distBefore} (files@newest; copied at start)` },
      { key: 'runs', value: String(options.runs) },
      { key: 'scale', value: String(options.scale) },
      { key: 'load_before', value: loadBefore.toFixed(2) },
      { key: 'load_after', value: os.loadavg()[0].toFixed(2) },
      { key: 'seconds', value: ((performance.now() - t0) / 1000).toFixed(0) },
    ];
    section(options.out, 'environment', 'Environment', environment);
    const shown = relative(process.cwd(), options.out);
    process.stdout.write(
      `\nbench: results in ${shown.startsWith('..') ? options.out : shown || '.'}/, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(snapshotHome, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof BenchError)) throw error;
  process.stderr.write(`\nbench: ${error.message}\n`);
  process.exitCode = 2;
}
