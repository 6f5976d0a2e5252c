/**
 * `node --import memtrace/process app.js`: logs this process's memory over time (settings from
 * MEMTRACE_PROCESS_INTERVAL and MEMTRACE_PROCESS_OUT). Only the main thread starts a log: worker
 * threads share the process's /proc figures.
 */
import { isMainThread } from 'node:worker_threads';
import { MemtraceError } from '../src/shared/errors.js';
import { startProcessLog, stopProcessLog } from '../src/process/inside-logger.js';

if (isMainThread && process.env.MEMTRACE_DISABLE !== '1') {
  try {
    startProcessLog();
    // A program that ends by running out of work gets a last sample; after process.exit() or a fatal
    // signal the log ends at the previous sample (every row written is complete).
    process.once('beforeExit', () => void stopProcessLog());
  } catch (error) {
    if (!(error instanceof MemtraceError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
