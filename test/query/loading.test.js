// DuckDB loads for `memtrace query` and `export` only: the tracer's entry points never reach it.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { runTraced, fixture, root } from '../helpers/run-traced.js';

const require = createRequire(import.meta.url);
const { parseSync } = require('oxc-parser');

/** Every module of dist/ reachable from `entry` through static imports, re-exports and dynamic imports, and the packages they name. */
function reachable(entry) {
  const seen = new Set();
  const packages = new Set();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const { module } = parseSync(file, readFileSync(file, 'utf8'));
    const text = readFileSync(file, 'utf8');
    const requests = [
      ...module.staticImports.map((i) => i.moduleRequest.value),
      ...module.staticExports.flatMap((e) => e.entries.map((entry) => entry.moduleRequest?.value)),
      // import('…') with a literal: the dynamic imports' source text.
      ...module.dynamicImports.map((d) => /^\s*['"]([^'"]+)['"]/.exec(text.slice(d.moduleRequest.start, d.moduleRequest.end))?.[1]),
    ];
    for (const request of requests) {
      if (!request) continue;
      if (request.startsWith('.')) pending.push(join(dirname(file), request));
      else packages.add(request);
    }
  }
  return { modules: [...seen].map((file) => relative(join(root, 'dist'), file)), packages: [...packages] };
}

for (const entry of ['src/trace.js', 'loader/register.js', 'src/index.js']) {
  test(`${entry} reaches neither DuckDB nor the query modules`, (t) => {
    const { modules, packages } = reachable(join(root, 'dist', entry));
    t.true(modules.length > 3, modules.join(' '));
    t.false(
      packages.some((name) => name.startsWith('@duckdb/')),
      packages.join(' '),
    );
    t.false(
      modules.some((file) => file.startsWith('src/query/')),
      modules.join(' '),
    );
  });
}

test('the query command does reach DuckDB (the check above can see it)', (t) => {
  const { packages } = reachable(join(root, 'dist', 'src', 'cli', 'commands', 'query.js'));
  t.true(packages.includes('@duckdb/node-api'), packages.join(' '));
});

test('a traced program has no DuckDB module loaded', (t) => {
  const run = runTraced(fixture('query', 'loaded-modules.cjs'));
  t.is(run.status, 0, run.stderr);
  const loaded = JSON.parse(run.stdout);
  t.true(
    loaded.some((file) => file.includes('memtrace') || file.includes('dist')),
    'require.cache lists the loaded CommonJS modules',
  );
  t.false(
    loaded.some((file) => file.includes('@duckdb')),
    loaded.filter((file) => file.includes('duckdb')).join(' '),
  );
});
