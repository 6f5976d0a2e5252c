/** How the CLI reads big files: one progress bar and one truncation line for every command that streams. */
import { progressBar } from '../heap/progress.js';
import type { CsvReadOptions } from '../formats/csv-rows.js';

/** Reading a trace file from the CLI: a progress bar on a terminal once it takes over a second, and a line when the file ends mid-row. */
export class Reading {
  truncated = false;

  options(label: string): CsvReadOptions & { done(): void } {
    const bar = progressBar(process.stderr, label);
    const started = Date.now();
    return {
      onProgress: (done, total) => {
        if (bar && Date.now() - started >= 1000) bar.update(done, total);
      },
      onTruncated: (line) => {
        bar?.phase();
        process.stderr.write(`${line}\n`);
        this.truncated = true;
      },
      done: () => bar?.phase(),
    };
  }
}
