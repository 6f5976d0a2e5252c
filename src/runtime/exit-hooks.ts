/**
 * Flushing on the ways a process ends: normal exit, process.exit(), an uncaught exception (all three
 * pass through 'exit'), and SIGINT/SIGTERM/SIGHUP. On a signal the trace is flushed; then, if the
 * program has no handler of its own, the signal is raised again so the process ends as it would have.
 */
import type { Tracer } from './tracer.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Marks memtrace's signal listeners (the tracer's, allocation sampling's): they are not the program's. */
export const MEMTRACE_LISTENER = Symbol.for('memtrace.listener');

/** Whether the program itself listens to `signal` (besides `own` and memtrace's marked listeners). */
export function programHandles(signal: NodeJS.Signals, own: (...args: unknown[]) => void): boolean {
  return process.listeners(signal).some((listener) => listener !== own && !(MEMTRACE_LISTENER in listener));
}

export function installExitHooks(tracer: Tracer): void {
  process.once('exit', (code) => tracer.stop({ reason: 'exit', code }));
  for (const signal of SIGNALS) {
    const onSignal = Object.assign((): void => {
      if (programHandles(signal, onSignal)) {
        tracer.flush({ reason: signal });
        return;
      }
      tracer.stop({ reason: signal });
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    }, { [MEMTRACE_LISTENER]: true });
    process.on(signal, onSignal);
  }
}
