// Generated programs (test/helpers/program-generator.js), from fixed seeds: each runs untraced and traced
// (with oxc-parser, and half of them with @babel/parser, half with line probes) through memtrace/register, and must
// print the same lines, write the same stderr (memtrace's own lines aside) and exit alike. A failure
// names the seed and shows the program. FUZZ_SEED=n runs other seeds (n, n+1, ...); FUZZ_PROGRAMS=k
// runs k of each module kind.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProgram } from './helpers/program-generator.js';
import { registerPath } from './helpers/run-traced.js';

const firstSeed = Number(process.env.FUZZ_SEED ?? 20261206);
const programs = Number(process.env.FUZZ_PROGRAMS ?? 4);

function childEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('MEMTRACE_') || key === 'NODE_OPTIONS') delete env[key];
  return { ...env, ...extra };
}

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout,
        stderr: stderr
          .split('\n')
          .filter((line) => !/memtrace/i.test(line))
          .join('\n'),
      }),
    );
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'memtrace-fuzz-'));
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));

for (let i = 0; i < programs * 2; i++) {
  const seed = firstSeed + i;
  const module = i % 2 === 0;
  test(`a generated ${module ? 'ES module' : 'CommonJS program'} (seed ${seed}) prints the same traced`, async (t) => {
    const source = generateProgram(seed, { module });
    const file = join(scratch, `program-${seed}.${module ? 'mjs' : 'cjs'}`);
    writeFileSync(file, source);
    const traced = ({ parser, lines }) =>
      run(
        ['--import', registerPath, file],
        childEnv({
          MEMTRACE_OUT: join(scratch, `out-${seed}-${parser}-${lines}`),
          MEMTRACE_CACHE: '0',
          MEMTRACE_PARSER: parser,
          MEMTRACE_LINES: lines ? '1' : '0',
        }),
      );
    // oxc-parser always; @babel/parser and line probes each on half of the programs.
    const variants = [
      { parser: 'auto', lines: false },
      ...[[], [{ parser: 'babel', lines: false }], [{ parser: 'auto', lines: true }], [{ parser: 'babel', lines: true }]][i % 4],
    ];
    const [untraced, ...runs] = await Promise.all([run([file], childEnv({})), ...variants.map(traced)]);
    t.true(untraced.stdout.split('\n').length > 8, `seed ${seed}: the program printed too little:\n${untraced.stdout}${untraced.stderr}`);
    for (const [k, result] of runs.entries()) {
      const same = result.code === untraced.code && result.stdout === untraced.stdout && result.stderr === untraced.stderr;
      const variant = `parser ${variants[k].parser}${variants[k].lines ? ', line probes' : ''}`;
      if (!same) t.log(`seed ${seed}, ${variant}: the program was\n${source}`);
      t.deepEqual(result, untraced, `seed ${seed}, ${variant}: traced (actual) differs from untraced (expected)`);
    }
  });
}
