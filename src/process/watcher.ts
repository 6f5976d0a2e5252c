/**
 * The outside logger: samples a process and its descendants from /proc at an interval and appends one
 * row per process per sample to a process CSV. `memtrace process` runs it around a command or a pid.
 */
import { ProcessCsvWriter, type ProcessRow } from '../formats/process-csv.js';
import { ProcFiles, sampleRow } from './proc-reader.js';
import { ProcessTree } from './process-tree.js';

export interface WatchOptions {
  /** Seconds between samples. */
  intervalS: number;
  /** The CSV file to write. */
  out: string;
  /**
   * Seconds between reads of USS/PSS (smaps_rollup: milliseconds each for a node process, holding its
   * memory-map lock); the rows in between leave them empty. Default 1; 0: never.
   */
  smapsIntervalS?: number;
  /** Called with each sample's rows (the live view). */
  onSample?: (rows: readonly ProcessRow[]) => void;
  /** Labels from outside: polled at each sample. */
  takeLabels?: () => string[];
}

export class ProcessWatcher {
  private readonly tree: ProcessTree;
  private readonly writer: ProcessCsvWriter;
  private readonly startNs = process.hrtime.bigint();
  private readonly labels: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private readonly files = new Map<number, ProcFiles>();
  private smapsAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  samples = 0;

  constructor(
    readonly pid: number,
    private readonly options: WatchOptions,
  ) {
    this.tree = new ProcessTree(pid);
    this.writer = new ProcessCsvWriter(options.out, false);
  }

  /** Samples now and then every interval, on a schedule that does not drift. */
  start(): this {
    this.sample();
    this.schedule();
    return this;
  }

  /** Marks the next sample's first row. */
  label(text: string): void {
    this.labels.push(text);
  }

  /** Takes a sample: one row per live process of the tree (none once they all exited). */
  sample(): ProcessRow[] {
    if (this.stopped) return [];
    this.labels.push(...(this.options.takeLabels?.() ?? []));
    const timeS = Number(process.hrtime.bigint() - this.startNs) / 1e9;
    const rows: ProcessRow[] = [];
    const smapsEvery = this.options.smapsIntervalS ?? 1;
    const smaps = smapsEvery > 0 && timeS - this.smapsAt >= smapsEvery * 0.999;
    if (smaps) this.smapsAt = timeS;
    const members = this.tree.members();
    for (const [pid, files] of this.files) {
      if (members.includes(pid)) continue;
      files.close();
      this.files.delete(pid);
    }
    for (const pid of members) {
      let files = this.files.get(pid);
      if (!files) this.files.set(pid, (files = new ProcFiles(pid)));
      const proc = files.sample(smaps);
      if (!proc) continue;
      rows.push(sampleRow(timeS, proc));
    }
    if (rows.length > 0 && this.labels.length > 0) rows[0].label = this.labels.splice(0).join('; ');
    this.writer.write(rows);
    this.samples++;
    this.options.onSample?.(rows);
    return rows;
  }

  /** Takes a last sample (unless `final` is false) and closes the file. */
  stop(final = true): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (final) this.sample();
    this.stopped = true;
    this.writer.close();
    this.tree.close();
    for (const files of this.files.values()) files.close();
  }

  private schedule(): void {
    const intervalNs = this.options.intervalS * 1e9;
    const elapsed = Number(process.hrtime.bigint() - this.startNs);
    // The next tick on the grid start + k·interval that is still ahead (late ticks are skipped, not bunched).
    this.ticks = Math.max(this.ticks + 1, Math.ceil(elapsed / intervalNs));
    this.timer = setTimeout(
      () => {
        this.sample();
        if (!this.stopped) this.schedule();
      },
      Math.max(0, (this.ticks * intervalNs - elapsed) / 1e6),
    );
  }
}
