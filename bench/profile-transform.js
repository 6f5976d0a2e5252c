/**
 * Where a cold transform spends its time: `node bench/profile-transform.js FILE module|script [auto|babel]`
 * runs instrument() once on FILE in a fresh process under `node --cpu-prof` (sampling every 50 µs) and
 * prints the main thread's self time by part: loading the parser, parsing (oxc-parser's native call,
 * or @babel/parser), moving oxc's AST to JavaScript (JSON.parse of the AST it returns), memtrace's
 * visitor (transforms/*.js), magic-string (edits and output), source maps, GC, and the rest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { distUrl } from './dist-path.js';

const [file, sourceType, parser = 'auto'] = process.argv.slice(2);
if (!file || !['module', 'script'].includes(sourceType) || !['auto', 'babel'].includes(parser)) {
  process.stderr.write('usage: node bench/profile-transform.js FILE module|script [auto|babel]\n');
  process.exit(2);
}
const tmp = mkdtempSync(join(os.tmpdir(), 'memtrace-profile-transform-'));
try {
  const script = join(tmp, 'once.mjs');
  writeFileSync(
    script,
    `import { readFileSync } from 'node:fs';
const source = readFileSync(${JSON.stringify(file)}, 'utf8');
const { instrument } = await import(${JSON.stringify(distUrl('transforms/instrument.js').href)});
const start = performance.now();
const result = instrument(source, { filename: ${JSON.stringify(file)}, sourceType: ${JSON.stringify(sourceType)}, parser: ${JSON.stringify(parser)} });
console.log(JSON.stringify({ parser: result.parser, bytes: Buffer.byteLength(source), ms: performance.now() - start }));
`,
  );
  const profDir = join(tmp, 'prof');
  const child = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', profDir, script], {
    encoding: 'utf8',
  });
  if (child.status !== 0) {
    process.stderr.write(child.stderr);
    process.exit(1);
  }
  const run = JSON.parse(child.stdout.trim());
  const profile = JSON.parse(readFileSync(join(profDir, readdirSync(profDir)[0]), 'utf8'));
  const parents = new Map();
  for (const node of profile.nodes) for (const id of node.children ?? []) parents.set(id, node);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const insideInstrument = (node) => {
    for (let n = node; n; n = parents.get(n.id))
      if (n.callFrame.functionName === 'instrument' && n.callFrame.url.endsWith('transforms/instrument.js')) return true;
    return false;
  };
  const part = (node) => {
    const { functionName, url } = node.callFrame;
    if (functionName === '(garbage collector)') return 'GC';
    let loading = false;
    for (let n = node; n; n = parents.get(n.id)) {
      const f = n.callFrame;
      if (/^node:internal\/modules\//.test(f.url) || f.functionName === 'require' || f.functionName === 'loadOxc') loading = true;
    }
    if (loading) return 'loading the parser and libraries';
    if (url.includes('/@babel/parser/')) return 'parse (@babel/parser)';
    // The native call shows as its JavaScript caller; JSON.parse as the function that calls it.
    if (url.includes('/oxc-parser/'))
      return /^parseSync/.test(functionName) ? 'parse (oxc-parser native call)' : 'AST transfer (JSON.parse of the AST oxc returns)';
    if (url.includes('/magic-string/')) return 'magic-string';
    if (url.includes('/@jridgewell/') || url.endsWith('source-maps.js')) return 'source maps';
    if (url.includes('/transforms/'))
      return process.env.PROFILE_DETAIL ? `memtrace ${functionName} ${url.split('/').pop()}` : 'memtrace visitor (transforms/)';
    return `other (${functionName || '(anonymous)'})`;
  };
  const sums = new Map();
  const interval = new Map();
  for (let i = 0; i < profile.samples.length; i++) interval.set(i, (profile.timeDeltas[i + 1] ?? 0) / 1000);
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    if (!insideInstrument(node) && node.callFrame.functionName !== '(garbage collector)') continue;
    const key = part(node);
    sums.set(key, (sums.get(key) ?? 0) + interval.get(i));
  }
  const rows = [...sums].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((s, [, v]) => s + v, 0);
  process.stdout.write(
    `${file}: ${(run.bytes / 1024).toFixed(0)} KiB, parser ${run.parser}, first call ${run.ms.toFixed(1)} ms (${(run.bytes / 1e6 / (run.ms / 1000)).toFixed(2)} MB/s); profiled ${total.toFixed(1)} ms:\n`,
  );
  const shown = rows.filter(([, v]) => v >= 0.5);
  for (const [key, value] of shown)
    process.stdout.write(`  ${value.toFixed(1).padStart(8)} ms  ${((100 * value) / total).toFixed(0).padStart(3)} %  ${key}\n`);
  const rest = total - shown.reduce((s, [, v]) => s + v, 0);
  if (rest > 0)
    process.stdout.write(`  ${rest.toFixed(1).padStart(8)} ms  ${((100 * rest) / total).toFixed(0).padStart(3)} %  (parts under 0.5 ms)\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
