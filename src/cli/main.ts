#!/usr/bin/env node
/**
 * The `memtrace` command: a thin shell over the library. Each command lives in its own module under
 * commands/ and is listed in COMMANDS; only here do errors become exit codes.
 */
import { MemtraceError } from '../errors.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { runCommand } from './commands/run.js';
import { reportCommand } from './commands/report.js';
import { calibrateCommand } from './commands/calibrate.js';
import { heapCommand } from './commands/heap.js';
import { processCommand } from './commands/process.js';
import { plotCommand } from './commands/plot.js';
import { checkCommand } from './commands/check.js';
import { queryCommand } from './commands/query.js';
import { exportCommand } from './commands/export.js';

const COMMANDS: readonly Command[] = [runCommand, reportCommand, queryCommand, exportCommand, processCommand, plotCommand, heapCommand, checkCommand, calibrateCommand];

function usage(): string {
  const lines = COMMANDS.map((command) => `  ${command.usage.replaceAll('\n', '\n  ')}`);
  return `usage: memtrace <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) throw new UsageError(`memtrace: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  return command.run(args);
}

// `memtrace … | head` closes the pipe early: the reader has what it wanted, which is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

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
