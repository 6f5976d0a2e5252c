/**
 * `memtrace run --alloc` (MEMTRACE_ALLOC=1): V8's sampler on for the whole run of each thread,
 * collected objects' samples kept; at exit the run directory gets allocations.csv, stacks.csv and the
 * profile as .heapprofile, speedscope and pprof (formats/allocation-run.ts lists them). The tracer
 * runs too and tells the statements, from sampled line probes (every statement's with `--lines`);
 * with `--alloc-only` only the sampler runs (the cost of `node --heap-prof`) and statements are left
 * empty. Files are written at exit and on SIGINT/SIGTERM/SIGHUP.
 */
import { TraceWriteError } from '../shared/errors.js';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { atomicWrite, traceDirectoryName } from '../formats/trace-directory.js';
import { lineProbesOn, type Settings } from '../shared/settings.js';
import { VERSION } from '../shared/version.js';
import { formatAllocationsCsv, allocationRowsOf } from '../formats/allocations-csv.js';
import { ALLOCATION_FILES, ALLOCATION_META_VERSION, type AllocationMeta } from '../formats/allocation-run.js';
import { formatHeapProfile, type SamplingHeapProfile } from '../formats/heap-profile.js';
import { compensatedHeapProfile } from './compensated-profile.js';
import { encodePprof, pprofOf } from '../formats/pprof.js';
import { formatSpeedscope, speedscopeOf } from '../formats/speedscope.js';
import { formatStacksCsv, stackRowsOf } from '../formats/stacks-csv.js';
import { buildSnapshot } from './build.js';
import { FrameResolver } from './frames.js';
import { currentLineSource } from './line-source.js';
import { readSamplingProfile, samplerRunning, startSampler, stopSampler } from './sampler.js';
import { allocatedSoFar } from '../runtime/counters.js';
import { onProcessEnd } from '../runtime/exit-hooks.js';
import { makeDirectory } from '../shared/make-directory.js';

export interface RunRecording {
  /** Writes the files of what was sampled so far and goes on sampling; returns the directory. */
  flush(): string | undefined;
  /** Stops sampling and writes the files (once); returns the directory. */
  finish(): string | undefined;
}

/**
 * Starts sampling. `directory`: where to write (the tracer's directory when it runs), else a new
 * memtrace-<pid>-<time>/ under settings.out.
 */
export function startRunRecording(settings: Settings, directory?: () => string): RunRecording {
  const startTime = new Date();
  startSampler({ samplingInterval: settings.allocInterval, keepCollected: true });
  const allocatedAtStart = allocatedSoFar();
  if (lineProbesOn(settings)) currentLineSource();
  let done = false;
  const write = (profile: SamplingHeapProfile): string => {
    const exactBytes = allocatedSoFar() - allocatedAtStart;
    const target = directory?.() ?? traceDirectoryName(settings.out, startTime);
    makeDirectory(target);
    const source = currentLineSource();
    const resolver = new FrameResolver(source.functions);
    const data = buildSnapshot(profile, {
      kind: 'total',
      samplingInterval: settings.allocInterval,
      stackDepth: settings.allocDepth,
      resolver,
      exactBytes,
      ...(source.totals
        ? { lineTotals: source.totals, sampledLines: source.sampled }
        : { noLinesReason: source.reason ?? 'no line probes ran' }),
    });
    const rows = allocationRowsOf(data);
    atomicWrite(join(target, ALLOCATION_FILES.table), formatAllocationsCsv(rows));
    atomicWrite(join(target, ALLOCATION_FILES.stacks), formatStacksCsv(stackRowsOf(data.frames, data.stacks)));
    atomicWrite(join(target, ALLOCATION_FILES.heapProfile), formatHeapProfile(compensatedHeapProfile(profile, resolver)));
    atomicWrite(
      join(target, ALLOCATION_FILES.speedscope),
      formatSpeedscope(speedscopeOf(data, `memtrace allocations of pid ${process.pid}`, `memtrace ${VERSION}`)),
    );
    atomicWrite(join(target, ALLOCATION_FILES.pprof), encodePprof(pprofOf(data, startTime)));
    const meta: AllocationMeta = {
      version: ALLOCATION_META_VERSION,
      memtrace: VERSION,
      node: process.version,
      pid: process.pid,
      threadId,
      argv: process.argv,
      startTime: startTime.toISOString(),
      endTime: new Date().toISOString(),
      samplingInterval: settings.allocInterval,
      stackDepth: settings.allocDepth,
      kind: 'total',
      lines: data.lines,
      compensation: data.compensation,
      scale: data.scale,
      allocatedBytes: exactBytes,
      sampledBytes: data.traces.reduce((sum, t) => sum + t.bytes, 0),
      samples: data.traces.reduce((sum, t) => sum + t.count, 0),
    };
    atomicWrite(join(target, ALLOCATION_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
    return target;
  };
  const recording: RunRecording = {
    flush() {
      return done || !samplerRunning() ? undefined : write(readSamplingProfile());
    },
    finish() {
      if (done || !samplerRunning()) return undefined;
      done = true;
      return write(stopSampler());
    },
  };
  // A write that fails at the end (a full disk, a deleted directory) is one line, never the program's exit.
  const safely = (step: () => unknown) => (): void => {
    try {
      step();
    } catch (error) {
      process.stderr.write(`${new TraceWriteError(settings.out, error).message.replace(/; the program runs untraced$/, '')}\n`);
    }
  };
  onProcessEnd({ flush: safely(() => recording.flush()), stop: safely(() => recording.finish()) });
  return recording;
}
