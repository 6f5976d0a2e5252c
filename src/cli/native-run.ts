/**
 * `memtrace run --native`: the environment that preloads the allocation tracker into the program and
 * its children, and, once the program ended, its records turned into CSVs in each trace directory
 * (src/native/convert.ts) with the top native owners printed. Where the tracker cannot be loaded: one
 * line, and the run goes on without it.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseBytes } from '../shared/sizes.js';
import { UsageError } from './command.js';
import { nativeTrackerPath } from '../native/tracker-path.js';
import { convertNativeRecord } from '../native/convert.js';
import { renderNativeOwners } from '../report/native-owners.js';
import { MemtraceError } from '../shared/errors.js';
import { makeDirectory } from '../shared/make-directory.js';

export const DEFAULT_NATIVE_INTERVAL = 256 * 1024;

/** The variables that turn the tracker on, or {} (with a line on stderr where it cannot be loaded). */
export function nativeEnv(
  flags: { native?: boolean; nativeInterval?: string; counters?: string },
  out: string,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  if (!flags.native) {
    if (flags.nativeInterval !== undefined)
      throw new UsageError('memtrace run: --native-interval sets the sampling of --native: add --native');
    return {};
  }
  const interval = flags.nativeInterval === undefined ? DEFAULT_NATIVE_INTERVAL : parseBytes(flags.nativeInterval);
  if (interval === undefined)
    throw new UsageError(
      `memtrace run: --native-interval ${JSON.stringify(flags.nativeInterval)} is not a size (256KiB, 1MB, 0 for every allocation)`,
    );
  const tracker = nativeTrackerPath();
  if ('missing' in tracker) {
    process.stderr.write(`memtrace: --native: the native allocation tracker cannot be loaded (${tracker.missing}); running without it\n`);
    return {};
  }
  if (flags.counters === 'js' || flags.counters === 'js-probes') {
    process.stderr.write(
      `memtrace: --native: with --counters ${flags.counters} no allocation carries its JS function (the tracker reads the shadow stack of the addon's measured path)\n`,
    );
  }
  // The tracker opens its record in `out` at the program's first malloc, before memtrace's runtime
  // would create the directory: without it, nothing would be recorded.
  try {
    makeDirectory(out);
  } catch (error) {
    process.stderr.write(
      `memtrace: --native: cannot create ${out} (${(error as NodeJS.ErrnoException).code}); running without the tracker\n`,
    );
    return {};
  }
  return {
    LD_PRELOAD: [env.LD_PRELOAD, tracker.path].filter(Boolean).join(' '),
    MEMTRACE_NATIVE_DIR: out,
    MEMTRACE_NATIVE_INTERVAL: String(interval),
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Converts the native record of each trace directory written by the run, prints each one's top owners,
 * and removes the records of processes memtrace did not trace (a shell the program ran, say): they have
 * no JS functions to attribute to.
 */
export function finishNativeRecords(out: string, written: readonly string[]): void {
  for (const directory of written) {
    try {
      if (convertNativeRecord(directory)) process.stderr.write(renderNativeOwners(directory, 10));
    } catch (error) {
      if (!(error instanceof MemtraceError)) throw error;
      process.stderr.write(`memtrace: --native: ${error.message}\n`);
    }
  }
  let others = 0;
  for (const file of readdirSync(out)) {
    const match = /^native-(\d+)\.raw$/.exec(file);
    // A process still running is another run's (two runs sharing --out): its record is not ours to remove.
    if (!match || isRunning(Number(match[1]))) continue;
    rmSync(join(out, file), { force: true });
    others++;
  }
  if (others > 0)
    process.stderr.write(
      `memtrace: --native: left out ${others} process${others === 1 ? '' : 'es'} that memtrace did not trace (not Node)\n`,
    );
}
