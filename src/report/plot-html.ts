/** An HTML page around the plot's SVG, with a table of each process's figures: one file to attach to a bug report. */
import { PLOT_BUCKETS, type ProcessLogDigest } from './plot-model.js';
import { formatBytes } from '../shared/units.js';
import { escapeHtml } from './html/escape.js';

export function renderPlotHtml(log: ProcessLogDigest, svg: string, title: string): string {
  const rows: string[] = [];
  for (const p of log.processes()) {
    const cells = [
      String(p.pid),
      escapeHtml(p.command),
      String(p.samples),
      `${p.firstS.toFixed(2)}–${p.lastS.toFixed(2)} s`,
      formatBytes(p.rssFirst),
      formatBytes(p.rssPeak),
      formatBytes(p.rssLast),
      p.heapPeak !== null ? formatBytes(p.heapPeak) : '',
    ];
    rows.push(`<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`);
  }
  const gcLine = log.inside ? `<p>${log.gcCount} GCs (${log.majorGcs} major), ${(log.gcSeconds * 1000).toFixed(0)} ms in all.</p>` : '';
  const drawn =
    log.rows > PLOT_BUCKETS
      ? `<p>${log.rows.toLocaleString('en-US')} rows of the log, drawn as the lowest and highest reading of each of up to ${PLOT_BUCKETS} time buckets per series.</p>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:nth-child(2),th:nth-child(2){text-align:left;max-width:420px;overflow-wrap:anywhere}</style>
</head><body>
${svg}
<table><tr><th>pid</th><th>command</th><th>samples</th><th>time</th><th>RSS first</th><th>RSS peak</th><th>RSS last</th><th>heap used peak</th></tr>
${rows.join('\n')}
</table>
${gcLine}${drawn}
</body></html>
`;
}
