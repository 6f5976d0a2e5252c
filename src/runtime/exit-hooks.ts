/**
 * Flushing on the ways a process ends: normal exit, process.exit(), an uncaught exception (all three
 * pass through 'exit'), and SIGINT/SIGTERM/SIGHUP. On a signal the trace is flushed; then, if the
 * program has no handler of its own, the signal is raised again so the process ends as it would have.
 */
import type { Tracer } from './tracer.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function installExitHooks(tracer: Tracer): void {
  process.once('exit', (code) => tracer.stop({ reason: 'exit', code }));
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      const programHandles = process.listenerCount(signal) > 1;
      if (programHandles) {
        tracer.flush({ reason: signal });
        return;
      }
      tracer.stop({ reason: signal });
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
