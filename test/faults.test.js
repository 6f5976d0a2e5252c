// A trace that cannot be written (full disk, deleted directory, unwritable --out) or that outgrows
// --max-trace-size never changes what the traced program does: same output, same exit code, one line
// from memtrace. Run through `node --import memtrace/register` and through `memtrace run`.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runTraced, fixture, fn, freshDir, cliPath, registerPath } from './helpers/run-traced.js';
import { mountSupport, mountSmallDisk } from './helpers/small-disk.js';
import { nativeTrackerPath } from '../dist/src/native/tracker-path.js';
import { findTraces, readTrace, readMeta, eventFiles, EVENT_COLUMNS } from '../dist/src/index.js';

const steady = fixture('tracer', 'steady.mjs');
const plain = (args) => spawnSync(process.execPath, [steady, ...args], { encoding: 'utf8' });
const viaRun = (out, args, flags = [], env = {}) =>
  spawnSync(process.execPath, [cliPath, 'run', '--out', out, ...flags, '--', steady, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MEMTRACE_CACHE_DIR: join(freshDir(), 'cache'), ...env },
    timeout: 120_000,
  });
const onlyLine = (t, stderr, pattern) => {
  const lines = stderr.trim().split('\n');
  t.is(lines.length, 1, stderr);
  t.regex(lines[0], pattern);
};
const whyNoMount = mountSupport ? `skipped: ${mountSupport}` : '';
const withMount = mountSupport ? test.skip : test;
if (mountSupport) test('small-disk tests', (t) => t.log(whyNoMount) || t.pass());

test('--max-trace-size keeps the newest rows in rotated events files under the cap; functions.csv stays exact', (t) => {
  const out = freshDir();
  const run = viaRun(out, ['3000', '0'], ['--trigger', '0', '--max-trace-size', '256KiB']);
  t.is(run.status, 0, run.stderr);
  t.is(run.stdout, plain(['3000', '0']).stdout);
  const [dir] = findTraces(out);
  const files = eventFiles(dir);
  t.deepEqual(
    files.map((f) => f.slice(dir.length + 1)),
    ['events.3.csv', 'events.2.csv', 'events.1.csv', 'events.csv'],
  );
  const sizes = files.map((f) => statSync(f).size);
  t.true(sizes.reduce((a, b) => a + b) <= 256 * 1024, `${sizes}`);
  const meta = readMeta(join(dir, 'meta.json'));
  t.true(meta.events.rowsRotatedOut > 0, 'the program wrote more than the cap');
  // One stream of rows: every file has the header, and seq goes on from the oldest kept row to the last.
  for (const f of files) t.is(readFileSync(f, 'utf8').split('\n')[0], EVENT_COLUMNS.join(','));
  const rows = readTrace(dir).events();
  t.is(rows[0].seq, meta.events.rowsRotatedOut);
  rows.forEach((row, i) => i > 0 && row.seq !== rows[i - 1].seq + 1 && t.fail(`seq ${rows[i - 1].seq} then ${row.seq}`));
  t.is(rows.at(-1).seq, meta.events.rowsWritten - 1);
  t.is(rows.at(-1).event, 'return');
  t.is(fn(readTrace(dir), 'build').calls, 3000);
  t.is(meta.events.eventFiles, 4);
  t.is(meta.settings.maxTraceSize, 256 * 1024);
});

test('a bad --max-trace-size is one line and exit code 2', (t) => {
  const run = viaRun(freshDir(), ['1'], ['--max-trace-size', 'lots']);
  t.is(run.status, 2);
  onlyLine(t, run.stderr, /MEMTRACE_MAX_TRACE_SIZE="lots" is not valid: a size such as 500MB or 2GiB/);
});

withMount('a full disk: one line, the program goes on unchanged, functions.csv and meta.json are written', (t) => {
  const disk = mountSmallDisk(t, 512);
  const expected = plain(['4000', '3']);
  const run = runTraced(steady, { args: ['4000', '3'], env: { MEMTRACE_OUT: disk, MEMTRACE_TRIGGER: '0' } });
  t.is(run.status, 3);
  t.is(run.stdout, expected.stdout);
  onlyLine(t, run.stderr, /^memtrace: disk full writing .*\/events\.csv; tracing stopped, the program goes on$/);
  const [dir] = findTraces(disk);
  const trace = readTrace(dir);
  t.is(fn(trace, 'build').calls, 4000, 'every call counted, after the disk filled too');
  t.is(trace.meta.state, 'final');
  t.is(trace.meta.fault, 'disk-full');
  t.true(trace.meta.events.rowsNotWritten > 0);
  t.false(existsSync(join(dir, '.memtrace-reserve')), 'the room kept for the summaries was used and is gone');
  const text = readFileSync(join(dir, 'events.csv'), 'utf8');
  t.true(text.endsWith('\n'), 'whole rows only');
  t.is(trace.events().length, trace.meta.events.rowsWritten);
});

for (const how of ['register', 'run']) {
  test(`an --out under a file (${how}): one line, the program runs untraced and unchanged`, (t) => {
    const file = join(freshDir(), 'a-file');
    writeFileSync(file, 'x');
    const out = join(file, 'traces');
    const run = how === 'run' ? viaRun(out, ['20', '4']) : runTraced(steady, { args: ['20', '4'], env: { MEMTRACE_OUT: out } });
    t.is(run.status, 4);
    t.is(run.stdout, plain(['20', '4']).stdout);
    onlyLine(
      t,
      run.stderr,
      new RegExp(`^memtrace: cannot write the trace to ${out}: a part of the path is a file; the program runs untraced$`),
    );
  });

  // Node 20's own recursive mkdir spins forever on these two (the child ENOENT, the parent EEXIST).
  for (const [where, make] of [
    ['under /proc', () => '/proc/memtrace-cannot-be-here/traces'],
    [
      'through a symbolic link to nothing',
      () => {
        const link = join(freshDir(), 'dangling');
        symlinkSync(join(freshDir(), 'gone', 'nowhere'), link);
        return join(link, 'traces');
      },
    ],
  ]) {
    test(`an --out ${where} (${how}): one line, no hang, the program runs untraced and unchanged`, (t) => {
      const out = make();
      const native = how === 'run' && 'path' in nativeTrackerPath();
      const run =
        how === 'run'
          ? viaRun(out, ['20', '4'], native ? ['--native'] : [])
          : runTraced(steady, { args: ['20', '4'], env: { MEMTRACE_OUT: out } });
      t.is(run.status, 4, run.stderr);
      t.is(run.stdout, plain(['20', '4']).stdout);
      const lines = run.stderr.trim().split('\n');
      const reason = 'a part of the path cannot hold a directory';
      // memtrace run --native says so too, for the tracker, before the program starts.
      if (native) t.regex(lines.shift(), /^memtrace: --native: cannot create .* \(ENOENT\); running without the tracker$/);
      t.deepEqual(lines.length, 1, run.stderr);
      t.true(lines[0].startsWith(`memtrace: cannot write the trace to ${out}: ${reason}`), run.stderr);
    });
  }

  // Root writes through permissions, so a read-only file system stands in for "permission denied" there.
  const root = process.getuid?.() === 0;
  (root && mountSupport ? test.skip : test)(`an unwritable --out (${how}): one line, the program runs untraced and unchanged`, (t) => {
    let out;
    if (root) {
      out = mountSmallDisk(t, 64, { readOnly: true });
    } else {
      out = freshDir();
      spawnSync('chmod', ['500', out]);
    }
    const run = how === 'run' ? viaRun(out, ['20', '4']) : runTraced(steady, { args: ['20', '4'], env: { MEMTRACE_OUT: out } });
    t.is(run.status, 4);
    t.is(run.stdout, plain(['20', '4']).stdout);
    onlyLine(
      t,
      run.stderr,
      root ? /: read-only file system; the program runs untraced$/ : /: permission denied; the program runs untraced$/,
    );
    t.deepEqual(readdirSync(out), []);
  });

  test(`the trace directory deleted mid-run (${how}): one line, the program goes on unchanged`, async (t) => {
    const out = freshDir();
    const args =
      how === 'run'
        ? [cliPath, 'run', '--out', out, '--trigger', '0', '--', steady]
        : ['--import', pathToFileURL(registerPath).href, steady];
    const child = spawn(process.execPath, [...args, '2000', '5', 'go'], {
      env: { ...process.env, MEMTRACE_OUT: out, MEMTRACE_TRIGGER: '0', MEMTRACE_CACHE_DIR: join(freshDir(), 'cache') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    while (!stdout.includes('ready')) await once(child.stdout, 'data');
    const [dir] = findTraces(out);
    rmSync(dir, { recursive: true });
    child.stdin.end('go\n');
    const [code] = await once(child, 'exit');
    t.is(code, 5);
    t.is(stdout, 'ready\n' + plain(['2000', '0']).stdout);
    onlyLine(t, stderr, new RegExp(`^memtrace: the trace directory ${dir} was deleted; tracing stopped, the program goes on$`));
    t.deepEqual(findTraces(out), [], 'not made again');
  });
}

test('sizes for --max-trace-size: decimal and binary units, bytes, a floor', async (t) => {
  const { settingsFromEnv } = await import('../dist/src/shared/settings.js');
  const cap = (value) => settingsFromEnv({ MEMTRACE_MAX_TRACE_SIZE: value }).maxTraceSize;
  t.is(cap('500MB'), 500_000_000);
  t.is(cap('2GiB'), 2 * 1024 ** 3);
  t.is(cap('2g'), 2 * 1024 ** 3);
  t.is(cap('1.5 MiB'), 1.5 * 1024 ** 2);
  t.is(cap('262144'), 262144);
  t.is(cap('0'), 0);
  t.is(cap(''), 0);
  t.throws(() => cap('100KB'), { message: /at least 256 KiB/ });
  t.throws(() => cap('-1GB'), { message: /MEMTRACE_MAX_TRACE_SIZE="-1GB" is not valid/ });
  t.throws(() => cap('2 parsecs'), { message: /a size such as 500MB or 2GiB/ });
});

test('an --out under a file with allocation sampling alone: one line, the program runs unsampled and unchanged', (t) => {
  const file = join(freshDir(), 'a-file');
  writeFileSync(file, 'x');
  const run = runTraced(steady, { args: ['20', '4'], env: { MEMTRACE_OUT: join(file, 'traces'), MEMTRACE_ALLOC: '1' } });
  t.is(run.status, 4);
  t.is(run.stdout, plain(['20', '4']).stdout);
  onlyLine(t, run.stderr, /^memtrace: cannot write the trace to .*: a part of the path is a file; the program runs untraced$/);
});

test('traceMemory() with an --out under a file: one line, the wrapped functions run untraced and unchanged', (t) => {
  const file = join(freshDir(), 'a-file');
  writeFileSync(file, 'x');
  const program = fixture('tracer', 'trace-memory-steady.mjs');
  const run = runTraced(program, { traced: false, env: { MEMTRACE_OUT: join(file, 'traces') } });
  t.is(run.status, 6);
  t.is(run.stdout, 'built 3000\n');
  onlyLine(t, run.stderr, /^memtrace: cannot write the trace to .*: a part of the path is a file; the program runs untraced$/);
});
