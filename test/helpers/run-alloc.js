// Runs `memtrace run --alloc …` on a fixture in a child process and reads the run directory back.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findTraces, hasAllocations, readAllocationRun } from '../../dist/src/index.js';
import { cliPath, freshDir } from './run-traced.js';

export const MiB = 1024 * 1024;

/** `memtrace run [flags] -- [nodeArgs] file`; returns the process result and the first run directory read back. */
export function runAlloc(file, { flags = ['--alloc', '--lines'], nodeArgs = [], env = {} } = {}) {
  const out = freshDir('memtrace-alloc-');
  const result = spawnSync(process.execPath, [cliPath, 'run', ...flags, '--out', out, '--', ...nodeArgs, file], {
    env: { ...process.env, MEMTRACE_CACHE_DIR: join(out, '.cache'), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  // The main thread's directory (Node 20's loader hooks thread may leave one without allocations).
  const directories = findTraces(out).filter(hasAllocations);
  return { ...result, out, directory: directories[0], run: directories.length > 0 ? readAllocationRun(directories[0]) : undefined };
}

/** self bytes of allocations.csv rows at `file`:`line` (and `column` where given; any function), added up. */
export function bytesAt(run, fileEnd, line, column) {
  return run.allocations
    .filter((r) => r.file.endsWith(fileEnd) && r.line === line && (column === undefined || r.column === column))
    .reduce((sum, r) => sum + r.selfBytes, 0);
}
