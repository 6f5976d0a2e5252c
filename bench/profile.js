/**
 * Where a variant spends its time: `node bench/profile.js WORKLOAD [VARIANT] [SCALE] [TOP]` runs one
 * workload (default variant full, scale 1) under `node --cpu-prof` and prints the functions with the
 * most self time on the main thread, then the same grouped by file. The .cpuprofile is kept (path
 * printed) for Chrome DevTools or speedscope.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseEnvironment, variants } from './variants.js';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const rootDir = fileURLToPath(new URL('..', import.meta.url));
const [workload, variantName = 'full', scale = '1', top = '25'] = process.argv.slice(2);
const VARIANTS = variants();
const variant = VARIANTS.find((v) => v.name === variantName);
if (!workload || !variant) {
  process.stderr.write(`usage: node bench/profile.js WORKLOAD [${VARIANTS.map((v) => v.name).join('|')}] [SCALE] [TOP]\n`);
  process.exit(2);
}

const tmp = mkdtempSync(join(os.tmpdir(), 'memtrace-profile-'));
const profDir = join(tmp, 'prof');
const env = { ...baseEnvironment(), ...variant.env, MEMTRACE_CACHE_DIR: join(tmp, 'cache'), MEMTRACE_OUT: join(tmp, 'trace') };
const script = join(benchDir, 'workloads', `${workload}.js`);
const run = (args) => spawnSync(process.execPath, [...variant.args, ...args, script, scale], { cwd: benchDir, env, encoding: 'utf8' });
run([]); // warm the transform cache
const child = run(['--cpu-prof', '--cpu-prof-dir', profDir]);
if (child.status !== 0) {
  process.stderr.write(child.stderr);
  process.exit(1);
}
process.stdout.write(child.stdout);
rmSync(join(tmp, 'trace'), { recursive: true, force: true });

// Main thread's profile: CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, thread 0.
const file = readdirSync(profDir).find((name) => name.split('.')[4] === '0');
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const total = profile.samples.length;
const byFunction = new Map();
const byFile = new Map();
for (const node of profile.nodes) {
  const samples = counts.get(node.id) ?? 0;
  if (samples === 0) continue;
  const frame = node.callFrame;
  let url = frame.url.replace(/^file:\/\//, '');
  if (url.startsWith('/')) url = relative(rootDir, url);
  const name = `${frame.functionName || '(anonymous)'}  ${url || '(native)'}${frame.lineNumber >= 0 && url ? `:${frame.lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + samples);
  byFile.set(url || frame.functionName, (byFile.get(url || frame.functionName) ?? 0) + samples);
}
const print = (title, map, limit) => {
  process.stdout.write(`\n${title} (${total} samples)\n`);
  for (const [name, samples] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    process.stdout.write(`${((100 * samples) / total).toFixed(1).padStart(5)} %  ${name}\n`);
  }
};
print(`self time by function, ${workload} (${variant.name})`, byFunction, Number(top));
print('self time by file', byFile, 15);
process.stdout.write(`\nprofile: ${join(profDir, file)}\n`);
