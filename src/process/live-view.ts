/**
 * `memtrace process --live`: the latest sample as a table per process, each figure's change since the
 * previous sample coloured (red up, green down), redrawn in place on a terminal like pymemtrace's
 * process_tree. When the stream is not a TTY it prints plain lines instead, one per process per sample.
 */
import type { ProcessRow } from '../formats/process-csv.js';
import { formatBytes } from '../shared/units.js';

const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const RESET = '\x1b[0m';

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const known = (bytes: number | null | undefined): string => (bytes === null || bytes === undefined ? '' : formatBytes(bytes));

export class LiveView {
  private previous = new Map<number, ProcessRow>();
  /** USS/PSS are read less often than the rest: the latest reading per pid, and the one before it. */
  private smaps = new Map<number, { uss: number; pss: number | null; before: number | null }>();
  private drawnLines = 0;

  constructor(private readonly out: Stream = process.stderr) {}

  update(rows: readonly ProcessRow[]): void {
    for (const row of rows) {
      if (row.uss === null) continue;
      this.smaps.set(row.pid, { uss: row.uss, pss: row.pss, before: this.smaps.get(row.pid)?.uss ?? null });
    }
    const text = this.out.isTTY ? this.table(rows) : this.plain(rows);
    this.previous = new Map(rows.map((row) => [row.pid, row]));
    this.out.write(text);
  }

  private change(row: ProcessRow, key: 'rss' | 'uss', colour: boolean): string {
    const smaps = this.smaps.get(row.pid);
    const before = key === 'uss' ? (row.uss === null ? null : smaps?.before) : this.previous.get(row.pid)?.rss;
    const now = row[key];
    if (now === null || before === null || before === undefined) return '';
    const delta = now - before;
    const text = formatBytes(delta, true);
    if (!colour || delta === 0) return text;
    return `${delta > 0 ? RED : GREEN}${text}${RESET}`;
  }

  private plain(rows: readonly ProcessRow[]): string {
    return rows
      .map((row) => {
        const rss = `rss ${formatBytes(row.rss ?? 0)}${this.previous.has(row.pid) ? ` (${this.change(row, 'rss', false)})` : ''}`;
        const uss = row.uss === null ? '' : ` uss ${formatBytes(row.uss)}`;
        return `${row.timeS.toFixed(2)}s pid ${row.pid} ${rss}${uss} threads ${row.threads ?? ''} fds ${row.fds ?? ''} ${row.command.slice(0, 60)}${row.label ? ` [${row.label}]` : ''}\n`;
      })
      .join('');
  }

  private table(rows: readonly ProcessRow[]): string {
    const header = ['pid', 'ppid', 'rss', 'Δrss', 'uss', 'Δuss', 'pss', 'cpu s', 'thr', 'fds', 'command'];
    const lines = rows.map((row) => [
      String(row.pid),
      String(row.ppid),
      formatBytes(row.rss ?? 0),
      this.change(row, 'rss', true),
      known(this.smaps.get(row.pid)?.uss),
      this.change(row, 'uss', true),
      known(this.smaps.get(row.pid)?.pss),
      ((row.cpuUserS ?? 0) + (row.cpuSysS ?? 0)).toFixed(2),
      String(row.threads ?? ''),
      String(row.fds ?? ''),
      row.command.slice(0, 50),
    ]);
    const visible = (text: string): number => text.replace(/\x1b\[\d+m/g, '').length;
    const widths = header.map((title, i) => Math.max(visible(title), ...lines.map((line) => visible(line[i]))));
    const pad = (cells: string[]): string =>
      cells.map((text, i) => (i === cells.length - 1 ? text : ' '.repeat(widths[i] - visible(text)) + text)).join('  ');
    const time = rows[0] ? `${rows[0].timeS.toFixed(1)} s${rows[0].label ? `  [${rows[0].label}]` : ''}` : 'no process';
    const body = [time, pad(header), ...lines.map(pad)];
    // Move up over the previous table and clear it, then draw.
    const clear = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A\x1b[J` : '';
    this.drawnLines = body.length;
    return `${clear}${body.join('\n')}\n`;
  }
}
