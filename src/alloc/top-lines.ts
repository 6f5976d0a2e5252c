/** The text report of a `--alloc` run: the statements that allocated most (what `memtrace run` prints). */
import type { AllocationRun } from '../formats/allocation-run.js';
import { formatBytes } from '../shared/units.js';
import { renderTable } from '../shared/text-table.js';
import { whereOf } from './statistic.js';

export function renderTopAllocationLines(run: AllocationRun, limit = 10): string {
  const groups = new Map<string, { where: string; fn: string; self: number; total: number }>();
  for (const row of run.allocations) {
    const key = `${row.file}\0${row.line ?? `?${row.function}`}`;
    const group = groups.get(key) ?? { where: whereOf(row.file, row.line), fn: row.function, self: 0, total: 0 };
    group.self += row.selfBytes;
    group.total += row.totalBytes;
    groups.set(key, group);
  }
  const top = [...groups.values()].sort((a, b) => b.self - a.self).slice(0, limit);
  const header = ['self bytes', 'with callees', 'where', 'function'];
  const body = top.map((g) => [formatBytes(g.self), formatBytes(g.total), g.where, g.fn]);
  const m = run.meta;
  const lines =
    m.lines.method === 'line-probes'
      ? 'statements from line probes'
      : m.lines.method === 'sampled-line-probes'
        ? 'statements from sampled line probes'
        : 'statements not known (run --alloc without --alloc-only)';
  return [
    `memtrace: ${run.directory}`,
    `  sampled allocations: ${formatBytes(m.sampledBytes)} in ${Math.round(m.samples)} samples (interval ${formatBytes(m.samplingInterval)}); ${lines}; memtrace's own left out: ${formatBytes(m.compensation.bytes)}`,
    renderTable(header, body, [true, true, false, false]),
  ].join('\n');
}
