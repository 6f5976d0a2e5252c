/**
 * What every `memtrace` command is: a name, its help lines, and a `run` that parses its own flags with
 * util.parseArgs and calls library code. Commands return an exit code; they throw MemtraceError (or
 * UsageError) for the user's mistakes, and only main.ts turns those into exit statuses.
 */
import { MemtraceError } from '../errors.js';

export interface Command {
  /** The word after `memtrace`. */
  readonly name: string;
  /** Help text: the first line is `name args   what it does`, the rest are indented option lines. */
  readonly usage: string;
  run(args: string[]): Promise<number> | number;
}

/** A mistake in the command line: exit status 2, as for bad flags. */
export class UsageError extends MemtraceError {
  override readonly exitCode = 2;
}
