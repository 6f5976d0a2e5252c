/**
 * Notices, once, that the process is about to die of memory: its V8 heap at the limit, or its
 * resident set near its cgroup's memory limit. Nothing here runs per traced call.
 *
 * With the native addon (native/oom-watch.cc): V8's near-heap-limit callback, which V8 calls only
 * when it would otherwise end the process ("Reached heap limit"); the limit is raised by `headroom`
 * bytes and the callback below runs from an interrupt at the program's next stack check, so even a
 * synchronous loop that never yields gets its report. A thread of the addon compares the RSS with the
 * cgroup's limit every 10 ms.
 *
 * Without it (MEMTRACE_NO_NATIVE=1, no addon for this Node): a 'gc' PerformanceObserver compares the
 * used heap (old and young generation: see heapUsedAgainstLimit) with 80 % of V8's old-generation
 * limit (V8 gives up on "ineffective mark-compacts" from about 85 %) and the RSS with the cgroup's.
 * Its entries arrive when the event loop turns, so a program that runs out of memory inside one
 * synchronous task gets no report; the limit is not raised either, so the report must fit in the
 * last 20 %.
 */
import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadNativeAddon } from '../shared/native-addon.js';
import type { OomTrigger } from '../formats/oom-report.js';

export interface NearLimit {
  trigger: OomTrigger;
  detection: 'native' | 'js';
  /** Bytes V8's heap limit was raised by to make room for the report (0: not raised). */
  raisedBy: number;
  /** V8's old-generation limit when it was reached ('heap-limit' only: what --max-old-space-size sets). */
  oldSpaceLimit?: number;
  /** The RSS that passed the cgroup's share ('cgroup' only; the report reads it again later). */
  rssAtTrigger?: number;
}

export interface WatchOptions {
  /** Bytes to raise V8's heap limit by when it is reached, so the report can be written. */
  headroom: number;
  /** The RSS (bytes) past which the cgroup's limit counts as near; undefined: none. */
  rssLimit: number | undefined;
}

/** How often the pure-JS watch looks at the heap between GCs, ms (a look costs ~10 µs). */
const POLL_INTERVAL_MS = 10;

/** The used heap's share of V8's limit past which the pure-JS watch reports. */
export const POLL_HEAP_SHARE = 0.8;

/**
 * What V8 holds against its old-generation limit: the old generation's used bytes and the young
 * generation's too, which V8 must be able to promote (a scavenge that cannot is a full GC, and one
 * that still cannot is the end). The young generation is no small share where the limit is small:
 * Node 24's holds up to 32 MiB. Counting the old generation alone, grow-chunks-async.mjs under
 * --max-old-space-size=64 on Node 24 was at 75 % after one mark-compact and 87 % after the next,
 * with ~8 MiB young, and died before the observer's entry for that GC arrived (1 run in ~60 with two
 * test suites running at once, 2026-12-07).
 */
function heapUsedAgainstLimit(): number {
  return v8.getHeapSpaceStatistics().reduce((sum, s) => sum + s.space_used_size, 0);
}

/**
 * V8's old-generation limit: --max-old-space-size where given (the command line or NODE_OPTIONS), else
 * heap_size_limit less the young generation's reserve (three semi-spaces: 48 MiB on Node 20's V8 11,
 * 192 MiB on Node 24's V8 13, as heap_size_limit less --max-old-space-size reads on each).
 */
export function oldGenerationLimit(): number {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const given = flags
    .map((flag) => /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(flag))
    .filter((m) => m !== null)
    .pop();
  if (given) return Number(given[1]) * 1024 * 1024;
  const youngReserve = Number(process.versions.v8.split('.')[0]) >= 13 ? 192 * 1024 * 1024 : 48 * 1024 * 1024;
  return v8.getHeapStatistics().heap_size_limit - youngReserve;
}

interface WatchBinding {
  watchHeapLimit(callback: (trigger: string, figure: number, limit: number) => void, headroom: number, rssLimit: number): boolean;
  unwatchHeapLimit(): void;
}

/** Calls `onNear` once, as the process nears a limit; returns how it watches. */
export function watchNearLimit(onNear: (event: NearLimit) => void, options: WatchOptions): 'native' | 'js' {
  const binding = loadNativeAddon() as Partial<WatchBinding> | null;
  if (typeof binding?.watchHeapLimit === 'function') {
    const watching = binding.watchHeapLimit(
      (trigger, figure, limit) =>
        onNear(
          trigger === 'heap-limit'
            ? { trigger, detection: 'native', raisedBy: limit - figure, oldSpaceLimit: figure }
            : { trigger: trigger as OomTrigger, detection: 'native', raisedBy: 0, rssAtTrigger: figure },
        ),
      options.headroom,
      options.rssLimit ?? 0,
    );
    if (watching) return 'native';
  }
  let fired = false;
  const oldSpaceLimit = oldGenerationLimit();
  const check = (): void => {
    if (fired) return;
    const rss = options.rssLimit !== undefined ? process.memoryUsage.rss() : 0;
    const trigger: OomTrigger | undefined =
      heapUsedAgainstLimit() >= POLL_HEAP_SHARE * oldSpaceLimit
        ? 'heap-limit-poll'
        : options.rssLimit !== undefined && rss > options.rssLimit
          ? 'cgroup'
          : undefined;
    if (!trigger) return;
    fired = true;
    observer.disconnect();
    clearInterval(poll);
    onNear({ trigger, detection: 'js', raisedBy: 0, ...(trigger === 'heap-limit-poll' ? { oldSpaceLimit } : { rssAtTrigger: rss }) });
  };
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  // Between two GCs the heap can grow by a whole young generation (16-32 MiB): more than the last
  // 20 % of a small limit. The timer looks in between, wherever the event loop turns.
  const poll = setInterval(check, POLL_INTERVAL_MS);
  poll.unref();
  return 'js';
}
