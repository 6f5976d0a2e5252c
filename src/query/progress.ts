/**
 * Progress on a terminal for DuckDB work that takes more than a second: the project's progress bar
 * (src/heap/progress.ts) with DuckDB's own estimate (connection.progress, a percentage) and the
 * seconds so far, erased when the work ends. Nothing is written when stderr is not a terminal.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { progressBar } from '../heap/progress.js';

/** Milliseconds before the bar appears: quick work shows nothing. */
const AFTER_MS = 1000;

/** Starts watching; call the returned function when the work is done (or its first rows are out). */
export function showProgress(connection: DuckDBConnection, what: string, stream: NodeJS.WriteStream = process.stderr): () => void {
  const started = Date.now();
  // The project's progress bar, fed DuckDB's percentage (negative while it has no estimate).
  const bar = progressBar(stream, what, () => `(${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (!bar) return () => {};
  const timer = setInterval(() => {
    if (Date.now() - started >= AFTER_MS) bar.update(Math.max(connection.progress.percentage, 0), 100);
  }, 250);
  return () => {
    clearInterval(timer);
    bar.phase();
  };
}
