/**
 * Writing out on the ways a process ends: normal exit, process.exit(), an uncaught exception (all
 * three pass through 'exit'), and SIGINT/SIGTERM/SIGHUP. One listener per signal for everything of
 * memtrace's that records (the tracer, whole-run allocation sampling): if the program handles the
 * signal itself and goes on, each writes what it has so far and keeps recording; if not, each stops
 * and writes, and the signal is raised again so the process ends as it would have.
 */

/** Why a trace ended: stop(), the process exiting (with its code) or a signal. */
export interface StopReason {
  reason: string;
  code?: number | string;
}

export interface EndOfProcessTask {
  /** The program goes on after a signal it handles: write what is recorded so far. */
  flush(reason: StopReason): void;
  /** The process ends: write everything and stop recording. */
  stop(reason: StopReason): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const tasks: EndOfProcessTask[] = [];

/**
 * Registers `task`. Tasks run last registered first: a recorder that builds on one started before it
 * (allocation sampling on the tracer's line probes and directory) ends before it.
 */
export function onProcessEnd(task: EndOfProcessTask): void {
  tasks.unshift(task);
  if (tasks.length > 1) return;
  process.once('exit', (code) => {
    for (const t of tasks) t.stop({ reason: 'exit', code });
  });
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      if (process.listeners(signal).some((listener) => listener !== onSignal)) {
        for (const t of tasks) t.flush({ reason: signal });
        return;
      }
      for (const t of tasks) t.stop({ reason: signal });
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
