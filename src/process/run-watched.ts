/**
 * `memtrace process -- cmd` and `--pid N`: the outside logger around a command it starts, or a process
 * that runs already, until it exits or the user stops it.
 *
 * Signals: while a command runs, SIGINT and SIGQUIT are ignored here (the terminal sends them to the
 * whole foreground group, so the command gets them itself and decides when to exit; `time` and shells
 * do the same); SIGTERM and SIGHUP are passed on to the command. Either way the logger keeps sampling
 * until the command has exited, then writes its last rows and closes the CSV.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CommandNotFoundError, ProcessNotFoundError } from '../shared/errors.js';
import { processExists } from './proc-reader.js';
import { ProcessWatcher, type WatchOptions } from './watcher.js';

/** A shell's exit status for a process killed by `signal`: 128 + its number. */
function signalStatus(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** Runs `command`, logging it and its children; resolves to its exit status. */
export function watchCommand(command: readonly string[], options: WatchOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
    let watcher: ProcessWatcher | undefined;
    const ignore = (): void => {};
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    const handlers: Array<[NodeJS.Signals, (signal: NodeJS.Signals) => void]> = [
      ['SIGINT', ignore],
      ['SIGQUIT', ignore],
      ['SIGTERM', forward],
      ['SIGHUP', forward],
    ];
    const cleanup = (): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    for (const [signal, handler] of handlers) process.on(signal, handler);
    child.once('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      watcher?.stop(false);
      reject(new CommandNotFoundError(command.join(' '), error.code));
    });
    child.once('spawn', () => {
      watcher = new ProcessWatcher(child.pid!, options).start();
    });
    child.once('exit', (code, signal) => {
      cleanup();
      watcher?.stop();
      resolve(signal ? signalStatus(signal) : (code ?? 0));
    });
  });
}

/** Logs a running process and its children until it exits or this process gets SIGINT/SIGTERM; resolves to 0. */
export function watchPid(pid: number, options: WatchOptions): Promise<number> {
  if (!processExists(pid)) throw new ProcessNotFoundError(pid);
  return new Promise((resolve) => {
    const watcher = new ProcessWatcher(pid, options);
    const stop = (): void => {
      clearInterval(poll);
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, stop);
      watcher.stop();
      resolve(0);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
    watcher.start();
    // Not our child: no exit event, so look for it (between samples, at most every 50 ms).
    const poll = setInterval(
      () => {
        if (!processExists(pid)) stop();
      },
      Math.min(50, options.intervalS * 1000),
    );
  });
}
