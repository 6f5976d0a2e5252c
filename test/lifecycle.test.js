// How a traced process ends must not lose the trace, change the exit, or leave half a row.
import test from 'ava';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { runTraced, spawnTraced, fixture, fn } from './helpers/run-traced.js';
import { findTraces, readTrace, EVENT_COLUMNS } from '../dist/src/index.js';

const exits = fixture('tracer', 'exits.mjs');
const allWork = (trace) => fn(trace, 'work').calls;

test('process.exit() inside a traced call keeps its code and writes the trace', (t) => {
  const run = runTraced(exits, { args: ['exit'] });
  t.is(run.status, 3);
  t.is(allWork(run.trace), 50);
  t.is(run.trace.meta.exit.reason, 'exit');
  // The call that exited is closed at exit, with what it allocated up to then.
  const end = fn(run.trace, 'end');
  t.is(end.measuredCalls, 1);
  t.true(end.totalAllocBytes >= fn(run.trace, 'work').totalAllocBytes, `end ${end.totalAllocBytes}`);
});

test('an uncaught exception keeps exit code 1, its message, and the trace', (t) => {
  const plain = runTraced(exits, { args: ['throw'], traced: false });
  const run = runTraced(exits, { args: ['throw'] });
  t.is(run.status, 1);
  t.is(plain.status, 1);
  t.true(run.stderr.includes('Error: boom from end'));
  t.is(
    run.stderr.split('\n').find((l) => l.startsWith('Error')),
    plain.stderr.split('\n').find((l) => l.startsWith('Error')),
  );
  t.is(allWork(run.trace), 50);
  t.is(fn(run.trace, 'end').calls, 1);
});

test('the disk blocks the writer reserved ahead of events.csv are given back when the trace ends', (t) => {
  const run = runTraced(exits, { args: ['exitcode'], env: { MEMTRACE_TRIGGER: '0' } });
  const events = statSync(join(run.directories[0], 'events.csv'));
  t.true(events.size > 1000, `${events.size} bytes`);
  // 512-byte blocks in use: the file's own, rounded up to the file system's block, not 32 MiB more.
  t.true(events.blocks * 512 < events.size + 64 * 1024, `${events.blocks * 512} bytes of blocks for ${events.size}`);
});

test('process.exitCode passes through', (t) => {
  const run = runTraced(exits, { args: ['exitcode'] });
  t.is(run.status, 2);
  t.is(allWork(run.trace), 50);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} flushes the trace and still ends the process by the signal`, async (t) => {
    const { child, out } = spawnTraced(exits, { args: ['wait'] });
    child.stdout.setEncoding('utf8');
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    while (!output.includes('ready')) await once(child.stdout, 'data');
    child.kill(signal);
    const [code, gotSignal] = await once(child, 'exit');
    t.is(code, null);
    t.is(gotSignal, signal);
    const trace = readTrace(findTraces(out)[0]);
    t.is(trace.meta.exit.reason, signal);
    t.true(fn(trace, 'work').calls >= 20);
  });
}

test('SIGKILL keeps every row flushed before it, no half rows, and the summaries as they stood', async (t) => {
  const { child, out } = spawnTraced(exits, { args: ['wait'], env: { MEMTRACE_TRIGGER: '0' } });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => (output += d));
  while (!output.includes('ready')) await once(child.stdout, 'data');
  // The writer hands rows over at least every second, and writes the summaries' checkpoints as often.
  await new Promise((r) => setTimeout(r, 2500));
  child.kill('SIGKILL');
  await once(child, 'exit');
  const text = readFileSync(join(findTraces(out)[0], 'events.csv'), 'utf8');
  const lines = text.split('\n');
  t.is(lines.at(-1), '', 'the file ends with a whole row');
  t.false(text.includes('\0'), 'the blocks the writer reserved ahead are past the end, not in the file');
  t.true(lines.length > 40, `rows: ${lines.length}`);
  for (const line of lines.slice(1, -1)) t.is(line.split(',').length, EVENT_COLUMNS.length, line);
  const trace = readTrace(findTraces(out)[0]);
  t.is(trace.meta.exit, undefined, 'no exit reason: memtrace never saw the end');
  t.is(trace.meta.state, 'checkpoint');
  t.true(fn(trace, 'work').calls > 100, `work calls ${fn(trace, 'work').calls}`);
});

test('SIGKILL during a long synchronous loop keeps functions.csv and meta.json as of the last second', async (t) => {
  // The traced thread never returns to its event loop here: the writer thread writes the checkpoints.
  const { child, out } = spawnTraced(fixture('tracer', 'steady.mjs'), { args: ['200', '0', 'busy'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => (output += d));
  while (!output.includes('ready')) await once(child.stdout, 'data');
  const readyAt = Date.now();
  await new Promise((r) => setTimeout(r, 2500));
  child.kill('SIGKILL');
  await once(child, 'exit');
  const trace = readTrace(findTraces(out)[0]);
  t.is(trace.meta.state, 'checkpoint');
  t.is(trace.meta.exit, undefined);
  // A checkpoint written after 'ready': more calls than were made before it.
  t.true(Date.parse(trace.meta.checkpointTime) >= readyAt - 1000, `checkpoint ${trace.meta.checkpointTime}`);
  const build = fn(trace, 'build');
  t.true(build.calls > 200, `calls before 'ready' and after: ${build.calls}`);
  // Each call keeps 1000 small objects in an array: at least 24 bytes each, well under 200.
  const perCall = build.totalAllocBytes / build.measuredCalls;
  t.true(perCall > 24_000 && perCall < 200_000, `${perCall} bytes a call`);
  t.true(fn(trace, 'run').calls >= 2);
});

test('a bad setting stops with one line naming the variable', (t) => {
  const run = runTraced(exits, { args: ['exitcode'], env: { MEMTRACE_TRIGGER: 'lots' } });
  t.is(run.status, 2);
  t.is(run.stderr.trim().split('\n').length, 1);
  t.regex(run.stderr, /MEMTRACE_TRIGGER="lots" is not valid: a whole number/);
  const lines = runTraced(exits, { args: ['exitcode'], env: { MEMTRACE_LINES: 'maybe' } });
  t.is(lines.status, 2);
  t.regex(lines.stderr, /MEMTRACE_LINES="maybe" is not valid: one of 1, 0, true, false/);
});

test('checkpoints are written only when a figure changed', async (t) => {
  // steady.mjs in 'go' mode makes no traced call until it reads a line: nothing changes meanwhile.
  const { child, out } = spawnTraced(fixture('tracer', 'steady.mjs'), { args: ['50', '0', 'go'], stdin: 'pipe' });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => (output += d));
  while (!output.includes('ready')) await once(child.stdout, 'data');
  const meta = join(findTraces(out)[0], 'meta.json');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // The writer thread's first checkpoint (the traced thread wrote one at start).
  const first = statSync(meta).mtimeMs;
  for (let waited = 0; statSync(meta).mtimeMs === first && waited < 10_000; waited += 100) await sleep(100);
  const idle = statSync(meta).mtimeMs;
  await sleep(2500);
  t.is(statSync(meta).mtimeMs, idle, 'no checkpoint while nothing changed');
  child.kill('SIGKILL');
  await once(child, 'exit');
});
