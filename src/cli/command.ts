/**
 * What every `memtrace` command is: a name, a one-line summary, its synopsis, a table of options and
 * examples, and a `run` that gets the parsed options and calls library code. The option table is the
 * one place an option is declared: it feeds util.parseArgs and the `--help` text alike, so the two
 * cannot drift. A command with actions (`heap summary`, `heap diff`…) lists them as subcommands, each
 * a Command of its own. Commands return an exit code; they throw MemtraceError (or UsageError) for the
 * user's mistakes, and only main.ts turns those into exit statuses.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MemtraceError } from '../shared/errors.js';

/** One option: what util.parseArgs needs, and what `--help` says of it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** The value's name in help (`--out DIR`); string options only. */
  readonly value?: string;
  /** The default as help shows it; the code that reads the option applies it. */
  readonly default?: string;
  readonly description: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The parsed values of a table: a string, a boolean or a list of strings per option, absent when not given. */
export type Values<O extends OptionTable> = {
  -readonly [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

export interface Command {
  /** The word after `memtrace` (or after the parent command, for a subcommand). */
  readonly name: string;
  /** What it does, in one line (the command list shows it). */
  readonly summary: string;
  /** What follows `memtrace NAME` in a usage line; one entry per form. */
  readonly synopsis: readonly string[];
  /** Paragraphs after the summary in `--help`, when one line is not enough. */
  readonly details?: string;
  readonly options: OptionTable;
  /** Whole command lines a user can type as they are (a test runs some of them). */
  readonly examples: readonly string[];
  /** Actions (`heap summary`): the command then has no run of its own. */
  readonly subcommands?: readonly Command[];
  run?(values: Record<string, unknown>, positionals: string[]): Promise<number> | number;
}

/** A command whose `run` sees its own option table's types. */
export function defineCommand<const O extends OptionTable>(
  spec: Omit<Command, 'options' | 'run'> & {
    readonly options: O;
    run?(values: Values<O>, positionals: string[]): Promise<number> | number;
  },
): Command {
  return spec as Command;
}

/** A mistake in the command line: exit status 2, as for bad flags. */
export class UsageError extends MemtraceError {
  override readonly exitCode = 2;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** The util.parseArgs options of a table, with -h/--help added. */
export function parseArgsOptions(options: OptionTable): NonNullable<ParseArgsConfig['options']> {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries({ ...options, help: HELP })) {
    config[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  return config;
}

/**
 * Parses `args` with the command's table. Returns undefined when the user asked for help; a parse
 * error becomes a one-line UsageError that points to the command's help.
 */
export function parseCommandLine(
  command: Command,
  path: string,
  args: string[],
): { values: Record<string, unknown>; positionals: string[] } | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: parseArgsOptions(command.options) });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      // Node's message goes on about positionals and `--`: its first sentence says what is wrong.
      throw new UsageError(
        `memtrace ${path}: ${error.message.split('\n')[0].split(/\.\s/)[0].replace(/\.$/, '')} (see memtrace ${path} --help)`,
      );
    }
    throw error;
  }
  if (parsed.values.help) return undefined;
  return parsed;
}

/** Problems of a command table that would make its help wrong: an option without a description, a value name on a boolean. */
export function tableProblems(command: Command, path = command.name): string[] {
  const problems: string[] = [];
  if (!command.summary?.trim()) problems.push(`${path}: no summary`);
  if (command.synopsis.length === 0) problems.push(`${path}: no synopsis`);
  if (command.examples.length === 0) problems.push(`${path}: no example`);
  if (!command.run === !command.subcommands) problems.push(`${path}: needs either run or subcommands`);
  for (const [name, spec] of Object.entries(command.options)) {
    if (!spec.description?.trim()) problems.push(`${path} --${name}: no description`);
    if (spec.type === 'boolean' && spec.value !== undefined) problems.push(`${path} --${name}: a boolean takes no value`);
    if (spec.type === 'string' && !spec.value) problems.push(`${path} --${name}: no value name`);
  }
  for (const sub of command.subcommands ?? []) problems.push(...tableProblems(sub, `${path} ${sub.name}`));
  return problems;
}

const WIDTH = 100;

/** Words of `text` in lines of at most `width` columns, every line after the first indented by `indent`. */
function wrap(text: string, indent: number, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function optionLabel(name: string, spec: OptionSpec): string {
  const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}`;
  return spec.type === 'string' ? `${flag} ${spec.value ?? 'VALUE'}${spec.multiple ? ' (repeatable)' : ''}` : flag;
}

/** Two aligned columns: labels, then text wrapped under its own column. */
function columns(rows: Array<[string, string]>): string {
  const width = Math.min(Math.max(...rows.map(([label]) => label.length)), 28);
  return rows
    .map(([label, text]) => {
      const pad = label.length > width ? `\n${' '.repeat(width + 4)}` : ' '.repeat(width - label.length + 2);
      return `  ${label}${pad}${wrap(text, width + 4)}`;
    })
    .join('\n');
}

/** The `--help` of a command (or subcommand): usage, summary, options, examples. `path` is `heap diff` for a subcommand. */
export function helpText(command: Command, path = command.name): string {
  const usage = command.synopsis.map((form, i) => `${i === 0 ? 'usage: ' : '       '}memtrace ${path}${form ? ` ${form}` : ''}`);
  const parts = [usage.join('\n'), wrap(command.summary, 0)];
  if (command.details)
    parts.push(
      command.details
        .split('\n\n')
        .map((p) => wrap(p, 0))
        .join('\n\n'),
    );
  if (command.subcommands) {
    parts.push(`actions:\n${columns(command.subcommands.map((sub) => [sub.name, sub.summary]))}`);
  }
  const options: Array<[string, string]> = Object.entries(command.options).map(([name, spec]) => [
    optionLabel(name, spec),
    spec.default === undefined ? spec.description : `${spec.description} (default: ${spec.default})`,
  ]);
  options.push(['-h, --help', HELP.description]);
  parts.push(`options:\n${columns(options)}`);
  parts.push(`examples:\n${command.examples.map((example) => `  ${example}`).join('\n')}`);
  if (command.subcommands) parts.push(`Run \`memtrace ${path} <action> --help\` for an action's options and examples.`);
  return `${parts.join('\n\n')}\n`;
}

/** `memtrace --help`: the commands, one line each. */
export function commandList(commands: readonly Command[]): string {
  const rows: Array<[string, string]> = commands.map((command) => [command.name, command.summary]);
  return (
    [
      'usage: memtrace <command> [options]',
      `commands:\n${columns(rows)}`,
      "options:\n  -h, --help     this list; `memtrace <command> --help` (or `memtrace help <command>`) for a\n                 command's options and examples\n  -v, --version  memtrace's version",
      'The guide is README.md; every command, flag and file is described in docs/.',
    ].join('\n\n') + '\n'
  );
}

/**
 * Runs `args` (what follows `memtrace`) against the table: help, a subcommand, or the command's run.
 * `write` takes help text (stdout).
 */
export async function dispatch(
  commands: readonly Command[],
  args: string[],
  write: (text: string) => void,
  path: string[] = [],
): Promise<number> {
  const [name, ...rest] = args;
  const here = path.join(' ');
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    const what = path.length === 0 ? 'command' : 'action';
    const list = commands.map((c) => c.name).join(', ');
    throw new UsageError(
      name === undefined
        ? `memtrace ${here}: name an action: ${list} (see memtrace ${here} --help)`
        : `memtrace${here ? ` ${here}` : ''}: unknown ${what} ${JSON.stringify(name)} (${what === 'command' ? 'commands' : 'actions'}: ${list}; see memtrace ${here ? `${here} ` : ''}--help)`,
    );
  }
  const full = [...path, command.name].join(' ');
  if (command.subcommands) {
    const [first] = rest;
    if (first === undefined || first === '--help' || first === '-h') {
      write(helpText(command, full));
      return first === undefined ? 2 : 0;
    }
    if (first.startsWith('-'))
      throw new UsageError(
        `memtrace ${full}: name an action before the options: ${command.subcommands.map((c) => c.name).join(', ')} (see memtrace ${full} --help)`,
      );
    return dispatch(command.subcommands, rest, write, [...path, command.name]);
  }
  const parsed = parseCommandLine(command, full, rest);
  if (!parsed) {
    write(helpText(command, full));
    return 0;
  }
  return command.run!(parsed.values, parsed.positionals);
}

/** The command (or subcommand) that `memtrace help heap diff` names, with its path. */
export function findCommand(commands: readonly Command[], words: string[]): { command: Command; path: string } | undefined {
  let list = commands;
  let command: Command | undefined;
  for (const word of words) {
    command = list.find((candidate) => candidate.name === word);
    if (!command) return undefined;
    list = command.subcommands ?? [];
  }
  return command && { command, path: words.join(' ') };
}
