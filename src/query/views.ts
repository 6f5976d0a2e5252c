/**
 * The views over a trace directory: which traces DIR holds (itself, or the memtrace-<pid>-<time>
 * directories of one `memtrace run` under it), and one `CREATE VIEW` per table whose file at least one
 * of them has. Files are read with explicit column types, never sniffed: auto-detection samples the
 * first rows and can guess a type that row 11 million breaks.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { eventFiles, findTraces } from '../formats/trace-directory.js';
import { CSV_TABLES, META_COLUMNS, PROCESS_TABLE, type CsvTable } from './tables.js';

export interface TraceDirectory {
  /** The directory's own name: the `trace` column. */
  name: string;
  path: string;
  /** The traced process, from the directory name or meta.json; null when neither says. */
  pid: number | null;
}

export interface TraceSet {
  /** What the user named. */
  directory: string;
  traces: TraceDirectory[];
  /** Table name → the SQL of its view; a table no trace has a file for is absent. */
  views: Map<string, string>;
  /** Table name → the file it reads, for the one-line error when that table is queried but absent. */
  files: Map<string, string>;
  /** Table name → why a file of it was left out (a header that is not the table's): its one-line error. */
  problems: Map<string, string>;
}

/** The files that make a directory a trace of its own (any one will do: a crashed run may lack some). */
const TRACE_FILES = ['meta.json', 'events.csv', 'functions.csv', 'allocations.csv'];

/** The traces DIR holds (none when it holds only process logs), or a one-line problem when it holds neither. */
export function locateTraces(directory: string): TraceDirectory[] | string {
  if (!existsSync(directory)) return 'no such directory';
  if (!statSync(directory).isDirectory()) return 'not a directory (name a trace directory, or the --out directory of memtrace run)';
  const own = TRACE_FILES.some((file) => existsSync(join(directory, file)));
  const paths = own ? [directory] : findTraces(directory);
  if (paths.length === 0 && processLogs(directory).length === 0) {
    return `not a trace directory: none of ${TRACE_FILES.join(', ')} in it, nor memtrace-* trace directories, nor a process log`;
  }
  return paths.map((path) => ({ name: basename(resolve(path)), path, pid: pidOf(path) }));
}

function pidOf(path: string): number | null {
  const fromName = /^memtrace-(\d+)(?:-t\d+)?-/.exec(basename(resolve(path)));
  if (fromName) return Number(fromName[1]);
  try {
    const pid = (JSON.parse(readFileSync(join(path, 'meta.json'), 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : null;
  } catch {
    return null;
  }
}

/** process.csv or memtrace-process-*.csv in a directory (`memtrace process --out`, MEMTRACE_PROCESS_OUT). */
function processLogs(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name === PROCESS_TABLE.file || /^memtrace-process-.*\.csv$/.test(name))
    .map((name) => join(directory, name));
}

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function sqlName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A file worth reading: present and not empty (a process killed before its first flush leaves 0 bytes). */
function readable(path: string): boolean {
  return existsSync(path) && statSync(path).size > 0;
}

/** The columns a CSV file's header names: a process log from outside has fewer than one from inside. */
function headerOf(path: string): string[] {
  const head = Buffer.alloc(4096);
  const fd = openSync(path, 'r');
  try {
    const length = readSync(fd, head, 0, head.length, 0);
    return head.toString('utf8', 0, length).split('\n')[0].trim().split(',');
  } finally {
    closeSync(fd);
  }
}

/** Whether a file's header is the table's (a process log from outside has the first 13 columns only). */
function headerFits(table: CsvTable, header: string[]): boolean {
  const names = Object.keys(table.columns);
  const expected = table === PROCESS_TABLE && header.length < names.length ? names.slice(0, header.length) : names;
  return header.length === expected.length && header.every((name, i) => name === expected[i]);
}

/**
 * read_csv of one file as `table`'s columns, each cast to its type; columns the file lacks are NULL.
 * A trace's table gets its `trace` and `pid`; a process log (whose rows have their own pid) its file name.
 */
function readCsv(table: CsvTable, path: string, trace: TraceDirectory | undefined): string {
  const all = Object.entries(table.columns);
  const present = table === PROCESS_TABLE ? new Set(headerOf(path)) : new Set(all.map(([name]) => name));
  const fileColumns = all.filter(([name]) => present.has(name));
  const columns = `{${fileColumns.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ')}}`;
  const select = all.map(([name, type]) => (present.has(name) ? sqlName(name) : `NULL::${type} AS ${sqlName(name)}`));
  return (
    `SELECT ${select.join(', ')}, ${trace ? `${sqlString(trace.name)} AS trace, ${trace.pid ?? 'NULL'}::INTEGER AS pid` : `${sqlString(basename(path))} AS log`} ` +
    `FROM read_csv(${sqlString(path)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${columns})`
  );
}

function metaView(traces: TraceDirectory[]): string | undefined {
  const parts = traces
    .filter((trace) => readable(join(trace.path, 'meta.json')))
    .map((trace) => {
      const columns = META_COLUMNS.map(({ name, type, path }) => {
        if (type === 'JSON') return `json(json) AS ${sqlName(name)}`;
        if (type === 'VARCHAR[]') return `CAST(json -> ${sqlString(path)} AS VARCHAR[]) AS ${sqlName(name)}`;
        return `TRY_CAST(json ->> ${sqlString(path)} AS ${type}) AS ${sqlName(name)}`;
      });
      return `SELECT ${columns.join(', ')}, ${sqlString(trace.name)} AS trace, ${trace.pid ?? 'NULL'}::INTEGER AS pid FROM read_json_objects(${sqlString(join(trace.path, 'meta.json'))}, format = 'unstructured')`;
    });
  return parts.length > 0 ? parts.join('\nUNION ALL ') : undefined;
}

/** The views of the traces in `directory`. */
export function traceViews(directory: string, traces: TraceDirectory[]): TraceSet {
  const views = new Map<string, string>();
  const files = new Map<string, string>();
  const problems = new Map<string, string>();
  // Process logs sit beside the traces (memtrace process --out DIR/process.csv) or in one of them.
  const logs = [...new Set([directory, ...traces.map((trace) => trace.path)])].flatMap(processLogs);
  for (const table of CSV_TABLES) {
    files.set(table.name, table === PROCESS_TABLE ? 'process.csv (or memtrace-process-*.csv)' : table.file);
    const sources =
      table === PROCESS_TABLE
        ? logs.map((path) => ({ path, trace: undefined }))
        : // events: every events file of a trace (events.N.csv rotated by --max-trace-size, then events.csv).
          traces.flatMap((trace) =>
            (table.name === 'events' ? eventFiles(trace.path) : [join(trace.path, table.file)]).map((path) => ({ path, trace })),
          );
    const parts = sources
      .filter(({ path }) => readable(path))
      .flatMap(({ path, trace }) => {
        if (headerFits(table, headerOf(path))) return [readCsv(table, path, trace)];
        problems.set(table.name, `${path}: not a memtrace ${table.file} (its first line is not ${Object.keys(table.columns).join(',')})`);
        return [];
      });
    if (parts.length > 0) views.set(table.name, parts.join('\nUNION ALL '));
  }
  files.set('meta', 'meta.json');
  const meta = metaView(traces);
  if (meta) views.set('meta', meta);
  return { directory, traces, views, files, problems };
}
