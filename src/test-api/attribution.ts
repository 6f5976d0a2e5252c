/**
 * Where a limited block's memory came from: V8's sampling heap profiler (src/alloc/sampler.ts) runs
 * while the block runs, and only then. When the block stays under its limit the samples are dropped
 * unread (which spares the full GC that reading them costs); only a failure builds them into
 * statistics (src/alloc/build.ts, loaded then) for its message: the top statements where memtrace's line probes run (`memtrace run --lines`), else the top
 * functions, and the largest stack.
 *
 * Statements need the tracer's line probes: without them V8 names functions, not statements.
 */
import type { SamplingHeapProfile } from '../formats/heap-profile.js';
import type { LineSource } from '../alloc/line-source.js';
import { discardSampler, readSamplingProfile, samplerRunning, startSampler, stopSampler } from '../alloc/sampler.js';

/** Coarser than traceAllocations' 16 KiB: the sampler runs inside timed tests (docs/testing.md). */
export const LIMIT_SAMPLING_INTERVAL = 64 * 1024;
const STACK_DEPTH = 32;
const TOP = 5;

export interface Attribution {
  /**
   * Ends sampling for the block; call once, after the block's figure is read. `keep`: the block
   * failed and its samples will be described (reading them costs V8 a full GC); otherwise they are
   * dropped unread, with no GC.
   */
  end(keep: boolean): void;
  /** The text for a failure message, `exactBytes` shared out over the samples (after end(true)). */
  describe(exactBytes: number): Promise<string>;
}

/**
 * Starts sampling for one block: 'total' keeps the samples of collected objects (what the block
 * allocated), 'live' only those still alive. When a sampler runs already (`memtrace run --alloc`),
 * its samples after this moment are used and it is left running.
 */
export async function startAttribution(kind: 'total' | 'live'): Promise<Attribution> {
  const lineSource = await lineSourceIfTracing();
  const linesBefore = lineSource?.().totals;
  const own = !samplerRunning();
  let afterOrdinal = -1;
  if (own) startSampler({ samplingInterval: LIMIT_SAMPLING_INTERVAL, keepCollected: kind === 'total' });
  else afterOrdinal = lastOrdinal(readSamplingProfile());
  const running = samplerRunning()!;
  let profile: SamplingHeapProfile | undefined;
  let source: LineSource | undefined;
  let ended = false;
  const end = (keep: boolean): void => {
    if (ended) return;
    ended = true;
    if (!keep) {
      if (own) discardSampler();
      return;
    }
    source = lineSource?.();
    // A sampler someone else started may have been stopped meanwhile (two limited blocks at once).
    if (own || samplerRunning()) profile = own ? stopSampler() : readSamplingProfile();
  };
  return {
    end,
    async describe(exactBytes) {
      end(true);
      if (!profile)
        return '  (no samples: the allocation sampler this block shared with another limited block running at the same time had stopped)';
      const [{ buildSnapshot, lineTotalsBetween }, { FrameResolver }, { AllocationSnapshot }] = await Promise.all([
        import('../alloc/build.js'),
        import('../alloc/frames.js'),
        import('../alloc/allocation-snapshot.js'),
      ]);
      const lines = linesBefore && source?.totals ? lineTotalsBetween(linesBefore, source.totals) : undefined;
      const snapshot = new AllocationSnapshot(
        buildSnapshot(profile, {
          kind: running.keepCollected ? 'total' : 'live',
          samplingInterval: running.samplingInterval,
          stackDepth: STACK_DEPTH,
          resolver: new FrameResolver(source?.functions ?? []),
          afterOrdinal,
          ...(exactBytes > 0 ? { exactBytes } : {}),
          ...(lines
            ? { lineTotals: lines }
            : {
                noLinesReason:
                  source?.reason ?? "memtrace's loader is not running (`memtrace run --lines` adds statements): only functions are known",
              }),
        }),
      );
      const key = lines ? 'line' : 'function';
      const top = snapshot.statistics(key).slice(0, TOP);
      if (top.length === 0)
        return `  (no allocation sampled: the block allocated less than the ${LIMIT_SAMPLING_INTERVAL / 1024} KiB sampling interval, or outside the V8 heap)`;
      const stack = snapshot.statistics('stack')[0];
      return [
        `  top ${lines ? 'statements' : 'functions'} (sampled, ${running.keepCollected ? 'allocated' : 'still alive'}):`,
        ...top.map((s, i) => `    #${i + 1} ${s}`),
        ...(stack ? [`  largest stack: ${stack.label}`] : []),
      ].join('\n');
    },
  };
}

/** The tracer's line source, when memtrace's loader runs in this process (its modules are loaded then). */
async function lineSourceIfTracing(): Promise<(() => LineSource) | undefined> {
  if (!('__memtrace$' in globalThis)) return undefined;
  const { currentLineSource } = await import('../alloc/line-source.js');
  return currentLineSource;
}

function lastOrdinal(profile: SamplingHeapProfile): number {
  let last = -1;
  for (const sample of profile.samples) if (sample.ordinal > last) last = sample.ordinal;
  return last;
}
