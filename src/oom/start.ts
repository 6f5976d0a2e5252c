/**
 * `memtrace run --oom-report` (MEMTRACE_OOM_REPORT=1) in the traced process: keeps a process log in
 * the trace directory and watches for the end of memory (near-limit.ts); when it comes, writes the
 * OOM report (report-writer.ts) and one line on stderr naming the top allocator and the report.
 * Main thread only: a worker's heap limit is its own, and the process log covers the process.
 */
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { RunRecording } from '../alloc/run-recorder.js';
import { OOM_REPORT_FILES } from '../formats/oom-report.js';
import { activeProcessLog, startProcessLog, stopProcessLog } from '../process/inside-logger.js';
import type { Tracer } from '../tracer/tracer.js';
import { cgroupMemoryLimit } from './memory-room.js';
import { watchNearLimit } from './near-limit.js';
import { oomSummaryLine, writeOomReport } from './report-writer.js';

/**
 * Bytes V8's heap limit is raised by when it is reached, for the report's own allocations (the
 * functions table, the sampler's profile read back; measured in docs/testing.md). Node's
 * --heapsnapshot-near-heap-limit raises it in the same way.
 */
export const OOM_HEADROOM = 32 * 1024 * 1024;
/** The share of the cgroup's memory limit the RSS may reach before the report is written. */
export const CGROUP_SHARE = 0.9;

export interface OomReportTargets {
  /** The trace directory (the tracer's, or the one --alloc alone writes at exit). */
  directory: string;
  tracer?: Tracer;
  recording?: RunRecording;
  /** Whether the report may take a heap snapshot (where there is room for one). */
  snapshot: boolean;
}

export function startOomReport(targets: OomReportTargets): void {
  if (!isMainThread) return;
  const cgroupLimit = cgroupMemoryLimit();
  let processLog = activeProcessLog()?.path;
  if (!processLog) {
    try {
      processLog = startProcessLog({ out: join(targets.directory, OOM_REPORT_FILES.processLog) }).path;
      process.once('beforeExit', () => void stopProcessLog());
    } catch (error) {
      process.stderr.write(`memtrace: no process log for the OOM report: ${(error as Error).message}\n`);
    }
  }
  watchNearLimit(
    (near) => {
      try {
        const report = writeOomReport({ ...targets, ...(processLog ? { processLog } : {}), cgroupLimit }, near);
        process.stderr.write(`${oomSummaryLine(report)}\n`);
      } catch (error) {
        process.stderr.write(`memtrace: the OOM report could not be written: ${(error as Error).message.split('\n')[0]}\n`);
      }
    },
    { headroom: OOM_HEADROOM, rssLimit: cgroupLimit === undefined ? undefined : CGROUP_SHARE * cgroupLimit },
  );
}
