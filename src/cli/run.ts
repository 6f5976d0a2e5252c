/**
 * `memtrace run`: runs node with memtrace/register preloaded through NODE_OPTIONS (so child processes
 * and worker threads are traced too, each into its own directory), with the settings from the flags
 * as MEMTRACE_* variables. The program's exit code (or signal) passes through.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { parseBytes } from '../shared/sizes.js';
import { readMeta } from '../formats/meta.js';
import { formatBytes } from '../shared/units.js';
import { settingsFromEnv, settingsToEnv, type Settings } from '../shared/settings.js';
import { UsageError } from './command.js';
import { findTraces, readTrace } from '../formats/trace-directory.js';
import { renderTopFunctions } from '../report/top-functions.js';
import { hasAllocations, readAllocationRun } from '../formats/allocation-run.js';
import { renderTopAllocationLines } from '../alloc/top-lines.js';
import { oomNote } from '../report/oom-note.js';
import { nativeEnv, finishNativeRecords } from './native-run.js';

export interface RunFlags {
  out?: string;
  include?: string[];
  exclude?: string[];
  trigger?: string;
  lines?: boolean;
  exact?: boolean;
  counters?: string;
  alloc?: boolean;
  /** Sample allocations without the tracer (implies alloc). */
  allocOnly?: boolean;
  allocInterval?: string;
  allocDepth?: string;
  maxTraceSize?: string;
  /** Exit 1 when a traced process's heap peaked over this many bytes (a size such as 512MiB). */
  failOver?: string;
  /** Write oom-report/ into a trace directory when its process nears V8's heap limit or its cgroup's memory limit. */
  oomReport?: boolean;
  /** 'auto' (default) or 'never': whether the OOM report may take a heap snapshot. */
  oomSnapshot?: string;
  /** Record native allocations (malloc) with the LD_PRELOAD tracker. */
  native?: boolean;
  /** Mean bytes between native samples (a size; 0: every allocation). */
  nativeInterval?: string;
}

/** Node options that take their value as the next argument. */
const OPTIONS_WITH_VALUE = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
  '--env-file',
  '--title',
]);
/** Node options NODE_OPTIONS refuses: they go on the command line of the traced process only. */
const COMMAND_LINE_ONLY = new Set(['--env-file']);
/** Code given on the command line stands for the program (`memtrace run -- -e "require('./app')"`). */
const CODE_OPTIONS = new Set(['-e', '--eval', '-p', '--print']);

/**
 * Splits `[node options…] program args…`. Each option keeps its value as a word of its own (`-r x`:
 * NODE_OPTIONS refuses `-r=x`); `nodeOptions` go into NODE_OPTIONS, `commandLine` ahead of the program.
 */
function splitNodeOptions(command: string[]): { nodeOptions: string[]; commandLine: string[]; program: string; args: string[] } {
  const nodeOptions: string[] = [];
  const commandLine: string[] = [];
  let i = 0;
  while (i < command.length && command[i].startsWith('-')) {
    const option = command[i++];
    if (CODE_OPTIONS.has(option) && i < command.length)
      return { nodeOptions, commandLine: [...commandLine, option], program: command[i], args: command.slice(i + 1) };
    const words = OPTIONS_WITH_VALUE.has(option) && i < command.length ? [option, command[i++]] : [option];
    (COMMAND_LINE_ONLY.has(option.split('=')[0]) ? commandLine : nodeOptions).push(...words);
  }
  if (i >= command.length) throw new UsageError('memtrace run: name the program to trace after the node options');
  return { nodeOptions, commandLine, program: command[i], args: command.slice(i + 1) };
}

function quoteOption(option: string): string {
  return /[\s"]/.test(option) ? `"${option.replace(/(["\\])/g, '\\$1')}"` : option;
}

/** The line --fail-over prints when a traced process's heap peaked over `limit`, or undefined. */
function peakOver(directories: string[], limit: number): string | undefined {
  let worst: { directory: string; peak: number } | undefined;
  for (const directory of directories) {
    let peak: number | undefined;
    try {
      peak = readMeta(join(directory, 'meta.json')).events.peakHeapUsed;
    } catch {
      continue; // a process that left no meta.json is reported above as incomplete
    }
    if (peak !== undefined && peak > limit && (!worst || peak > worst.peak)) worst = { directory, peak };
  }
  return worst && `memtrace: the heap peaked at ${formatBytes(worst.peak)}, over --fail-over ${formatBytes(limit)} (${worst.directory})`;
}

export const REGISTER_URL = new URL('../../loader/register.js', import.meta.url).href;

/**
 * The environment of the traced program: memtrace's settings from the flags (checked here, so a bad
 * flag is one line from memtrace rather than from every process), and NODE_OPTIONS with memtrace's
 * --import after the program's own node options.
 */
function tracedEnvironment(flags: RunFlags, out: string, nodeOptions: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  Object.assign(
    env,
    settingsToEnv({
      out,
      ...(flags.include ? { include: flags.include } : {}),
      ...(flags.exclude ? { exclude: flags.exclude } : {}),
      ...(flags.lines ? { lines: true } : {}),
      ...(flags.exact ? { exact: true } : {}),
    } as Partial<Settings>),
  );
  if (flags.trigger !== undefined) env.MEMTRACE_TRIGGER = flags.trigger;
  if (flags.counters !== undefined) env.MEMTRACE_COUNTERS = flags.counters;
  if (flags.alloc || flags.allocOnly) env.MEMTRACE_ALLOC = '1';
  if (flags.allocOnly) env.MEMTRACE_ALLOC_LINES = '0';
  if (flags.allocInterval !== undefined) env.MEMTRACE_ALLOC_INTERVAL = flags.allocInterval;
  if (flags.allocDepth !== undefined) env.MEMTRACE_ALLOC_DEPTH = flags.allocDepth;
  if (flags.maxTraceSize !== undefined) env.MEMTRACE_MAX_TRACE_SIZE = flags.maxTraceSize;
  if (flags.oomReport) env.MEMTRACE_OOM_REPORT = '1';
  if (flags.oomSnapshot !== undefined) env.MEMTRACE_OOM_SNAPSHOT = flags.oomSnapshot;
  // Statements come from line probes whose positions V8's frames are matched to through Node's source maps.
  const allocNodeOptions = flags.alloc && !flags.allocOnly ? ['--enable-source-maps'] : [];
  if (allocNodeOptions.length > 0) env.MEMTRACE_SOURCE_MAPS = '1';
  settingsFromEnv(env);
  // Node options before the program (`-- --import tsx app.ts`) go into NODE_OPTIONS ahead of
  // memtrace's own --import, so other loaders run first (memtrace instruments their output), in this
  // process and in its children alike.
  env.NODE_OPTIONS = [env.NODE_OPTIONS ?? '', ...allocNodeOptions, ...nodeOptions.map(quoteOption), `--import=${REGISTER_URL}`]
    .join(' ')
    .trim();
  return env;
}

/** What each new trace directory holds, in a few lines: its top allocations or functions, an OOM report. */
function summariseTraces(written: string[]): void {
  for (const directory of written) {
    try {
      if (hasAllocations(directory)) process.stderr.write(renderTopAllocationLines(readAllocationRun(directory), 10));
      else process.stderr.write(renderTopFunctions(readTrace(directory), 10));
    } catch {
      process.stderr.write(`memtrace: wrote ${directory} (incomplete)\n`);
    }
    try {
      const oom = oomNote(directory);
      if (oom) process.stderr.write(`${oom}\n`);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
    }
  }
}

export function runTraced(command: string[], flags: RunFlags): Promise<number> {
  const out = resolve(flags.out ?? process.env.MEMTRACE_OUT ?? '.');
  const { nodeOptions, commandLine, program, args } = splitNodeOptions(command);
  const env = tracedEnvironment(flags, out, nodeOptions);
  const native = nativeEnv(flags, out, env);
  Object.assign(env, native);

  const failOver = flags.failOver === undefined ? undefined : parseBytes(flags.failOver);
  if (failOver === undefined && flags.failOver !== undefined)
    throw new UsageError(`memtrace run: --fail-over ${JSON.stringify(flags.failOver)} is not a size (512MiB, 1GB, 268435456)`);

  const before = new Set(findTraces(out));
  const child = spawn(process.execPath, [...commandLine, program, ...args], { env, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((done) => {
    child.on('error', (error) => {
      process.stderr.write(`memtrace: cannot run ${program}: ${error.message}\n`);
      done(127);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      const written = findTraces(out).filter((d) => !before.has(d));
      summariseTraces(written);
      // V8's fatal errors (an OOM among them) abort the program: the status a shell would report,
      // without aborting memtrace itself (no core file of memtrace's, nothing to confuse with the program's).
      if (signal === 'SIGABRT') {
        done(128 + constants.signals.SIGABRT);
        return;
      }
      // Only where the tracker was loaded: without it (one line said why) there is nothing to finish.
      if (native.MEMTRACE_NATIVE_DIR) finishNativeRecords(out, written);
      if (signal) {
        process.kill(process.pid, signal);
        return;
      }
      const over = failOver === undefined ? undefined : peakOver(written, failOver);
      if (over) process.stderr.write(`${over}\n`);
      // The program's own failure comes first; a clean exit over the limit becomes 1.
      done(code === 0 && over ? 1 : (code ?? 1));
    });
  });
}
