/**
 * `mkdir -p` that always ends. Node 20's `mkdirSync(path, { recursive: true })` spins at full CPU
 * forever where a parent exists but cannot hold the child: a path under /proc, or through a dangling
 * symlink. mkdir of the child says ENOENT, of the parent EEXIST, and Node's walk retries the child
 * without end (Node 24 returns the ENOENT). A user's `--out` can be such a path, so every directory
 * memtrace makes goes through here: once the parent exists, an ENOENT for the child is final.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirectory(path: string): void {
  const target = resolve(path);
  if (tryMake(target) !== 'ENOENT') return;
  const parent = dirname(target);
  if (parent === target) return void mkdirSync(target); // the root: its own error
  makeDirectory(parent);
  if (tryMake(target) === 'ENOENT') mkdirSync(target); // the parent exists now: its ENOENT, thrown
}

/** Makes one directory: done (it exists now, as a directory), or 'ENOENT'; any other error is thrown. */
function tryMake(target: string): 'done' | 'ENOENT' {
  try {
    mkdirSync(target);
    return 'done';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'ENOENT';
    if (code !== 'EEXIST') throw error;
    // Something is there: a directory (done), a file (EEXIST), or a symlink to nothing (stat's ENOENT).
    if (statSync(target).isDirectory()) return 'done';
    throw error;
  }
}
