// The CLI's help is made from the same option tables that parse the flags: every command and action
// answers --help, -h and `memtrace help …` with its own options, the examples it shows parse with its
// own table, and some of them are run as they are, through a shell, on a real program.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../dist/src/cli/commands/index.js';
import { parseCommandLine, tableProblems } from '../dist/src/cli/command.js';
import { cliPath, fixture, freshDir, root } from './helpers/run-traced.js';

const memtrace = (args, options = {}) =>
  spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120_000, ...options });

/** Every command and action with its path (`heap diff`), parents first. */
function walk(commands, path = []) {
  return commands.flatMap((command) => [
    { command, path: [...path, command.name] },
    ...walk(command.subcommands ?? [], [...path, command.name]),
  ]);
}
const everyCommand = walk(COMMANDS);

/** The words of a command line as a POSIX shell splits it (quotes; no expansions but the glob, kept as a word). */
function words(line) {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

test('the table lists every command and action, each with a summary, a synopsis, examples and described options', (t) => {
  t.true(everyCommand.length >= COMMANDS.length + 4, 'heap has its actions');
  t.deepEqual(
    COMMANDS.flatMap((command) => tableProblems(command)),
    [],
  );
});

test('tableProblems finds an option without a description, and a string option without a value name', (t) => {
  const bad = {
    name: 'bad',
    summary: 'a command with holes in its table',
    synopsis: ['DIR'],
    examples: ['memtrace bad x'],
    options: { out: { type: 'string', description: '' }, quiet: { type: 'boolean', description: 'say less' } },
    run: () => 0,
  };
  t.deepEqual(tableProblems(bad), ['bad --out: no description', 'bad --out: no value name']);
  t.deepEqual(tableProblems({ ...bad, options: {}, examples: [] }), ['bad: no example']);
});

for (const { command, path } of everyCommand) {
  const name = path.join(' ');
  test(`memtrace ${name} --help, -h and memtrace help ${name} print its usage, options and examples`, (t) => {
    const help = memtrace([...path, '--help']);
    t.is(help.status, 0, help.stderr);
    t.is(help.stderr, '');
    t.true(help.stdout.startsWith(`usage: memtrace ${name}`), help.stdout.slice(0, 80));
    for (const [option, spec] of Object.entries(command.options)) {
      const label = `--${option}${spec.type === 'string' ? ` ${spec.value}` : ''}`;
      t.true(help.stdout.includes(label), `${name}: ${label} missing from its help`);
      // The description wraps across lines: compare with whitespace folded.
      t.true(help.stdout.replace(/\s+/g, ' ').includes(spec.description), `${name} --${option}: description missing`);
    }
    for (const sub of command.subcommands ?? []) t.regex(help.stdout, new RegExp(`^  ${sub.name} +\\S`, 'm'));
    for (const example of command.examples) t.true(help.stdout.includes(`  ${example}\n`), `${name}: example ${example}`);
    t.is(memtrace([...path, '-h']).stdout, help.stdout);
    t.is(memtrace(['help', ...path]).stdout, help.stdout);
  });
}

test('every example names its own command and parses with its own option table', (t) => {
  for (const { command, path } of everyCommand) {
    for (const example of command.examples) {
      const argv = words(example).filter((word, i) => i > 0 || !word.includes('='));
      t.deepEqual(argv.slice(0, path.length + 1), ['memtrace', ...path], example);
      if (command.subcommands) continue;
      t.notThrows(() => parseCommandLine(command, path.join(' '), argv.slice(path.length + 1)), example);
    }
  }
});

test("memtrace --help, help and no arguments list every command; --version and -v print package.json's version", (t) => {
  const list = memtrace(['--help']);
  t.is(list.status, 0);
  for (const command of COMMANDS)
    t.regex(list.stdout, new RegExp(`^  ${command.name} +${command.summary.slice(0, 20).replace(/[()]/g, '\\$&')}`, 'm'));
  t.is(memtrace(['-h']).stdout, list.stdout);
  t.is(memtrace(['help']).stdout, list.stdout);
  const none = memtrace([]);
  t.is(none.status, 2);
  t.is(none.stdout, list.stdout);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const flag of ['--version', '-v']) {
    const result = memtrace([flag]);
    t.is(result.status, 0);
    t.is(result.stdout, `${version}\n`);
  }
});

test('an unknown option, command or action is one line on stderr that points to the help', (t) => {
  const cases = [
    [['run', '--bogus', '--', 'x.js'], /^memtrace run: Unknown option '--bogus' \(see memtrace run --help\)\n$/],
    [['report', '--top'], /^memtrace report: Option '--top <value>' argument missing \(see memtrace report --help\)\n$/],
    [['heap', 'diff', '--by', 'type', 'a', 'b'], /^memtrace heap diff: Unknown option '--by' \(see memtrace heap diff --help\)\n$/],
    [['heap', 'grow'], /^memtrace heap: unknown action "grow" .*see memtrace heap --help\)\n$/],
    [['heap', '--json'], /^memtrace heap: name an action before the options: .*\n$/],
    [['frobnicate'], /^memtrace: unknown command "frobnicate" .*see memtrace --help\)\n$/],
    [['help', 'frobnicate'], /^memtrace help: no command "frobnicate" .*\n$/],
  ];
  for (const [args, expected] of cases) {
    const result = memtrace(args);
    t.is(result.status, 2, args.join(' '));
    t.regex(result.stderr, expected);
    t.is(result.stdout, '');
  }
  // After `--` the words are the program's: its own --help is not memtrace's.
  const out = freshDir();
  const program = join(out, 'args.mjs');
  writeFileSync(program, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
  const passed = memtrace(['run', '--out', out, '--', program, '--help']);
  t.is(passed.status, 0, passed.stderr);
  t.is(passed.stdout, '["--help"]\n');
});

test('the examples of run, report, query, check and heap run as they are shown, on a real program', (t) => {
  const cwd = freshDir();
  copyFileSync(fixture('report', 'allocators.mjs'), join(cwd, 'app.js'));
  writeFileSync(join(cwd, 'package.json'), '{"type":"module"}\n');
  // The examples go through a shell, as a user types them, with `memtrace` this checkout's CLI.
  const shell = (example) =>
    spawnSync('sh', ['-c', example.replace(/^memtrace /, `"${process.execPath}" "${cliPath}" `)], {
      cwd,
      encoding: 'utf8',
      timeout: 180_000,
    });
  const example = (name, pattern) => {
    const found = COMMANDS.flatMap((command) => [command, ...(command.subcommands ?? [])])
      .find((command) => command.name === name)
      .examples.find((line) => pattern.test(line));
    t.truthy(found, `${name}: an example matching ${pattern}`);
    return found;
  };
  const run = shell(example('run', /--alloc --out trace -- app\.js$/));
  t.is(run.status, 0, run.stderr);
  t.regex(run.stderr, /app\.js:\d+/);

  const table = shell(example('report', /^memtrace report trace\/memtrace-\*$/));
  t.is(table.status, 0, table.stderr);
  t.regex(table.stdout, /\d+\.\d MiB .*buildCache/);
  const html = shell(example('report', /--html$/));
  t.is(html.status, 0, html.stderr);
  t.regex(html.stdout, /memtrace: wrote .*report\.html/);
  const lines = shell(example('report', /--alloc --top 10$/));
  t.is(lines.status, 0, lines.stderr);
  t.regex(lines.stdout, /app\.js:\d+/);

  const query = shell(example('query', /GROUP BY function/));
  t.is(query.status, 0, query.stderr);
  t.regex(query.stdout, /buildCache/);

  const write = shell(example('check', /--write-baseline memory-baseline\.json$/));
  t.is(write.status, 0, write.stderr);
  const check = shell(example('check', /--baseline memory-baseline\.json$/));
  t.is(check.status, 0, check.stdout + check.stderr);

  const snapshot = spawnSync(process.execPath, ['-e', "require('v8').writeHeapSnapshot('app.heapsnapshot')"], { cwd });
  t.is(snapshot.status, 0);
  const summary = shell(example('summary', /--by type --limit 10$/));
  t.is(summary.status, 0, summary.stderr);
  t.regex(summary.stdout, /retained/i);
});
