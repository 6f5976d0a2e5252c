// The names V8 infers for anonymous functions (what their stack frames show where `.name` is empty)
// must not come from memtrace's inserted code (issue 18; docs/tracer.md, "What a traced program can
// observe"). Each program of test/fixtures/inferred-names/programs.js runs untraced and instrumented in
// a child node that reads V8's inferred names (fixtures/inferred-names/run.mjs), with and without line
// probes; test/fixtures/semantics/inferred-names.cjs checks the stack frames of a traced run.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { programs } from './fixtures/inferred-names/programs.js';

const runner = fileURLToPath(new URL('fixtures/inferred-names/run.mjs', import.meta.url));

for (const lines of [false, true]) {
  test(`inferred names are the program's own, traced as untraced${lines ? ', with line probes' : ''}`, (t) => {
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', runner, ...(lines ? ['--lines'] : [])], { encoding: 'utf8' });
    t.is(run.status, 0, run.stderr);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    t.is(results.length, programs.length);
    results.forEach(({ plain, traced }, i) => {
      const { source, differs, differsWithLines } = programs[i];
      t.true(plain.length > 0, `handed no function: ${source}`);
      t.false(JSON.stringify(traced).includes('__mt$'), `a name from memtrace: ${source}\n${JSON.stringify(traced)}`);
      // `.name` is never touched; the inferred names are the untraced ones unless the probes may
      // pre-empt the assignment that names them.
      t.deepEqual(
        traced.map(([, name]) => name),
        plain.map(([, name]) => name),
        source,
      );
      if (!differs && !(lines && differsWithLines)) t.deepEqual(traced, plain, source);
    });
  });
}
