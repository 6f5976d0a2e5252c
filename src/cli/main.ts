#!/usr/bin/env node
/**
 * The `memtrace` command: a thin shell over the library. Each command lives in its own module under
 * commands/ and is listed in COMMANDS (commands/index.ts), whose option tables make the help too; only
 * here do errors become exit codes.
 */
import { MemtraceError } from '../shared/errors.js';
import { VERSION } from '../shared/version.js';
import { commandList, dispatch, findCommand, helpText, UsageError } from './command.js';
import { COMMANDS } from './commands/index.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const out = (text: string) => process.stdout.write(text);
  if (name === '--version' || name === '-v') {
    out(`${VERSION}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || (name === 'help' && args.length === 0)) {
    out(commandList(COMMANDS));
    return name ? 0 : 2;
  }
  if (name === 'help') {
    const found = findCommand(COMMANDS, args);
    if (!found)
      throw new UsageError(
        `memtrace help: no command ${JSON.stringify(args.join(' '))} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`,
      );
    out(helpText(found.command, found.path));
    return 0;
  }
  return dispatch(COMMANDS, argv, out);
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
