/**
 * DuckDB, opened for one command: loaded here and only here (by `memtrace query` and `export`, through a
 * dynamic import), so the tracer, memtrace/register and memtrace/trace never load it, and a platform
 * without its prebuilt binding still installs and runs memtrace.
 *
 * The database is in memory and holds no data of its own: the views read the trace's files. Its
 * memory is bounded (`memory_limit`, spilling to a temporary directory beyond it) and so are its threads;
 * both have defaults here and MEMTRACE_QUERY_MEMORY / MEMTRACE_QUERY_THREADS (or the commands' flags).
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { QueryEngineMissingError, SettingError } from '../shared/errors.js';

export interface EngineSettings {
  /** DuckDB's memory_limit, e.g. '400MB' or '2GB'. */
  memoryLimit: string;
  threads: number;
}

/** 400 MB keeps a group-by over a 1.6 GB events.csv and its Parquet export under 500 MB of RSS (docs/performance.md). */
export const DEFAULT_MEMORY_LIMIT = '400MB';
/** Two at most by default: the machine is usually also running the program being profiled. */
export const DEFAULT_THREADS = Math.min(2, availableParallelism());

/** The settings from flags, else MEMTRACE_QUERY_MEMORY / MEMTRACE_QUERY_THREADS, else the defaults. */
export function engineSettings(flags: { memoryLimit?: string; threads?: string }, env: NodeJS.ProcessEnv = process.env): EngineSettings {
  const memory = flags.memoryLimit ?? env.MEMTRACE_QUERY_MEMORY;
  const memorySetting = flags.memoryLimit === undefined ? 'MEMTRACE_QUERY_MEMORY' : '--memory-limit';
  if (memory !== undefined && !/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memory)) {
    throw new SettingError(memorySetting, memory, 'a size such as 400MB or 2GB');
  }
  const threadsText = flags.threads ?? env.MEMTRACE_QUERY_THREADS;
  const threads = threadsText === undefined ? DEFAULT_THREADS : Number(threadsText);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new SettingError(
      flags.threads === undefined ? 'MEMTRACE_QUERY_THREADS' : '--threads',
      threadsText ?? '',
      'a whole number of threads, 1 or more',
    );
  }
  return { memoryLimit: memory ?? DEFAULT_MEMORY_LIMIT, threads };
}

export interface Engine {
  connection: DuckDBConnection;
  close(): void;
}

/** Loads DuckDB and opens an in-memory database with `settings`; one line (exit 2) when DuckDB is not installed. */
export async function openEngine(command: string, settings: EngineSettings): Promise<Engine> {
  let duckdb: typeof import('@duckdb/node-api');
  try {
    duckdb = await import('@duckdb/node-api');
  } catch (error) {
    throw new QueryEngineMissingError(command, firstLine(error));
  }
  const spill = join(tmpdir(), `memtrace-duckdb-${process.pid}`);
  const instance: DuckDBInstance = await duckdb.DuckDBInstance.create(':memory:', {
    memory_limit: settings.memoryLimit,
    threads: String(settings.threads),
    temp_directory: spill,
    // Nothing leaves the machine: no extension is fetched at run time.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  // Progress is polled by `export` (connection.progress); DuckDB itself prints nothing. (Connection
  // settings: DuckDBInstance.create refuses these two.)
  await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
      rmSync(spill, { recursive: true, force: true });
    },
  };
}

/** The first line of an error's message: DuckDB's messages go on with hints and context. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (
    message
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? 'unknown error'
  );
}
