/**
 * Labels from outside the process: each line written to a FIFO (`echo 'loading' > PATH`) marks the
 * next sample row, as pymemtrace's add_message_to_queue does from inside. The FIFO is read without
 * blocking at each sample, so a writer never holds the logger up.
 */
import { closeSync, constants, existsSync, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { SettingError } from '../shared/errors.js';

export class LabelFifo {
  private fd: number;
  private pending = '';
  private readonly created: boolean;
  private readonly chunk = Buffer.alloc(4096);

  /** Opens the FIFO at `path`, creating it (with mkfifo) if nothing is there. */
  constructor(readonly path: string) {
    this.created = !existsSync(path);
    if (this.created) {
      const made = spawnSync('mkfifo', ['-m', '600', path], { encoding: 'utf8' });
      if (made.status !== 0)
        throw new SettingError('--labels', path, `cannot create a FIFO there (${(made.stderr || made.error?.message || '').trim()})`);
    } else if (!statSync(path).isFIFO()) {
      throw new SettingError('--labels', path, 'it exists and is not a FIFO');
    }
    // Read-write keeps one writer open (ours), so the FIFO never reports end-of-file between writers.
    this.fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  }

  /** The complete lines written since the last call. */
  take(): string[] {
    for (;;) {
      let n = 0;
      try {
        n = readSync(this.fd, this.chunk, 0, this.chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
      if (n === 0) break;
      this.pending += this.chunk.toString('utf8', 0, n);
    }
    const end = this.pending.lastIndexOf('\n');
    if (end < 0) return [];
    const lines = this.pending
      .slice(0, end)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    this.pending = this.pending.slice(end + 1);
    return lines;
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    if (this.created) unlinkSync(this.path);
  }
}
