/**
 * memtrace's library API. The tracer itself starts with `node --import memtrace/register app.js` (or
 * `memtrace run`); what is here traces selected functions without the loader, marks moments, and
 * reads the files a trace writes.
 */
export { traceMemory, Tracer, label, startTracing, stopTracing, type TraceMemoryOptions } from './trace.js';
export { settingsFromEnv, settingsToEnv, type Settings } from './shared/settings.js';
export { MemtraceError, SettingError, ParseError, TraceFileError } from './shared/errors.js';
export {
  readEventsCsv,
  readEventBatches,
  readEventFileBatches,
  EVENT_COLUMNS,
  type EventRow,
  type EventKind,
} from './formats/events-csv.js';
export { readFunctionsCsv, FUNCTION_COLUMNS, type FunctionRow } from './formats/functions-csv.js';
export { readMeta, type TraceMeta } from './formats/meta.js';
export type { Calibration } from './runtime/calibration.js';
export { readTrace, findTraces, eventFiles, type Trace } from './formats/trace-directory.js';

// Reports (flame graph, HTML report): allocation profiles as flame trees, and the HTML pages.
export {
  readHeapProfile,
  formatHeapProfile,
  type HeapProfile,
  type HeapProfileNode,
  type HeapProfileSample,
  type CallFrame,
  type SamplingHeapProfile,
  type SamplingHeapProfileNode,
  type HeapProfileSample as SamplingHeapProfileSample,
} from './formats/heap-profile.js';
export { flameTreeFromHeapProfile, topLines, mergeFlameTrees, type FlameNode, type LineRow } from './report/flame-tree.js';
export { renderFlameGraphPage, renderFlameGraphSections } from './report/flamegraph-html.js';
export { renderTraceReport, writeTraceReport } from './report/trace-html.js';
export { writeHtmlReport, type HtmlReportOptions } from './report/html-report.js';
export { chromeTraceFromEvents, readChromeTrace, type ChromeTrace, type TraceEvent } from './formats/chrome-trace.js';
export { writeTraceJson } from './report/trace-json.js';
// Heap snapshots (memtrace heap): reading .heapsnapshot files and analysing them.
export { readSnapshot, HeapSnapshot } from './heap/heap-snapshot.js';
export { HeapNode, HeapEdge } from './heap/views.js';
export type { SummaryRow, SummaryOptions } from './heap/summary.js';
export type { RetainerPath, PathStep, PathOptions } from './heap/paths.js';
export { formatPath } from './heap/paths.js';
export type { TopRow, TopOptions } from './heap/top.js';
export type { Classifier } from './heap/classify.js';
export { diffSnapshots, type SnapshotDiff, type LeakGroup, type ClassGrowth } from './heap/diff.js';
export { HeapSnapshotError } from './shared/errors.js';

// --- heap snapshots of the live process: writeSnapshot, sizeOf, trackClass (docs/heap-live.md) ---
export { writeSnapshot, type WriteSnapshotOptions } from './heap/live/write-snapshot.js';
export { sizeOf, sizeOfEach, ObjectSize, type SizeOfOptions } from './heap/live/size-of.js';
export { trackClass, ClassTracker, type TrackClassOptions, type AnyClass } from './heap/live/track-class.js';
export {
  readClassTrackerCsv,
  parseClassTrackerCsv,
  formatClassTrackerCsv,
  CLASS_TRACKER_COLUMNS,
  type ClassSample,
} from './formats/class-tracker-csv.js';
export { InvalidArgumentError, SnapshotWriteError } from './shared/errors.js';
// memtrace process and heapStats
export { startProcessLog, stopProcessLog, activeProcessLog, type ProcessLog, type ProcessLogOptions } from './process/inside-logger.js';
export { ProcessWatcher, type WatchOptions } from './process/watcher.js';
export { watchCommand, watchPid } from './process/run-watched.js';
export { readProc, type ProcSample } from './process/proc-reader.js';
export {
  readProcessCsv,
  readProcessBatches,
  ProcessCsvWriter,
  type ProcessCsv,
  PROCESS_COLUMNS,
  INSIDE_COLUMNS,
  type ProcessRow,
  type GcKind,
} from './formats/process-csv.js';
export { ProcessNotFoundError, CommandNotFoundError } from './shared/errors.js';
export { heapStats, startHeapStats, type HeapStatsOptions, type HeapStatsMeasurement } from './heap-stats/heap-stats.js';
export { HeapStatsDiff, type Threshold } from './heap-stats/heap-stats-diff.js';
export { HEAP_STATS_COLUMNS, formatHeapStatsCsv, parseHeapStatsCsv, type HeapStatsRow } from './formats/heap-stats-csv.js';
export { plotProcessLog, type PlotOptions } from './report/plot.js';
// traceAllocations (issue 4): V8's sampled allocations by statement, function and stack.
export {
  traceAllocations,
  takeAllocationSnapshot,
  startAllocationSampling,
  stopAllocationSampling,
  AllocationResult,
  type TraceAllocationsOptions,
  type AllocationSamplingOptions,
} from './alloc/trace-allocations.js';
export { AllocationSnapshot } from './alloc/allocation-snapshot.js';
export { Statistic, StatisticDiff, type StatisticKey } from './alloc/statistic.js';
export { Filter, type FilterSpec, type FilterInput } from './alloc/filter.js';
export type { Frame, FrameKind } from './formats/allocation-model.js';
export type { SnapshotData, AllocationTrace, StackNode, LineMethod, Compensation } from './formats/allocation-model.js';
export { readAllocationRun, hasAllocations, ALLOCATION_FILES, type AllocationRun, type AllocationMeta } from './formats/allocation-run.js';
export { readAllocationsCsv, ALLOCATION_COLUMNS, type AllocationRow } from './formats/allocations-csv.js';
export { readStacksCsv, stackOf, STACK_COLUMNS, type StackRow } from './formats/stacks-csv.js';
export { readSpeedscope, type SpeedscopeFile } from './formats/speedscope.js';
export { readPprof } from './formats/pprof.js';

// Memory limits in tests (also `memtrace/test` alone)
export {
  limitMemory,
  limitLeaks,
  MemoryLimitError,
  MemoryLeakError,
  type LimitMemoryOptions,
  type LimitLeaksOptions,
  type Measure,
} from './test.js';
