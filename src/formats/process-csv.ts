/**
 * The process log (`memtrace process`, `--import memtrace/process`): one row per process per sample,
 * plus, from inside a process, one row per garbage collection. Sizes in bytes, times in seconds.
 *
 * From outside the columns are PROCESS_COLUMNS; from inside, INSIDE_COLUMNS adds what only the
 * process itself can see (its V8 heap and its GCs). A sample row leaves the gc_* cells empty; a GC
 * row fills time_s (when the GC started), pid, ppid, command and the gc_* cells only.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { TraceFileError } from '../errors.js';
import { parseCsv, optionalNumber } from './csv.js';

export const PROCESS_COLUMNS = [
  'time_s', 'pid', 'ppid', 'command', 'rss', 'uss', 'pss', 'page_faults', 'cpu_user_s', 'cpu_sys_s', 'threads', 'fds', 'label',
] as const;

export const INSIDE_COLUMNS = [
  ...PROCESS_COLUMNS, 'heap_used', 'heap_total', 'external', 'array_buffers', 'gc_kind', 'gc_duration_s', 'gc_before', 'gc_after',
] as const;

/** minor: scavenge or minor mark-sweep; major: mark-sweep-compact; as V8 and Node's 'gc' entries name them. */
export type GcKind = 'minor' | 'major' | 'incremental' | 'weak';

export interface ProcessRow {
  timeS: number;
  pid: number;
  ppid: number;
  command: string;
  rss: number | null;
  uss: number | null;
  pss: number | null;
  pageFaults: number | null;
  cpuUserS: number | null;
  cpuSysS: number | null;
  threads: number | null;
  fds: number | null;
  /** '' where no label marks this row. */
  label: string;
  heapUsed: number | null;
  heapTotal: number | null;
  external: number | null;
  arrayBuffers: number | null;
  /** '' on a sample row. */
  gcKind: GcKind | '';
  gcDurationS: number | null;
  gcBefore: number | null;
  gcAfter: number | null;
}

export interface ProcessCsv {
  /** Whether the log was written from inside the process (it then has heap and GC columns). */
  inside: boolean;
  rows: ProcessRow[];
}

/** A row with every figure empty, to fill in. */
export function emptyRow(timeS: number, pid: number, ppid: number, command: string): ProcessRow {
  return {
    timeS, pid, ppid, command, rss: null, uss: null, pss: null, pageFaults: null, cpuUserS: null, cpuSysS: null, threads: null, fds: null,
    label: '', heapUsed: null, heapTotal: null, external: null, arrayBuffers: null, gcKind: '', gcDurationS: null, gcBefore: null, gcAfter: null,
  };
}

const cell = (value: number | null, digits?: number): string => (value === null ? '' : digits === undefined ? String(Math.round(value)) : value.toFixed(digits));

function cells(row: ProcessRow, inside: boolean): string[] {
  const base = [
    row.timeS.toFixed(6), String(row.pid), String(row.ppid), row.command, cell(row.rss), cell(row.uss), cell(row.pss), cell(row.pageFaults),
    cell(row.cpuUserS, 2), cell(row.cpuSysS, 2), cell(row.threads), cell(row.fds), row.label,
  ];
  if (!inside) return base;
  return [...base, cell(row.heapUsed), cell(row.heapTotal), cell(row.external), cell(row.arrayBuffers), row.gcKind, cell(row.gcDurationS, 6), cell(row.gcBefore), cell(row.gcAfter)];
}

/** Commands repeat at every sample: each is quoted by csv-stringify once. */
const quotedCache = new Map<string, string>();

function quoted(text: string): string {
  let cell = quotedCache.get(text);
  if (cell === undefined) {
    cell = stringify([[text]], { eof: false });
    if (quotedCache.size < 1000) quotedCache.set(text, cell);
  }
  return cell;
}

/** Formats rows as CSV lines (text cells quoted by csv-stringify). */
export function formatProcessRows(rows: readonly ProcessRow[], inside: boolean): string {
  let text = '';
  for (const row of rows) {
    const line = cells(row, inside);
    line[3] = quoted(line[3]!);
    if (line[12]) line[12] = quoted(line[12]);
    text += `${line.join(',')}\n`;
  }
  return text;
}

/**
 * Appends rows to a process log. Each call writes whole rows with one write, so a log cut short by a
 * kill ends with a complete row.
 */
export class ProcessCsvWriter {
  private fd: number | undefined;

  /** Creates the file with its header, or with `append` adds rows to one that has it. */
  constructor(readonly path: string, readonly inside: boolean, append = false) {
    this.fd = openSync(path, append ? 'a' : 'w');
    if (!append) writeSync(this.fd, `${(inside ? INSIDE_COLUMNS : PROCESS_COLUMNS).join(',')}\n`);
  }

  write(rows: readonly ProcessRow[]): void {
    if (this.fd === undefined || rows.length === 0) return;
    writeSync(this.fd, formatProcessRows(rows, this.inside));
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export function readProcessCsv(path: string): ProcessCsv {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TraceFileError(path, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const inside = text.startsWith(`${INSIDE_COLUMNS.join(',')}\n`);
  const records = parseCsv(path, text, inside ? INSIDE_COLUMNS : PROCESS_COLUMNS);
  const rows = records.map((r) => ({
    timeS: Number(r.time_s),
    pid: Number(r.pid),
    ppid: Number(r.ppid),
    command: r.command ?? '',
    rss: optionalNumber(r.rss),
    uss: optionalNumber(r.uss),
    pss: optionalNumber(r.pss),
    pageFaults: optionalNumber(r.page_faults),
    cpuUserS: optionalNumber(r.cpu_user_s),
    cpuSysS: optionalNumber(r.cpu_sys_s),
    threads: optionalNumber(r.threads),
    fds: optionalNumber(r.fds),
    label: r.label ?? '',
    heapUsed: optionalNumber(r.heap_used),
    heapTotal: optionalNumber(r.heap_total),
    external: optionalNumber(r.external),
    arrayBuffers: optionalNumber(r.array_buffers),
    gcKind: (r.gc_kind ?? '') as GcKind | '',
    gcDurationS: optionalNumber(r.gc_duration_s),
    gcBefore: optionalNumber(r.gc_before),
    gcAfter: optionalNumber(r.gc_after),
  }));
  if (rows.some((row) => Number.isNaN(row.timeS) || Number.isNaN(row.pid))) throw new TraceFileError(path, 'a row has no time_s or pid number');
  return { inside, rows };
}
