/**
 * What a failed write of the trace means, and the one line that says so. A fault never reaches the
 * traced program: event rows stop, the summaries are still written where they can be, the program
 * goes on with the same output and exit code.
 */
import { writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Fault, type WriterState } from './writer-state.js';

export function faultOf(error: unknown): Fault {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return Fault.DiskFull;
  if (code === 'ENOENT') return Fault.DirectoryDeleted;
  return Fault.WriteError;
}

export function faultMessage(fault: Fault, file: string, error?: unknown): string {
  switch (fault) {
    case Fault.DiskFull:
      return `memtrace: disk full writing ${file}; tracing stopped, the program goes on`;
    case Fault.DirectoryDeleted:
      return `memtrace: the trace directory ${dirname(file)} was deleted; tracing stopped, the program goes on`;
    default: {
      const e = error as NodeJS.ErrnoException | undefined;
      return `memtrace: cannot write ${file}: ${e?.code ?? e?.message ?? 'write failed'}; tracing stopped, the program goes on`;
    }
  }
}

/**
 * Records the fault met writing `file`; the first thread to meet one prints its line. Straight to
 * file descriptor 2, so a writer thread's line does not wait for the traced thread's event loop.
 */
export function reportFault(state: WriterState, fault: Fault, file: string, error?: unknown): void {
  if (!state.setFault(fault)) return;
  try {
    writeSync(2, `${faultMessage(fault, file, error)}\n`);
  } catch {
    // stderr closed: nothing else to tell
  }
}
