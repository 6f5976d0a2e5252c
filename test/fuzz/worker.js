// The fuzz worker: runs one reader's library call on each case file it is sent and answers how it
// ended: returned, or threw (the error's class, whether it is a MemtraceError, its message and stack).
// A case that never answers is ended from outside (fuzz.js terminates this worker).
import { parentPort } from 'node:worker_threads';
import { MemtraceError } from '../../dist/src/index.js';
import { READERS } from './readers.js';

parentPort.on('message', async ({ reader: name, path }) => {
  const reader = READERS.find((r) => r.name === name);
  try {
    await reader.read(path);
    parentPort.postMessage({ outcome: 'read' });
  } catch (error) {
    parentPort.postMessage({
      outcome: 'threw',
      memtraceError: error instanceof MemtraceError,
      name: error?.constructor?.name ?? typeof error,
      message: String(error?.message ?? error),
      stack: String(error?.stack ?? ''),
    });
  }
});
