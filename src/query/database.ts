/**
 * A trace directory opened for SQL: DuckDB with one view per table of its traces (views.ts), and the
 * translation of DuckDB's failures into one line that names the directory (and, for a table whose file
 * is missing, the file).
 */
import { QueryError, TraceFileError } from '../shared/errors.js';
import { openEngine, firstLine, type Engine, type EngineSettings } from './engine.js';
import { locateTraces, traceViews, type TraceSet } from './views.js';

export interface TraceDatabase extends Engine {
  traces: TraceSet;
  /** Runs `work`, turning a DuckDB failure into a QueryError of one line. */
  guard<T>(work: () => Promise<T>): Promise<T>;
}

export async function openTraceDatabase(command: string, directory: string, settings: EngineSettings): Promise<TraceDatabase> {
  const traces = locateTraces(directory);
  if (typeof traces === 'string') throw new TraceFileError(directory, traces);
  const set = traceViews(directory, traces);
  const engine = await openEngine(command, settings);
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new QueryError(command, directory, explain(error, set));
    }
  };
  try {
    for (const [name, sql] of set.views) await guard(() => engine.connection.run(`CREATE VIEW "${name}" AS ${sql}`));
  } catch (error) {
    engine.close();
    throw error;
  }
  return { ...engine, traces: set, guard };
}

/** DuckDB's message, first line only; a table of ours whose file the traces lack says which file. */
function explain(error: unknown, set: TraceSet): string {
  const line = firstLine(error).replace(/^Failed to extract statements: /, '');
  const missing = /Table with name (\w+) does not exist/i.exec(line)?.[1]?.toLowerCase();
  if (missing && set.problems.has(missing) && !set.views.has(missing)) return set.problems.get(missing)!;
  if (missing && set.files.has(missing) && !set.views.has(missing)) {
    const where = set.traces.length === 1 ? 'this trace has' : `none of its ${set.traces.length} traces has`;
    return `table ${missing}: ${where} no ${set.files.get(missing)}`;
  }
  if (missing) return `${line} (tables: ${[...set.views.keys()].join(', ')})`;
  return line + csvDetail(error instanceof Error ? error.message : '');
}

/** For a CSV that does not parse (a truncated last row), the file and the column counts from the rest of DuckDB's message. */
function csvDetail(message: string): string {
  const file = /^\s*file = (.+)$/m.exec(message)?.[1];
  const columns = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (!file) return '';
  return ` of ${file}${columns ? ` (${columns[2]} of its ${columns[1]} columns: cut short or not a memtrace file)` : ''}`;
}
