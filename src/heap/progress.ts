/** A one-line progress bar on a terminal (stderr), redrawn at most ten times a second. */
import { formatBytes } from '../shared/units.js';

export interface Progress {
  update(done: number, total: number): void;
  /** Replaces the bar with a note of the phase that follows (dominators, …), or clears it. */
  phase(text?: string): void;
}

const WIDTH = 30;

/** What follows the bar: bytes by default (`12.0 MiB of 1.50 GiB`); DuckDB's work is a percentage. */
const describeBytes = (done: number, total: number): string => `${formatBytes(done)} of ${formatBytes(total)}`;

/** A progress bar on `stream`, or undefined when it is not a terminal (a file or a pipe gets nothing). */
export function progressBar(stream: NodeJS.WriteStream, label: string, describe = describeBytes): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let last = 0;
  const clear = () => stream.write('\r\x1b[K');
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const fraction = total > 0 ? Math.min(done / total, 1) : 0;
      const filled = Math.round(fraction * WIDTH);
      clear();
      stream.write(
        `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0)}% ${describe(done, total)}`,
      );
    },
    phase(text) {
      clear();
      if (text) stream.write(`${label}: ${text}`);
    },
  };
}
