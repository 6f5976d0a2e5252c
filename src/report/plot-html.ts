/** An HTML page around the plot's SVG, with a table of each process's figures: one file to attach to a bug report. */
import type { ProcessCsv } from '../formats/process-csv.js';
import { formatBytes } from './units.js';
import { escapeHtml } from './html/escape.js';

export function renderPlotHtml(log: ProcessCsv, svg: string, title: string): string {
  const rows: string[] = [];
  const pids = [...new Set(log.rows.filter((row) => !row.gcKind).map((row) => row.pid))];
  for (const pid of pids) {
    const samples = log.rows.filter((row) => row.pid === pid && !row.gcKind);
    const rss = samples.map((row) => row.rss ?? 0);
    const heap = samples.map((row) => row.heapUsed).filter((value): value is number => value !== null);
    const cells = [
      String(pid), escapeHtml(samples[0]!.command), String(samples.length), `${samples[0]!.timeS.toFixed(2)}–${samples.at(-1)!.timeS.toFixed(2)} s`,
      formatBytes(rss[0]!), formatBytes(Math.max(...rss)), formatBytes(rss.at(-1)!), heap.length ? formatBytes(Math.max(...heap)) : '',
    ];
    rows.push(`<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`);
  }
  const gcs = log.rows.filter((row) => row.gcKind);
  const gcLine = log.inside ? `<p>${gcs.length} GCs (${gcs.filter((row) => row.gcKind === 'major').length} major), ${(gcs.reduce((sum, row) => sum + (row.gcDurationS ?? 0), 0) * 1000).toFixed(0)} ms in all.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:nth-child(2),th:nth-child(2){text-align:left;max-width:420px;overflow-wrap:anywhere}</style>
</head><body>
${svg}
<table><tr><th>pid</th><th>command</th><th>samples</th><th>time</th><th>RSS first</th><th>RSS peak</th><th>RSS last</th><th>heap used peak</th></tr>
${rows.join('\n')}
</table>
${gcLine}
</body></html>
`;
}
