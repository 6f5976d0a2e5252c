/** The text report: the functions that allocated most, as a table for a terminal or a bug report. */
import type { Trace } from '../formats/trace-directory.js';
import { formatBytes, formatDuration } from '../shared/units.js';
import { renderTable } from '../shared/text-table.js';

export function renderTopFunctions(trace: Trace, limit = 15): string {
  const rows = trace.functions.slice(0, limit);
  const header = ['total alloc', 'self alloc', 'calls', 'measured', 'total time', 'function', 'where'];
  const body = rows.map((r) => [
    formatBytes(r.totalAllocBytes),
    formatBytes(r.selfAllocBytes),
    String(r.calls),
    String(r.measuredCalls),
    formatDuration(r.totalTimeNs),
    r.function,
    `${r.file}:${r.line}`,
  ]);
  const m = trace.meta;
  return [
    `memtrace: ${trace.directory}`,
    `  node ${m.node}, pid ${m.pid}${m.threadId ? ` thread ${m.threadId}` : ''}, ${m.counters} counters, ${m.functions} functions, ${m.events.rowsWritten} event rows`,
    renderTable(header, body, [true, true, true, true, true, false, false]),
  ].join('\n');
}
