/**
 * Settings of a trace, from MEMTRACE_* environment variables (what `memtrace run` sets from its flags).
 * A bad value stops with a one-line error naming the variable and what it accepts.
 */
import { parseBytes } from './sizes.js';
import picomatch from 'picomatch';
import { SettingError } from './errors.js';

export interface Settings {
  /** Directory under which each process writes its own memtrace-<pid>-<time>/. */
  out: string;
  /** Globs over file paths of modules to trace; empty means everything outside node_modules. */
  include: string[];
  exclude: string[];
  /** events.csv gets a row where heap or allocated bytes moved by at least this many bytes; 0: every event. */
  trigger: number;
  lines: boolean;
  exact: boolean;
  /** Minimum interval between RSS readings on event rows (ms). */
  rssIntervalMs: number;
  /**
   * 'js' forces the pure-JS counters even where the native addon is built; 'js-probes' keeps the
   * native counters but runs the measured path of the probes in JS (as before the addon had it: for
   * comparison, and a way out should the native path misbehave).
   */
  counters: 'auto' | 'js' | 'js-probes';
  /** Cache instrumented modules on disk (keyed by source hash, memtrace version and settings). */
  cache: boolean;
  cacheDir: string | undefined;
  /** Write a source map for instrumented code (always when Node's source maps are on). */
  sourceMaps: boolean;
  /** The transform's parser: 'auto' (oxc-parser where its binding loads, else @babel/parser) or 'babel'. */
  parser: 'auto' | 'babel';
  /** Sample allocations with V8's sampling heap profiler for the whole run (`memtrace run --alloc`). */
  alloc: boolean;
  /**
   * With `alloc` (and without `lines`): the tracer runs too, and samples the statements of the
   * functions that allocate, so the sampler's bytes get their statements. false (`--alloc-only`): the
   * sampler alone, at the cost of `node --heap-prof`, with functions only.
   */
  allocLines: boolean;
  /** Mean bytes between two allocation samples. */
  allocInterval: number;
  /** Frames kept per sampled stack (the innermost). */
  allocDepth: number;
  /** Cap on events.csv and its rotated files together, in bytes (0: no cap). */
  maxTraceSize: number;
  /** Interval of the summaries' checkpoints while the program runs (ms; 0: only at start and end). */
  checkpointMs: number;
  /** Write an OOM report (oom-report/ in the trace directory) when the heap or the cgroup limit is near (`memtrace run --oom-report`). */
  oomReport: boolean;
  /** 'auto': the OOM report takes a heap snapshot where there is room for one; 'never': it does not. */
  oomSnapshot: 'auto' | 'never';
}

export const SETTING_VARIABLES = {
  out: 'MEMTRACE_OUT',
  include: 'MEMTRACE_INCLUDE',
  exclude: 'MEMTRACE_EXCLUDE',
  trigger: 'MEMTRACE_TRIGGER',
  lines: 'MEMTRACE_LINES',
  exact: 'MEMTRACE_EXACT',
  rssIntervalMs: 'MEMTRACE_RSS_INTERVAL_MS',
  counters: 'MEMTRACE_COUNTERS',
  cache: 'MEMTRACE_CACHE',
  cacheDir: 'MEMTRACE_CACHE_DIR',
  sourceMaps: 'MEMTRACE_SOURCE_MAPS',
  parser: 'MEMTRACE_PARSER',
  alloc: 'MEMTRACE_ALLOC',
  allocLines: 'MEMTRACE_ALLOC_LINES',
  allocInterval: 'MEMTRACE_ALLOC_INTERVAL',
  allocDepth: 'MEMTRACE_ALLOC_DEPTH',
  maxTraceSize: 'MEMTRACE_MAX_TRACE_SIZE',
  checkpointMs: 'MEMTRACE_CHECKPOINT_MS',
  oomReport: 'MEMTRACE_OOM_REPORT',
  oomSnapshot: 'MEMTRACE_OOM_SNAPSHOT',
} as const;

/** Node's own --heap-prof-interval default, so the two compare at the same interval. */
export const DEFAULT_ALLOC_INTERVAL = 512 * 1024;
export const DEFAULT_ALLOC_DEPTH = 128;

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const v = SETTING_VARIABLES;
  return {
    out: env[v.out] || process.cwd(),
    include: globs(v.include, env[v.include]),
    exclude: globs(v.exclude, env[v.exclude]),
    trigger: wholeNumber(v.trigger, env[v.trigger], 4096),
    lines: flag(v.lines, env[v.lines], false),
    exact: flag(v.exact, env[v.exact], false),
    rssIntervalMs: wholeNumber(v.rssIntervalMs, env[v.rssIntervalMs], 10),
    counters: choice(v.counters, env[v.counters], ['auto', 'js', 'js-probes'] as const, 'auto'),
    cache: flag(v.cache, env[v.cache], true),
    cacheDir: env[v.cacheDir] || undefined,
    sourceMaps: flag(v.sourceMaps, env[v.sourceMaps], Boolean(process.sourceMapsEnabled)),
    parser: choice(v.parser, env[v.parser], ['auto', 'babel'] as const, 'auto'),
    alloc: flag(v.alloc, env[v.alloc], false),
    allocLines: flag(v.allocLines, env[v.allocLines], true),
    allocInterval: positiveNumber(v.allocInterval, env[v.allocInterval], DEFAULT_ALLOC_INTERVAL),
    allocDepth: positiveNumber(v.allocDepth, env[v.allocDepth], DEFAULT_ALLOC_DEPTH),
    maxTraceSize: size(v.maxTraceSize, env[v.maxTraceSize], MIN_MAX_TRACE_SIZE),
    checkpointMs: wholeNumber(v.checkpointMs, env[v.checkpointMs], 1000, 'a whole number of milliseconds, 0 or more'),
    oomReport: flag(v.oomReport, env[v.oomReport], false),
    oomSnapshot: choice(v.oomSnapshot, env[v.oomSnapshot], ['auto', 'never'] as const, 'auto'),
  };
}

/** Whether the transform puts line probes before statements (`--lines`, or `--alloc` with its statements). */
export function lineProbesOn(settings: Pick<Settings, 'lines' | 'alloc' | 'allocLines'>): boolean {
  return settings.lines || (settings.alloc && settings.allocLines);
}

/**
 * Which statements get a line probe: all (`--lines`), those that can allocate (`--alloc`: statement
 * sampling, transforms/allocating.ts), or none.
 */
export function lineProbeKind(settings: Pick<Settings, 'lines' | 'alloc' | 'allocLines'>): boolean | 'allocating' {
  return settings.lines ? true : lineProbesOn(settings) ? 'allocating' : false;
}

/** The environment that makes a child process (or `--import memtrace/register`) trace with `settings`. */
export function settingsToEnv(settings: Partial<Settings>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, name] of Object.entries(SETTING_VARIABLES)) {
    const value = settings[key as keyof Settings];
    if (value === undefined) continue;
    env[name] = Array.isArray(value) ? value.join(',') : typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  }
  return env;
}

function wholeNumber(name: string, value: string | undefined, fallback: number, accepts = 'a whole number of bytes, 0 or more'): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim())) throw new SettingError(name, value, accepts);
  return Number(value);
}

/** The smallest --max-trace-size: four events files of 64 KiB. */
export const MIN_MAX_TRACE_SIZE = 256 * 1024;

/** A size such as 500MB or 2GiB (0 or empty: none), at least `min`. */
function size(name: string, value: string | undefined, min: number): number {
  if (value === undefined || value.trim() === '') return 0;
  const bytes = parseBytes(value);
  if (bytes === undefined || (bytes !== 0 && bytes < min))
    throw new SettingError(name, value, `a size such as 500MB or 2GiB, at least ${min / 1024} KiB (0: no cap)`);
  return bytes;
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new SettingError(name, value, 'a whole number, 1 or more');
  return Number(value);
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new SettingError(name, value, 'one of 1, 0, true, false');
}

function choice<T extends string>(name: string, value: string | undefined, accepted: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if ((accepted as readonly string[]).includes(value)) return value as T;
  throw new SettingError(name, value, `one of ${accepted.join(', ')}`);
}

function globs(name: string, value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const patterns = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const pattern of patterns) {
    try {
      picomatch.scan(pattern, { parts: true });
      picomatch(pattern);
    } catch (error) {
      throw new SettingError(name, value, `comma-separated globs (${(error as Error).message})`);
    }
  }
  return patterns;
}
