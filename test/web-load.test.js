// A web service traced with its framework keeps answering under load, exactly as untraced, and Ctrl-C
// leaves a complete trace that `memtrace report` reads. Issue 18: never change what the program does.
// Each case: `memtrace run` on an express or fastify app (test/fixtures/web), 20 autocannon
// connections for 3 s on 127.0.0.1 cycling through a JSON reply, a POST that parses and echoes its
// body, and a route that allocates ~200 KB; every reply's status and body is checked.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { findTraces, readTrace } from '../dist/src/index.js';
import { cliPath, freshDir } from './helpers/run-traced.js';
import { FRAMEWORKS, startApp, loadApp, ROUTES } from './helpers/web-load.js';

// fastify's fastify.js and express's body-parser begin with `'use strict'` without a semicolon, which
// the transform broke when node_modules was traced (issue 18; the code inserted after a directive now
// starts with `;`): the frameworks traced with their dependencies must serve as plain.
const frameworkTraced = test.serial;

const SCOPES = {
  app: { include: undefined, describe: "only the app's files traced (the default)" },
  everything: { include: '**/*', describe: "everything traced (--include '**/*'), the framework too" },
};

/** The route handlers each app registers (named functions in the app file) and the work they call. */
const HANDLERS = { items: ['getItems', 'listItems'], echo: ['postEcho', 'echoBody'], report: ['getReport', 'buildReport'] };

for (const framework of FRAMEWORKS) {
  for (const [scope, { include, describe }] of Object.entries(SCOPES)) {
    const define = scope === 'everything' ? frameworkTraced : test.serial;
    define(`${framework}, ${describe}: 20 connections, no error, every reply right; Ctrl-C leaves a reportable trace`, async (t) => {
      const out = freshDir('memtrace-web-');
      const app = await startApp(framework, { traced: true, out, include });
      const load = await loadApp(app.port, { connections: 20, seconds: 3 }).catch((error) => error);
      const ended = await app.interrupt();
      if (load instanceof Error) throw load;
      const { result, replies } = load;
      const context = `${JSON.stringify(replies)}\n${app.output.stderr.slice(-2000)}`;
      t.is(result.errors, 0, context);
      t.is(result.timeouts, 0, context);
      t.is(result.non2xx, 0, context);
      for (const route of ROUTES) {
        t.is(replies[route.name].wrong, 0, `${route.name}: ${replies[route.name].firstWrong}`);
        t.true(replies[route.name].received >= 20, `${route.name}: ${replies[route.name].received} replies`);
      }
      t.log(`${framework}/${scope}: ${result.requests.average} requests/s, ${result['2xx']} replies`);

      // Ctrl-C: the program ends by SIGINT, as it would untraced, and memtrace run passes it on.
      t.is(ended.signal, 'SIGINT', app.output.stderr);
      t.notRegex(app.output.stderr, /incomplete|^\s+at \S/m, app.output.stderr);
      const directories = findTraces(out);
      t.is(directories.length, 1, app.output.stderr);
      const trace = readTrace(directories[0]);
      t.is(trace.meta.exit?.reason, 'SIGINT');

      for (const route of ROUTES) {
        for (const name of HANDLERS[route.name]) {
          const row = trace.functions.find((r) => r.function === name);
          t.truthy(row, `${name} in functions.csv`);
          // The server may have answered requests whose replies arrived after autocannon stopped reading.
          t.true(row.calls >= replies[route.name].received, `${name}: ${row.calls} calls, ${replies[route.name].received} replies`);
        }
      }
      const report = trace.functions.find((r) => r.function === 'buildReport');
      const perCall = report.totalAllocBytes / report.calls;
      t.true(perCall > 100 * 1024, `buildReport allocates ${perCall} bytes a call (2,000 rows of objects, strings and arrays)`);
      const frameworkRows = trace.functions.filter((r) => r.file.includes(`node_modules/${framework}/`));
      if (scope === 'everything')
        t.true(
          frameworkRows.some((r) => r.calls > 0),
          `no called function of ${framework} in functions.csv`,
        );
      else t.is(frameworkRows.length, 0);

      const reported = spawnSync(process.execPath, [cliPath, 'report', directories[0]], { encoding: 'utf8', timeout: 120_000 });
      t.is(reported.status, 0, reported.stderr);
      t.regex(reported.stdout, /buildReport/);
    });
  }
}
