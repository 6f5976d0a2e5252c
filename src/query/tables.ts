/**
 * The tables `memtrace query` and `memtrace export` show over a trace directory: which file each reads
 * and the SQL type of every column. The column names come from the formats' own lists (EVENT_COLUMNS,
 * ...), so a column added to a writer fails to compile here until it has a type. docs/query.md
 * documents the same columns; test/query/views.test.js checks DESCRIBE against this table.
 *
 * Every table but `process` also has `trace` (the trace directory's name) and `pid` (the traced process),
 * so one query covers the several traces of a `memtrace run` directory as it does one; `process` (whose
 * rows have their own pid) has `log`, the name of the CSV each row came from.
 */
import type { EVENT_COLUMNS } from '../formats/events-csv.js';
import type { FUNCTION_COLUMNS } from '../formats/functions-csv.js';
import type { ALLOCATION_COLUMNS } from '../formats/allocations-csv.js';
import type { INSIDE_COLUMNS } from '../formats/process-csv.js';
import type { NATIVE_ALLOCATION_COLUMNS, NATIVE_STACK_COLUMNS } from '../formats/native-csv.js';

export type SqlType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMP' | 'VARCHAR[]' | 'JSON';

/** A table read from one CSV file per trace directory, with a type for each of its columns. */
export interface CsvTable<C extends string = string> {
  name: string;
  file: string;
  columns: Readonly<Record<C, SqlType>>;
}

const STACK_COLUMNS = ['stack_id', 'parent_id', 'function', 'file', 'line', 'column', 'kind'] as const;

const events: CsvTable<(typeof EVENT_COLUMNS)[number]> = {
  name: 'events',
  file: 'events.csv',
  columns: {
    seq: 'BIGINT',
    time_ns: 'BIGINT',
    event: 'VARCHAR',
    function_id: 'INTEGER',
    function: 'VARCHAR',
    file: 'VARCHAR',
    line: 'INTEGER',
    column: 'INTEGER',
    depth: 'INTEGER',
    async_id: 'BIGINT',
    heap_used: 'BIGINT',
    d_heap: 'BIGINT',
    allocated: 'BIGINT',
    d_allocated: 'BIGINT',
    rss: 'BIGINT',
    external: 'BIGINT',
    array_buffers: 'BIGINT',
  },
};

const functions: CsvTable<(typeof FUNCTION_COLUMNS)[number]> = {
  name: 'functions',
  file: 'functions.csv',
  columns: {
    function: 'VARCHAR',
    file: 'VARCHAR',
    line: 'INTEGER',
    column: 'INTEGER',
    calls: 'BIGINT',
    measured_calls: 'BIGINT',
    self_alloc_bytes: 'BIGINT',
    total_alloc_bytes: 'BIGINT',
    max_heap_growth_bytes: 'BIGINT',
    self_time_ns: 'BIGINT',
    total_time_ns: 'BIGINT',
  },
};

const allocations: CsvTable<(typeof ALLOCATION_COLUMNS)[number]> = {
  name: 'allocations',
  file: 'allocations.csv',
  columns: {
    function: 'VARCHAR',
    file: 'VARCHAR',
    line: 'INTEGER',
    column: 'INTEGER',
    self_bytes: 'BIGINT',
    total_bytes: 'BIGINT',
    self_count: 'BIGINT',
    stack_id: 'INTEGER',
  },
};

const stacks: CsvTable<(typeof STACK_COLUMNS)[number]> = {
  name: 'stacks',
  file: 'stacks.csv',
  columns: {
    stack_id: 'INTEGER',
    parent_id: 'INTEGER',
    function: 'VARCHAR',
    file: 'VARCHAR',
    line: 'INTEGER',
    column: 'INTEGER',
    kind: 'VARCHAR',
  },
};

/** `memtrace run --native`'s estimates (docs/native.md): by JS function, native stack and thread. */
const nativeAllocations: CsvTable<(typeof NATIVE_ALLOCATION_COLUMNS)[number]> = {
  name: 'native_allocations',
  file: 'native-allocations.csv',
  columns: {
    function: 'VARCHAR',
    file: 'VARCHAR',
    line: 'INTEGER',
    native_stack_id: 'INTEGER',
    thread: 'VARCHAR',
    thread_name: 'VARCHAR',
    allocated_bytes: 'BIGINT',
    allocated_count: 'BIGINT',
    freed_bytes: 'BIGINT',
    live_bytes_at_exit: 'BIGINT',
    samples: 'BIGINT',
  },
};

/** The native stacks: frames innermost first, separated by ';' (string_split(frames, ';') lists them). */
const nativeStacks: CsvTable<(typeof NATIVE_STACK_COLUMNS)[number]> = {
  name: 'native_stacks',
  file: 'native-stacks.csv',
  columns: {
    native_stack_id: 'INTEGER',
    frames: 'VARCHAR',
  },
};

/**
 * The process log (docs/process.md), written from inside (all columns) or from outside (the first 13):
 * a log from outside reads the others as NULL. It is found as process.csv or memtrace-process-*.csv.
 */
const processLog: CsvTable<(typeof INSIDE_COLUMNS)[number]> = {
  name: 'process',
  file: 'process.csv',
  columns: {
    time_s: 'DOUBLE',
    pid: 'INTEGER',
    ppid: 'INTEGER',
    command: 'VARCHAR',
    rss: 'BIGINT',
    uss: 'BIGINT',
    pss: 'BIGINT',
    page_faults: 'BIGINT',
    cpu_user_s: 'DOUBLE',
    cpu_sys_s: 'DOUBLE',
    threads: 'INTEGER',
    fds: 'INTEGER',
    label: 'VARCHAR',
    heap_used: 'BIGINT',
    heap_total: 'BIGINT',
    external: 'BIGINT',
    array_buffers: 'BIGINT',
    gc_kind: 'VARCHAR',
    gc_duration_s: 'DOUBLE',
    gc_before: 'BIGINT',
    gc_after: 'BIGINT',
  },
};

export const CSV_TABLES: readonly CsvTable[] = [events, functions, allocations, stacks, nativeAllocations, nativeStacks, processLog];
export const PROCESS_TABLE: CsvTable = processLog;

/** meta.json, flattened: each column is the JSON path beside it, cast to its type. */
export const META_COLUMNS: readonly { name: string; type: SqlType; path: string }[] = [
  { name: 'memtrace', type: 'VARCHAR', path: '$.memtrace' },
  { name: 'node', type: 'VARCHAR', path: '$.node' },
  { name: 'ppid', type: 'INTEGER', path: '$.ppid' },
  { name: 'thread_id', type: 'INTEGER', path: '$.threadId' },
  { name: 'argv', type: 'VARCHAR[]', path: '$.argv' },
  { name: 'start_time', type: 'TIMESTAMP', path: '$.startTime' },
  { name: 'end_time', type: 'TIMESTAMP', path: '$.endTime' },
  { name: 'counters', type: 'VARCHAR', path: '$.counters' },
  { name: 'lines', type: 'BOOLEAN', path: '$.probes.lines' },
  { name: 'exact', type: 'BOOLEAN', path: '$.probes.exact' },
  { name: 'trigger', type: 'BIGINT', path: '$.trigger' },
  { name: 'measured_calls', type: 'BIGINT', path: '$.events.measuredCalls' },
  { name: 'rows_written', type: 'BIGINT', path: '$.events.rowsWritten' },
  { name: 'functions', type: 'INTEGER', path: '$.functions' },
  { name: 'exit_reason', type: 'VARCHAR', path: '$.exit.reason' },
  { name: 'exit_code', type: 'VARCHAR', path: '$.exit.code' },
  { name: 'json', type: 'JSON', path: '$' },
];

export const TABLE_NAMES: readonly string[] = [...CSV_TABLES.map((table) => table.name), 'meta'];
