import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findTraces } from '../../dist/src/index.js';
import { cliPath, freshDir } from '../helpers/run-traced.js';
import { allocators } from './helpers.js';

const memtrace = (...args) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120_000 });

const out = freshDir();
memtrace('run', '--out', out, '--', allocators);
const [directory] = findTraces(out);

test('report DIR still prints the text table by default, and --html writes report.html without allocations', (t) => {
  const text = memtrace('report', directory, '--top', '2');
  t.is(text.status, 0, text.stderr);
  t.regex(text.stdout, /total alloc .*\n +\S+ MiB .* main /);
  const html = memtrace('report', directory, '--html', '--out', join(out, 'custom.html'));
  t.is(html.status, 0, html.stderr);
  t.true(existsSync(join(out, 'custom.html')));
  t.false(existsSync(join(directory, 'report.html')));
});

test('mistakes give one line and an exit status', (t) => {
  const noProfiles = memtrace('report', directory, '--alloc');
  t.is(noProfiles.status, 1);
  t.is(
    noProfiles.stderr,
    `memtrace: ${directory}: no allocation profiles (*.heapprofile here or in allocations/); record them with memtrace run --alloc\n`,
  );
  const missing = memtrace('report', join(out, 'nothing-here'), '--html');
  t.is(missing.status, 1);
  t.regex(missing.stderr, /^memtrace: .*nothing-here: no such file or directory\n$/);
  const badTop = memtrace('report', directory, '--top', 'many');
  t.is(badTop.status, 2);
  t.is(badTop.stderr, 'memtrace report: --top many is not a positive whole number\n');
  const twoOuts = memtrace('report', directory, directory, '--html', '--out', 'x.html');
  t.is(twoOuts.status, 2);
  t.is(twoOuts.stderr.split('\n').length, 2);
});

test('report --alloc of a run --alloc --lines directory lists the allocating statements, not where functions start', (t) => {
  const allocOut = freshDir();
  const loop = join(cliPath, '..', '..', '..', '..', 'test', 'fixtures', 'alloc', 'loop.mjs');
  const run = memtrace('run', '--alloc', '--lines', '--alloc-interval', '16384', '--out', allocOut, '--', loop);
  t.is(run.status, 0, run.stderr);
  const [allocDir] = findTraces(allocOut);
  const text = memtrace('report', allocDir, '--alloc', '--top', '3');
  t.is(text.status, 0, text.stderr);
  const rows = text.stdout.split('\n').slice(2, 5);
  // fill() starts at line 7; its statements at lines 10 (8 MiB kept), 11 (4 MiB) and 12 (2 MiB+).
  t.regex(rows[0], /\sfill\s+\S*loop\.mjs:10$/, text.stdout);
  t.regex(rows[1], /\sfill\s+\S*loop\.mjs:11$/, text.stdout);
  t.false(text.stdout.includes('loop.mjs:7\n'), text.stdout);
  const html = memtrace('report', allocDir, '--html');
  t.is(html.status, 0, html.stderr);
});
