/**
 * Writes the OOM report (formats/oom-report.ts lists its files) from inside the dying process: what
 * the tracer, the allocation sampler and the process log know at that moment, V8's heap spaces, and
 * a heap snapshot only where the process has room for one. Runs once, synchronously, on the main
 * thread (from an interrupt or a GC observer: near-limit.ts); each part that fails costs its own
 * file and a line in oom.json's "problems", never the rest.
 */
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import v8 from 'node:v8';
import { atomicWrite } from '../formats/trace-directory.js';
import { readFunctionsCsv, type FunctionRow } from '../formats/functions-csv.js';
import {
  OOM_REPORT_DIRECTORY,
  OOM_REPORT_FILES,
  OOM_REPORT_VERSION,
  formatHeapSpacesCsv,
  formatOpenCallsCsv,
  type HeapSpaceRow,
  type OomReportMeta,
  type OomTopAllocator,
  type OpenCallRow,
} from '../formats/oom-report.js';
import { ALLOCATION_FILES, readAllocationRun, type AllocationRun } from '../formats/allocation-run.js';
import { renderTopAllocationLines } from '../alloc/top-lines.js';
import type { RunRecording } from '../alloc/run-recorder.js';
import type { Tracer } from '../tracer/tracer.js';
import { openCalls } from '../runtime/open-calls.js';
import { allocatedSoFar } from '../runtime/counters.js';
import { formatBytes, formatDuration } from '../shared/units.js';
import { renderTable } from '../shared/text-table.js';
import { VERSION } from '../shared/version.js';
import { nearText } from '../report/oom-note.js';
import { availableMemory } from './memory-room.js';
import type { NearLimit } from './near-limit.js';
import { makeDirectory } from '../shared/make-directory.js';

export interface OomReportSources {
  /** The trace directory the report goes into (oom-report/ under it). */
  directory: string;
  tracer?: Tracer;
  recording?: RunRecording;
  /** The process log's CSV, where one runs. */
  processLog?: string;
  cgroupLimit: number | undefined;
  /** false: no heap snapshot (--oom-snapshot never). */
  snapshot: boolean;
}

/** A snapshot is taken where the process has at least this many times the used heap left (the snapshot's estimated cost). */
export const SNAPSHOT_ROOM_FACTOR = 2;

interface Ranked extends OomTopAllocator {
  key: string;
}

export function writeOomReport(sources: OomReportSources, near: NearLimit): OomReportMeta & { directory: string } {
  const started = performance.now();
  const allocatedBefore = allocatedSoFar();
  const report = new ReportParts(join(sources.directory, OOM_REPORT_DIRECTORY));
  makeDirectory(report.directory);

  const heap = v8.getHeapStatistics();
  const rss = process.memoryUsage.rss();
  const spaces: HeapSpaceRow[] = v8.getHeapSpaceStatistics().map((s) => ({
    space: s.space_name,
    size: s.space_size,
    used: s.space_used_size,
    available: s.space_available_size,
    physical: s.physical_space_size,
  }));
  report.part('heap spaces', () => report.write(OOM_REPORT_FILES.heapSpaces, formatHeapSpacesCsv(spaces)));
  const { functions, running } = sources.tracer ? writeTracerParts(report, sources.tracer) : { functions: [], running: [] };
  const allocations = sources.recording ? copyAllocations(report, sources.directory, sources.recording) : undefined;
  const processLog = sources.processLog;
  if (processLog && existsSync(processLog)) report.part('process log', () => report.copy(processLog, OOM_REPORT_FILES.processLog));
  const available = availableMemory(rss, sources.cgroupLimit);
  const snapshot = snapshotIfRoom(report, sources, heap.used_heap_size, rss, available);

  const topAllocator = rankAllocators(functions, running)[0] ?? topStatement(allocations);
  const meta: OomReportMeta = {
    version: OOM_REPORT_VERSION,
    memtrace: VERSION,
    node: process.version,
    pid: process.pid,
    time: new Date().toISOString(),
    trigger: near.trigger,
    detection: near.detection,
    heap: {
      used: heap.used_heap_size,
      total: heap.total_heap_size,
      limit: heap.heap_size_limit,
      raisedBy: near.raisedBy,
      ...(near.oldSpaceLimit !== undefined ? { oldSpaceLimit: near.oldSpaceLimit } : {}),
    },
    rss,
    ...(near.rssAtTrigger !== undefined ? { rssAtTrigger: near.rssAtTrigger } : {}),
    cgroupLimit: sources.cgroupLimit ?? null,
    available,
    snapshot,
    topAllocator: topAllocator
      ? {
          function: topAllocator.function,
          file: topAllocator.file,
          line: topAllocator.line,
          selfAllocBytes: topAllocator.selfAllocBytes,
          running: topAllocator.running,
        }
      : null,
    files: [...report.files, OOM_REPORT_FILES.summary],
    writeMs: 0,
    allocatedBytes: 0,
    ...(report.problems.length > 0 ? { problems: report.problems } : {}),
  };
  meta.writeMs = Math.round(performance.now() - started);
  meta.allocatedBytes = Math.max(0, Math.round(allocatedSoFar() - allocatedBefore));
  report.part('summary', () =>
    atomicWrite(join(report.directory, OOM_REPORT_FILES.summary), renderSummary(meta, functions, running, allocations, spaces)),
  );
  atomicWrite(join(report.directory, OOM_REPORT_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
  return { ...meta, directory: report.directory };
}

/**
 * The report's directory, the files written into it so far, and the problems met: each part is
 * written on its own, and one that fails is a line in oom.json, not the end of the report.
 */
class ReportParts {
  readonly files: string[] = [];
  readonly problems: string[] = [];

  constructor(readonly directory: string) {}

  part(name: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      this.problems.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  write(file: string, text: string): void {
    atomicWrite(join(this.directory, file), text);
    this.files.push(file);
  }

  copy(from: string, file: string): void {
    copyFileSync(from, join(this.directory, file));
    this.files.push(file);
  }

  written(file: string): void {
    this.files.push(file);
  }
}

/** The tracer's parts: its trace directory brought up to now, the functions table and the calls still running. */
function writeTracerParts(
  report: ReportParts,
  tracer: NonNullable<OomReportSources['tracer']>,
): { functions: FunctionRow[]; running: OpenCallRow[] } {
  let functions: FunctionRow[] = [];
  let running: OpenCallRow[] = [];
  report.part('trace directory', () => tracer.flush());
  report.part('functions table', () => {
    report.write(OOM_REPORT_FILES.functions, tracer.functionsTable());
    functions = readFunctionsCsv(join(report.directory, OOM_REPORT_FILES.functions));
  });
  report.part('open calls', () => {
    running = openCalls().map((call, depth) => {
      const fn = tracer.table.functions[call.functionId];
      return {
        depth,
        function: fn?.name ?? `#${call.functionId}`,
        file: fn?.file ?? '',
        line: fn?.line ?? 0,
        column: fn?.column ?? 0,
        selfAllocBytes: call.selfAllocatedBytes,
        totalAllocBytes: call.allocatedBytes,
        heapGrowthBytes: call.heapGrowthBytes,
        elapsedNs: call.elapsedNs,
      };
    });
    report.write(OOM_REPORT_FILES.openCalls, formatOpenCallsCsv(running));
  });
  return { functions, running };
}

/** The sampler's files in the trace directory brought up to now, and a copy as of now in the report. */
function copyAllocations(
  report: ReportParts,
  traceDirectory: string,
  recording: NonNullable<OomReportSources['recording']>,
): AllocationRun | undefined {
  let allocations: AllocationRun | undefined;
  report.part('allocations', () => {
    recording.flush();
    for (const file of [ALLOCATION_FILES.table, ALLOCATION_FILES.stacks] as const) report.copy(join(traceDirectory, file), file);
    allocations = readAllocationRun(traceDirectory);
  });
  return allocations;
}

/**
 * A snapshot costs about the used heap again, outside V8's heap: taken only where the machine (and
 * the cgroup) leave the process SNAPSHOT_ROOM_FACTOR times that; else the reason it was skipped.
 */
function snapshotIfRoom(
  report: ReportParts,
  sources: OomReportSources,
  cost: number,
  rss: number,
  available: number,
): OomReportMeta['snapshot'] {
  if (!sources.snapshot) return { skipped: 'not asked for (--oom-snapshot never)' };
  if (cost * SNAPSHOT_ROOM_FACTOR > available) {
    const where =
      sources.cgroupLimit !== undefined && sources.cgroupLimit - rss <= available
        ? `under the cgroup's limit of ${formatBytes(sources.cgroupLimit)}`
        : 'on the machine';
    return {
      skipped: `no room: a snapshot needs about ${formatBytes(cost)} (the used heap) and ${SNAPSHOT_ROOM_FACTOR}× that was not available (${formatBytes(available)} left ${where})`,
    };
  }
  try {
    const begun = performance.now();
    const path = v8.writeHeapSnapshot(join(report.directory, OOM_REPORT_FILES.snapshot));
    report.written(OOM_REPORT_FILES.snapshot);
    return { file: basename(path), bytes: statSync(path).size, ms: Math.round(performance.now() - begun) };
  } catch (error) {
    return { skipped: `writing it failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** Functions by self bytes: the calls that ended (functions.csv) plus those still running. */
function rankAllocators(functions: readonly FunctionRow[], running: readonly OpenCallRow[]): Ranked[] {
  const byKey = new Map<string, Ranked>();
  const add = (name: string, file: string, line: number, bytes: number, isRunning: boolean): void => {
    const key = `${name}\0${file}\0${line}`;
    const entry = byKey.get(key) ?? { key, function: name, file, line, selfAllocBytes: 0, running: false };
    entry.selfAllocBytes += bytes;
    entry.running ||= isRunning;
    byKey.set(key, entry);
  };
  for (const f of functions) add(f.function, f.file, f.line, f.selfAllocBytes, false);
  for (const call of running) add(call.function, call.file, call.line, call.selfAllocBytes, true);
  return [...byKey.values()].filter((r) => r.selfAllocBytes > 0).sort((a, b) => b.selfAllocBytes - a.selfAllocBytes);
}

/** Without the tracer (--alloc alone): the statement that allocated most, from the sampler. */
function topStatement(run: AllocationRun | undefined): Ranked | undefined {
  const rows = run?.allocations ?? [];
  const top = [...rows].sort((a, b) => b.selfBytes - a.selfBytes)[0];
  return top && { key: '', function: top.function, file: top.file, line: top.line, selfAllocBytes: top.selfBytes, running: false };
}

function triggerText(meta: OomReportMeta): string {
  if (meta.trigger === 'heap-limit') {
    const old = meta.heap.oldSpaceLimit !== undefined ? ` (old space: ${formatBytes(meta.heap.oldSpaceLimit)})` : '';
    return `V8 reached its heap limit${old}; memtrace raised it by ${formatBytes(meta.heap.raisedBy)} to write this report`;
  }
  if (meta.trigger === 'heap-limit-poll') return "the old generation passed 80 % of V8's limit after a GC (pure-JS watch)";
  return `the resident set passed 90 % of the cgroup's memory limit (${formatBytes(meta.cgroupLimit ?? 0)})`;
}

/** The one line for stderr (CI logs): the cause and where the report is. */
export function oomSummaryLine(meta: OomReportMeta & { directory: string }): string {
  const top = meta.topAllocator;
  const cause = top
    ? `; top allocator ${top.function} (${basename(top.file)}${top.line ? `:${top.line}` : ''}) ${formatBytes(top.selfAllocBytes)}`
    : '';
  return `memtrace: ${nearText(meta)}${cause}; OOM report in ${meta.directory}`;
}

function renderSummary(
  meta: OomReportMeta,
  functions: readonly FunctionRow[],
  running: readonly OpenCallRow[],
  allocations: AllocationRun | undefined,
  spaces: readonly HeapSpaceRow[],
): string {
  const lines = [
    `memtrace OOM report: pid ${meta.pid}, ${meta.time}, node ${meta.node}`,
    `trigger: ${triggerText(meta)}`,
    `heap: ${formatBytes(meta.heap.used)} used, ${formatBytes(meta.heap.total)} reserved, limit ${formatBytes(meta.heap.limit)}; RSS ${formatBytes(meta.rss)}; ` +
      `cgroup limit ${meta.cgroupLimit === null ? 'none' : formatBytes(meta.cgroupLimit)}; available ${formatBytes(meta.available)}`,
    `snapshot: ${'file' in meta.snapshot ? `${meta.snapshot.file} (${formatBytes(meta.snapshot.bytes)}, ${meta.snapshot.ms} ms)` : `skipped, ${meta.snapshot.skipped}`}`,
    `written in ${meta.writeMs} ms, allocating ${formatBytes(meta.allocatedBytes)} on the JS heap`,
    '',
  ];
  const ranked = rankAllocators(functions, running);
  if (ranked.length > 0) {
    lines.push('Top allocators (self bytes: calls that ended, plus the running calls so far):');
    lines.push(
      renderTable(
        ['self bytes', 'function', 'where', 'running'],
        ranked.slice(0, 10).map((r) => [formatBytes(r.selfAllocBytes), r.function, `${r.file}:${r.line}`, r.running ? 'yes' : '']),
        [true, false, false, false],
      ),
      '',
    );
  }
  if (running.length > 0) {
    lines.push('Calls running then (outermost first):');
    lines.push(
      renderTable(
        ['allocated so far', 'self', 'heap growth', 'time', 'function', 'where'],
        running.map((r) => [
          formatBytes(r.totalAllocBytes),
          formatBytes(r.selfAllocBytes),
          formatBytes(r.heapGrowthBytes),
          formatDuration(r.elapsedNs),
          r.function,
          `${r.file}:${r.line}`,
        ]),
        [true, true, true, true, false, false],
      ),
      '',
    );
  }
  if (allocations) {
    lines.push('Top allocating statements (sampled since the start, collected objects included):');
    lines.push(renderTopAllocationLines(allocations, 10), '');
  }
  lines.push('Heap spaces:');
  lines.push(
    renderTable(
      ['space', 'size', 'used', 'available'],
      spaces.map((s) => [s.space, formatBytes(s.size), formatBytes(s.used), formatBytes(s.available)]),
      [false, true, true, true],
    ),
    '',
  );
  return `${lines.join('\n')}\n`;
}
