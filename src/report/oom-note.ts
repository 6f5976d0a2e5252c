/** The line a report adds for a trace whose process ran out of memory (`memtrace run --oom-report`). */
import { basename, join } from 'node:path';
import { OOM_REPORT_FILES, readOomReport, type OomReportMeta } from '../formats/oom-report.js';
import { formatBytes } from '../shared/units.js';

/** One line naming the OOM, its top allocator and the report, or undefined where the trace has no OOM report. */
export function oomNote(traceDirectory: string): string | undefined {
  const report = readOomReport(traceDirectory);
  if (!report) return undefined;
  const near = nearText(report);
  const top = report.topAllocator;
  const cause = top
    ? `; top allocator ${top.function} (${basename(top.file)}${top.line ? `:${top.line}` : ''}) ${formatBytes(top.selfAllocBytes)}`
    : '';
  const snapshot = 'file' in report.snapshot ? `, with a heap snapshot` : '';
  return `memtrace: the run ended in an OOM: ${near} at ${report.time}${cause}; OOM report${snapshot}: ${join(report.directory, OOM_REPORT_FILES.summary)}`;
}

/** Which limit was near, with its figures, in a few words. */
export function nearText(meta: OomReportMeta): string {
  const old = meta.heap.oldSpaceLimit !== undefined ? `, old-space limit ${formatBytes(meta.heap.oldSpaceLimit)}` : '';
  if (meta.trigger === 'cgroup')
    return `near the cgroup's memory limit (RSS ${formatBytes(meta.rss)} of ${formatBytes(meta.cgroupLimit ?? 0)})`;
  if (meta.trigger === 'heap-limit') return `at V8's heap limit (${formatBytes(meta.heap.used)} used${old})`;
  return `near V8's heap limit (${formatBytes(meta.heap.used)} used${old})`;
}
