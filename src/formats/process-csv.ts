/**
 * The process log (`memtrace process`, `--import memtrace/process`): one row per process per sample,
 * plus, from inside a process, one row per garbage collection. Sizes in bytes, times in seconds.
 *
 * From outside the columns are PROCESS_COLUMNS; from inside, INSIDE_COLUMNS adds what only the
 * process itself can see (its V8 heap and its GCs). A sample row leaves the gc_* cells empty; a GC
 * row fills time_s (when the GC started), pid, ppid, command and the gc_* cells only.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { TraceFileError } from '../shared/errors.js';
import {
  numberCell,
  optionalNumberCell as optionalNumber,
  readCsvBatches,
  readCsvRowsSync,
  type CsvReadOptions,
  type CsvRowSplitter,
} from './csv-rows.js';

export const PROCESS_COLUMNS = [
  'time_s',
  'pid',
  'ppid',
  'command',
  'rss',
  'uss',
  'pss',
  'page_faults',
  'cpu_user_s',
  'cpu_sys_s',
  'threads',
  'fds',
  'label',
] as const;

export const INSIDE_COLUMNS = [
  ...PROCESS_COLUMNS,
  'heap_used',
  'heap_total',
  'external',
  'array_buffers',
  'gc_kind',
  'gc_duration_s',
  'gc_before',
  'gc_after',
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
    timeS,
    pid,
    ppid,
    command,
    rss: null,
    uss: null,
    pss: null,
    pageFaults: null,
    cpuUserS: null,
    cpuSysS: null,
    threads: null,
    fds: null,
    label: '',
    heapUsed: null,
    heapTotal: null,
    external: null,
    arrayBuffers: null,
    gcKind: '',
    gcDurationS: null,
    gcBefore: null,
    gcAfter: null,
  };
}

const cell = (value: number | null, digits?: number): string =>
  value === null ? '' : digits === undefined ? String(Math.round(value)) : value.toFixed(digits);

function cells(row: ProcessRow, inside: boolean): string[] {
  const base = [
    row.timeS.toFixed(6),
    String(row.pid),
    String(row.ppid),
    row.command,
    cell(row.rss),
    cell(row.uss),
    cell(row.pss),
    cell(row.pageFaults),
    cell(row.cpuUserS, 2),
    cell(row.cpuSysS, 2),
    cell(row.threads),
    cell(row.fds),
    row.label,
  ];
  if (!inside) return base;
  return [
    ...base,
    cell(row.heapUsed),
    cell(row.heapTotal),
    cell(row.external),
    cell(row.arrayBuffers),
    row.gcKind,
    cell(row.gcDurationS, 6),
    cell(row.gcBefore),
    cell(row.gcAfter),
  ];
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
    line[3] = quoted(line[3]);
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
  constructor(
    readonly path: string,
    readonly inside: boolean,
    append = false,
  ) {
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

/** Whether the log's header is INSIDE_COLUMNS' (written from inside the process), from its first bytes. */
function isInsideLog(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new TraceFileError(path, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const header = `${INSIDE_COLUMNS.join(',')}\n`;
    const start = Buffer.alloc(header.length);
    return readSync(fd, start) === header.length && start.toString('utf8') === header;
  } finally {
    closeSync(fd);
  }
}

/** Turns a row's cells into a ProcessRow, for a log with `columns` (outside or inside). */
function processRowOf(columns: readonly string[]) {
  const cell = (cells: string[], name: (typeof INSIDE_COLUMNS)[number]) => {
    const i = columns.indexOf(name);
    return i < 0 ? '' : cells[i];
  };
  return (cells: string[], splitter: CsvRowSplitter): ProcessRow => ({
    timeS: numberCell(cells, 0, 'time_s', splitter),
    pid: numberCell(cells, 1, 'pid', splitter),
    ppid: Number(cells[2]),
    command: cells[3],
    rss: optionalNumber(cells[4]),
    uss: optionalNumber(cells[5]),
    pss: optionalNumber(cells[6]),
    pageFaults: optionalNumber(cells[7]),
    cpuUserS: optionalNumber(cells[8]),
    cpuSysS: optionalNumber(cells[9]),
    threads: optionalNumber(cells[10]),
    fds: optionalNumber(cells[11]),
    label: cells[12],
    heapUsed: optionalNumber(cell(cells, 'heap_used')),
    heapTotal: optionalNumber(cell(cells, 'heap_total')),
    external: optionalNumber(cell(cells, 'external')),
    arrayBuffers: optionalNumber(cell(cells, 'array_buffers')),
    gcKind: cell(cells, 'gc_kind') as GcKind | '',
    gcDurationS: optionalNumber(cell(cells, 'gc_duration_s')),
    gcBefore: optionalNumber(cell(cells, 'gc_before')),
    gcAfter: optionalNumber(cell(cells, 'gc_after')),
  });
}

/** Every row of a process log in one array: for small logs and tests (the plot streams readProcessBatches). */
export function readProcessCsv(path: string, options: CsvReadOptions = {}): ProcessCsv {
  const inside = isInsideLog(path);
  const columns = inside ? INSIDE_COLUMNS : PROCESS_COLUMNS;
  return { inside, rows: readCsvRowsSync(path, columns, processRowOf(columns), options) };
}

/** A process log's rows a chunk at a time, in bounded memory at any length; `inside` says which columns it has. */
export function readProcessBatches(path: string, options: CsvReadOptions = {}): { inside: boolean; batches: AsyncGenerator<ProcessRow[]> } {
  const inside = isInsideLog(path);
  const columns = inside ? INSIDE_COLUMNS : PROCESS_COLUMNS;
  return { inside, batches: readCsvBatches(path, columns, processRowOf(columns), options) };
}
