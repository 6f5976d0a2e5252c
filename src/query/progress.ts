/**
 * A progress line on a terminal for DuckDB work that takes more than a second: DuckDB's own estimate
 * (connection.progress, a percentage) and the seconds so far, rewritten in place on stderr and erased
 * when the work ends. Nothing is written when stderr is not a terminal.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** Milliseconds before the line appears: quick work shows nothing. */
const AFTER_MS = 1000;

/** Starts watching; call the returned function when the work is done (or its first rows are out). */
export function showProgress(connection: DuckDBConnection, what: string, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (!stream.isTTY) return () => {};
  const started = Date.now();
  let shown = false;
  const timer = setInterval(() => {
    const elapsed = Date.now() - started;
    if (elapsed < AFTER_MS) return;
    const { percentage } = connection.progress;
    stream.write(`\r${what} ${percentage >= 0 ? `${percentage.toFixed(0)} %` : '…'} (${(elapsed / 1000).toFixed(0)} s)\x1b[K`);
    shown = true;
  }, 250);
  return () => {
    clearInterval(timer);
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
}
