// Shared by the report tests: a real sampling heap profile of a fixture program, from `node --heap-prof`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, freshDir } from '../helpers/run-traced.js';

export const allocators = fixture('report', 'allocators.mjs');

/** Bytes the fixture keeps: an array of 128 doubles is 128 × 8 bytes of elements plus a 16-byte header. */
export const ARRAY_BYTES = 128 * 8 + 16;
export const CACHE_BYTES = 16 * 1024 * ARRAY_BYTES;
export const INDEX_BYTES = 2 * 1024 * ARRAY_BYTES;

/** Runs `program` under `node --heap-prof` (4 KiB sampling interval: buildIndex gets ~500 samples, so its figure is within ~5 % rather than ~12 %) into `dir`; returns the profile's path. */
export function heapProfileOf(program = allocators, dir = freshDir('memtrace-heapprof-')) {
  const result = spawnSync(process.execPath, ['--heap-prof', `--heap-prof-dir=${dir}`, '--heap-prof-interval=4096', program], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node --heap-prof ${program} failed: ${result.stderr}`);
  const files = readdirSync(dir).filter((name) => name.endsWith('.heapprofile'));
  if (files.length !== 1) throw new Error(`expected one .heapprofile in ${dir}, found ${files.join(', ') || 'none'}`);
  return join(dir, files[0]);
}

export function findNode(root, name) {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node.name === name) return node;
    stack.push(...node.children);
  }
  return undefined;
}
