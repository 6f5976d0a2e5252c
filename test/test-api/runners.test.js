// memtrace/test under each runner's real command line, with no adapter code in the test files
// (test/fixtures/runners/): node:test, Jest and Vitest each report the two cases within their limits
// as passed and the two over them as failed, with memtrace's message.
import test from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../helpers/run-traced.js';

const dir = join(root, 'test', 'fixtures', 'runners');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a command in the fixtures' directory; resolves with its status and output. */
function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: dir, env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1', CI: '1' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** What every runner's report must show: the figure and the limit, and what accumulates and where. */
function assertMessages(t, output) {
  t.regex(output, /memtrace limitMemory: the block used [\d.]+ MiB \(\d+ B\), over the limit of 1\.00 MiB \(peak:/);
  t.regex(output, /#1 makeRows \(.*cases\.mjs:\d+\): size=/);
  t.regex(output, /memtrace limitLeaks: the block keeps 32 B per call \(allowed 0 B\)/);
  t.regex(output, /#1 100 objects from 100 calls \(1 per call\), [\d.]+ KiB \(32 B per call\): 100 Object/);
  t.regex(output, /held by .* → Array\[\] → Object/);
}

test('node:test', async (t) => {
  const { status, output } = await run(process.execPath, ['--test', '--test-reporter=tap', 'memory.node-test.mjs']);
  t.is(status, 1, output);
  t.regex(output, /^ok \d+ - stays under its memory limit$/m);
  t.regex(output, /^not ok \d+ - goes over its memory limit$/m);
  t.regex(output, /^ok \d+ - keeps nothing$/m);
  t.regex(output, /^not ok \d+ - keeps an object per call$/m);
  t.regex(output, /code: 'ERR_MEMTRACE_MEMORY_LIMIT'/);
  t.regex(output, /code: 'ERR_MEMTRACE_MEMORY_LEAK'/);
  assertMessages(t, output);
});

test('Jest', async (t) => {
  const { status, output } = await run(process.execPath, [bin('jest'), '--ci', '--config', 'jest.config.json'], {
    NODE_OPTIONS: '--experimental-vm-modules',
  });
  t.is(status, 1, output);
  t.regex(output, /✓ stays under its memory limit/);
  t.regex(output, /✕ goes over its memory limit/);
  t.regex(output, /✓ keeps nothing/);
  t.regex(output, /✕ keeps an object per call/);
  t.regex(output, /Tests: +2 failed, 2 passed, 4 total/);
  assertMessages(t, output);
});

test('Vitest', async (t) => {
  const { status, output } = await run(process.execPath, [bin('vitest'), 'run', '--config', 'vitest.config.mjs']);
  t.is(status, 1, output);
  t.regex(output, /✓ stays under its memory limit/);
  t.regex(output, /× goes over its memory limit/);
  t.regex(output, /✓ keeps nothing/);
  t.regex(output, /× keeps an object per call/);
  t.regex(output, /Tests +2 failed \| 2 passed \(4\)/);
  assertMessages(t, output);
});
