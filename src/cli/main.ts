#!/usr/bin/env node
/**
 * The `memtrace` command: a thin shell over the library. Each command parses its flags with
 * util.parseArgs and calls library code; only here do errors become exit codes.
 */
import { parseArgs } from 'node:util';
import { MemtraceError } from '../errors.js';
import { runTraced } from './run.js';
import { printCalibration } from './calibrate.js';
import { readTrace } from '../formats/trace.js';
import { renderTopFunctions } from '../report/top-functions.js';

const USAGE = `usage: memtrace <command> [options]

commands:
  run [options] -- app.js [args...]   trace a Node program (and its child processes and workers)
      --out DIR        where each process writes memtrace-<pid>-<time>/ (default: .)
      --include GLOB   trace only modules matching (repeatable; default: all outside node_modules)
      --exclude GLOB   do not trace modules matching (repeatable)
      --trigger BYTES  write an event row when memory moved by at least BYTES (default 4096; 0: all)
      --lines          also probe every statement (memory per line)
      --exact          read memory at every call (no measure-then-count policy)
      --counters js    use the pure-JS counters even where the native addon is built
  report DIR [--top N]                the functions that allocated most, as a table
  calibrate                           print what the probes cost per call on this machine
`;

interface Command {
  run(args: string[]): Promise<number> | number;
}

const COMMANDS: Record<string, Command> = {
  run: {
    run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          out: { type: 'string' },
          include: { type: 'string', multiple: true },
          exclude: { type: 'string', multiple: true },
          trigger: { type: 'string' },
          lines: { type: 'boolean' },
          exact: { type: 'boolean' },
          counters: { type: 'string' },
        },
      });
      if (positionals.length === 0) throw new UsageError('memtrace run: name the program to trace: memtrace run [options] -- app.js [args...]');
      return runTraced(positionals, values);
    },
  },
  report: {
    run(args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { top: { type: 'string' } } });
      if (positionals.length === 0) throw new UsageError('memtrace report: name a trace directory: memtrace report DIR [--top N]');
      for (const directory of positionals) process.stdout.write(renderTopFunctions(readTrace(directory), Number(values.top ?? 20)));
      return 0;
    },
  },
  calibrate: {
    run(args) {
      parseArgs({ args, options: {} });
      printCalibration();
      return 0;
    },
  },
};

class UsageError extends MemtraceError {
  override readonly exitCode = 2;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`memtrace: unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof MemtraceError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
    } else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`memtrace: ${error.message.split('\n')[0]}\n`);
      process.exitCode = 2;
    } else {
      throw error;
    }
  },
);
