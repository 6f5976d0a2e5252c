// Runs a fixture program that writes heap snapshots, and the memtrace CLI on them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, fixture } from '../helpers/run-traced.js';

export const heapFixture = (name) => fixture('heap', name);

/** Runs test/fixtures/heap/<program> with snapshot paths in a fresh directory; returns the paths. */
export function snapshotsOf(program, names = ['snapshot.heapsnapshot'], extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'memtrace-heap-'));
  const files = names.map((name) => join(dir, name));
  const result = spawnSync(process.execPath, [heapFixture(program), ...files, ...extraArgs], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${program} failed (${result.status}): ${result.stderr}`);
  return files;
}

export function memtraceHeap(args) {
  return spawnSync(process.execPath, [cliPath, 'heap', ...args], { encoding: 'utf8', timeout: 120_000 });
}
