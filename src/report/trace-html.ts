/**
 * The tracer's HTML report (`memtrace report DIR --html`): what the trace measured at a glance, memory
 * over time and the largest calls from events.csv (streamed and digested: trace-digest.ts, so the
 * page is as small for a 1.6 GB events.csv as for a 6 KB one), the functions table from functions.csv,
 * and, where the directory holds allocation profiles, the flame graph. One self-contained page,
 * written as DIR/report.html.
 */
import { basename, join } from 'node:path';
import { OOM_REPORT_FILES, readOomReport, type OomReportMeta } from '../formats/oom-report.js';
import { nearText } from './oom-note.js';
import { readEventFileBatches } from '../formats/events-csv.js';
import type { CsvReadOptions } from '../formats/csv-rows.js';
import { readTrace, type Trace } from '../formats/trace-directory.js';
import { findHeapProfiles, loadAllocationTree } from './allocation-profiles.js';
import { allocationLinesOf } from './allocation-lines.js';
import type { FlameNode, LineRow } from './flame-tree.js';
import { renderFlameGraphSections } from './flamegraph-html.js';
import { escapeHtml } from './html/escape.js';
import { FLAME_SCRIPT } from './html/flame-script.js';
import { renderPage, type PageSection } from './html/page.js';
import { renderLineChart } from './html/svg-chart.js';
import { renderDataTable, TABLE_SCRIPT } from './html/table.js';
import { digestEvents, type TraceDigest } from './trace-digest.js';
import type { MinMaxTimeline } from './timeline.js';
import { formatBytes, formatDuration } from '../shared/units.js';
import { writeReport } from './write-report.js';
import { nativeReportSections } from './native-html.js';

export interface TraceReportInput {
  trace: Trace;
  /** events.csv, digested. */
  events: TraceDigest;
  /** Allocations by stack, where the directory has profiles. */
  allocations?: { tree: FlameNode; files: string[]; lines?: LineRow[] | undefined };
  /** The process ran out of memory (`memtrace run --oom-report`): its OOM report. */
  oom?: (OomReportMeta & { directory: string }) | undefined;
  /** Native memory (`memtrace run --native`), where the directory has it. */
  native?: PageSection[];
}

/** Reads everything the report shows from a trace directory, events.csv a chunk at a time. */
export async function readTraceReportInput(directory: string, reading: CsvReadOptions = {}): Promise<TraceReportInput> {
  const trace = readTrace(directory);
  const profiles = findHeapProfiles(directory);
  return {
    trace,
    events: await digestEvents(readEventFileBatches(trace.eventFiles, reading)),
    allocations:
      profiles.length > 0 ? { tree: loadAllocationTree(profiles), files: profiles, lines: allocationLinesOf(directory) } : undefined,
    oom: readOomReport(directory),
    native: nativeReportSections(directory),
  };
}

/** Writes DIR/report.html (or `out`) and returns its path. */
export async function writeTraceReport(
  directory: string,
  out = join(directory, 'report.html'),
  reading: CsvReadOptions = {},
): Promise<string> {
  writeReport(out, renderTraceReport(await readTraceReportInput(directory, reading)));
  return out;
}

export function renderTraceReport(input: TraceReportInput): string {
  const { trace, events, allocations } = input;
  const m = trace.meta;
  const sections: PageSection[] = [
    { id: 'summary', title: 'Summary', html: renderSummary(input) },
    {
      id: 'memory',
      title: 'Memory over time',
      hint: `From events.csv: ${rowCount(events)}. A row is written where a counter moved by at least ${formatBytes(m.trigger)} (the trigger), so short swings below it do not show. Dashed lines are labels.`,
      html: renderMemoryCharts(events),
    },
    {
      id: 'largest-calls',
      title: 'Largest calls',
      hint: `From events.csv: the ${events.largestCalls.length.toLocaleString('en')} calls that allocated most, of ${events.calls.toLocaleString('en')} whole calls (both their call and return rows written; the trigger decides which). Bytes: allocated during the call, callees included.`,
      html: renderLargestCalls(events),
    },
    ...(events.labelCount > 0
      ? [
          {
            id: 'labels',
            title: 'Labels',
            hint: `From events.csv: ${events.labelCount.toLocaleString('en')} label rows (label('…') in the program)${events.labelCount > events.labels.length ? `, the first ${events.labels.length.toLocaleString('en')} listed` : ''}. Time since the tracer started.`,
            html: renderLabels(events),
          },
        ]
      : []),
    {
      id: 'functions',
      title: 'Functions',
      hint: 'From functions.csv, every call counted. Total: bytes allocated during the calls, callees included; self: without traced callees; heap growth: the most one call left the heap bigger by. Click a header to sort.',
      html: renderFunctionsTable(trace),
    },
  ];
  if (allocations) {
    sections.push(
      ...renderFlameGraphSections(allocations.tree, {
        id: 'allocations',
        description: `Sampled by V8's sampling heap profiler (${allocations.files.map((f) => basename(f)).join(', ')})`,
        ...(allocations.lines ? { lines: allocations.lines } : {}),
      }),
    );
  }
  const native = input.native ?? [];
  sections.push(...native);
  sections.push({ id: 'settings', title: 'Settings and environment', html: renderSettings(trace) });
  return renderPage({
    title: 'memtrace report',
    subtitle: `node ${m.node} · pid ${m.pid}${m.threadId ? ` thread ${m.threadId}` : ''} · memtrace ${m.memtrace}`,
    source: `${trace.directory} — ${m.argv.join(' ')}`,
    sections,
    scripts: allocations || native.length > 0 ? [TABLE_SCRIPT, FLAME_SCRIPT] : [TABLE_SCRIPT],
  });
}

function figure(label: string, value: string, note = ''): string {
  return `<div class="figure"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${note ? `<div class="note">${escapeHtml(note)}</div>` : ''}</div>`;
}

/** "11,234,567 rows (3 labels) in 1,402 time buckets of 8.19 ms": what stands behind the charts. */
function rowCount(events: TraceDigest): string {
  const labels = events.labelCount > 0 ? ` (${events.labelCount.toLocaleString('en')} labels)` : '';
  const buckets = events.heapUsed.usedBuckets;
  const reduced =
    events.heapUsed.readings > 2 * buckets
      ? `, drawn as the lowest and highest reading of each of ${buckets.toLocaleString('en')} time buckets of ${formatDuration(events.heapUsed.bucketWidthNs)}`
      : '';
  return `${events.rows.toLocaleString('en')} rows${labels}${reduced}`;
}

function renderSummary({ trace, events, oom }: TraceReportInput): string {
  const m = trace.meta;
  const duration = m.endTime ? Date.parse(m.endTime) - Date.parse(m.startTime) : Number.NaN;
  const lastAllocated = events.lastAllocated;
  const peakHeap = events.heapUsed.max;
  const peakRss = events.rss.max;
  const top = trace.functions[0];
  const c = m.calibration;
  const figures = [
    figure(
      'duration',
      Number.isNaN(duration) ? 'unknown' : formatDuration(duration * 1e6),
      `${m.startTime}${m.exit ? ` · ${m.exit.reason === 'exit' ? 'exit' : `ended by ${m.exit.reason}`}${m.exit.code !== undefined ? ` ${m.exit.code}` : ''}` : ''}`,
    ),
    figure('allocated', Number.isNaN(lastAllocated) ? '–' : formatBytes(lastAllocated), 'since start, at the last event row'),
    figure('peak heap used', Number.isNaN(peakHeap) ? '–' : formatBytes(peakHeap), 'highest V8 used heap in events.csv'),
    figure('peak RSS', Number.isNaN(peakRss) ? '–' : formatBytes(peakRss), 'where read'),
    figure(
      'top function',
      top ? top.function : '–',
      top ? `${formatBytes(top.totalAllocBytes)} total · ${top.file.split('/').pop()}:${top.line}` : '',
    ),
    figure('functions called', m.functions.toLocaleString('en'), `${trace.functions.length.toLocaleString('en')} in functions.csv`),
    figure(
      'measured calls',
      m.events.measuredCalls.toLocaleString('en'),
      `${m.events.rowsWritten.toLocaleString('en')} event rows · ${m.events.writerWaits} writer waits`,
    ),
    figure('counters', m.counters, m.counters === 'native' ? 'native addon: exact GC accounting' : 'pure JS (GCProfiler)'),
    figure(
      'calibration',
      `${formatBytes(c.selfBytes)} · ${formatDuration(c.selfNs)}`,
      `per call, subtracted; nested ${formatBytes(c.nestedBytes)} · ${formatDuration(c.nestedNs)}`,
    ),
    figure('trigger', formatBytes(m.trigger), `probes: ${m.probes.exact ? 'exact' : 'adaptive'}${m.probes.lines ? ', lines' : ''}`),
  ];
  if (oom) {
    const top = oom.topAllocator ? ` · top allocator ${oom.topAllocator.function} ${formatBytes(oom.topAllocator.selfAllocBytes)}` : '';
    figures.unshift(
      figure('ended in an OOM', nearText(oom), `${oom.time}${top} · report: ${join(oom.directory, OOM_REPORT_FILES.summary)}`),
    );
  }
  return `<div class="figures">${figures.join('')}</div>`;
}

function renderMemoryCharts(events: TraceDigest): string {
  if (events.heapUsed.readings === 0) return '<p class="empty">events.csv has no rows: nothing moved by the trigger.</p>';
  const timeOrigin = 'time since the tracer started';
  const markers = events.labels;
  const series = (label: string, colour: string, timeline: MinMaxTimeline) => ({ label, colour, ...timeline.points() });
  const charts = [
    renderLineChart({ title: 'Heap used', markers, timeOrigin, series: [series('V8 heap used', '#2f6fde', events.heapUsed)] }),
    renderLineChart({ title: 'Allocated since start', markers, timeOrigin, series: [series('allocated', '#e0662c', events.allocated)] }),
  ];
  if (events.rss.readings > 0 || events.external.readings > 0) {
    charts.push(
      renderLineChart({
        title: 'Process memory',
        markers,
        timeOrigin,
        series: [
          series('RSS', '#6b4fbb', events.rss),
          series('external', '#2a9d8f', events.external),
          series('array buffers', '#c9a227', events.arrayBuffers),
        ],
      }),
    );
  }
  return `<div class="charts">${charts.join('')}</div>`;
}

function renderLargestCalls(events: TraceDigest): string {
  if (events.largestCalls.length === 0)
    return '<p class="empty">No whole calls in events.csv (a call shows where both its call and return rows were written: --trigger 0 writes them all).</p>';
  return renderDataTable({
    id: 'largest-calls-table',
    columns: [
      { label: 'allocated', kind: 'bytes', title: 'bytes allocated during the call, callees included' },
      { label: 'duration', kind: 'duration' },
      { label: 'started', kind: 'duration', title: 'time since the tracer started' },
      { label: 'async id', kind: 'count' },
      { label: 'function', kind: 'function' },
      { label: 'where', kind: 'where' },
    ],
    rows: events.largestCalls.map((c) => [
      c.allocatedBytes,
      c.durationNs,
      c.startNs,
      c.asyncId,
      c.threw ? `${c.function} (threw)` : c.function,
      `${c.file}:${c.line ?? 0}`,
    ]),
    sortColumn: 0,
    limit: 100,
  });
}

function renderLabels(events: TraceDigest): string {
  const rows = events.labels.map(
    (l) => `<tr><td class="num">${escapeHtml(formatDuration(l.timeNs))}</td><td>${escapeHtml(l.text)}</td></tr>`,
  );
  return `<table class="data"><thead><tr><th class="num">time</th><th>label</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderFunctionsTable(trace: Trace): string {
  return renderDataTable({
    id: 'functions-table',
    columns: [
      { label: 'total alloc', kind: 'bytes', title: 'bytes allocated during its calls, callees included' },
      { label: 'self alloc', kind: 'bytes', title: 'without the bytes of traced callees' },
      { label: 'heap growth', kind: 'bytes', title: 'the most one call left the used heap bigger by' },
      { label: 'calls', kind: 'count' },
      { label: 'measured', kind: 'count', title: 'calls whose memory was read; the others roll up into their caller' },
      { label: 'total time', kind: 'duration' },
      { label: 'self time', kind: 'duration' },
      { label: 'function', kind: 'function' },
      { label: 'where', kind: 'where' },
    ],
    rows: trace.functions.map((r) => [
      r.totalAllocBytes,
      r.selfAllocBytes,
      r.maxHeapGrowthBytes,
      r.calls,
      r.measuredCalls,
      r.totalTimeNs,
      r.selfTimeNs,
      r.function,
      `${r.file}:${r.line}`,
    ]),
    sortColumn: 0,
  });
}

function renderSettings(trace: Trace): string {
  const m = trace.meta;
  const entries: Array<[string, unknown]> = [
    ['directory', trace.directory],
    ['command', m.argv.join(' ')],
    ['node', m.node],
    ['memtrace', m.memtrace],
    ['pid / ppid / thread', `${m.pid} / ${m.ppid} / ${m.threadId}`],
    ['start', m.startTime],
    ['end', m.endTime ?? '–'],
    ['calibration', m.calibration],
    ['probes', m.probes],
    ...Object.entries(m.settings),
  ];
  const format = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  return `<dl class="settings">${entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(format(v))}</dd>`).join('')}</dl>`;
}
