// Bad snapshot files: each gives one line naming the file and the problem (and the byte, where there
// is one), from the library as a HeapSnapshotError and from the CLI with exit status 1.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSnapshot, HeapSnapshotError } from '../../dist/src/index.js';
import { freshDir } from '../helpers/run-traced.js';
import { memtraceHeap, snapshotsOf } from './helpers.js';

const dir = freshDir('memtrace-heap-errors-');
const [good] = snapshotsOf('leaky-map.mjs');
const text = readFileSync(good, 'utf8');

function badFile(name, content) {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

async function expectError(t, file, pattern) {
  const error = await t.throwsAsync(readSnapshot(file), { instanceOf: HeapSnapshotError });
  t.regex(error.message, pattern);
  t.true(error.message.includes(file));
  const cli = memtraceHeap(['summary', file]);
  t.is(cli.status, 1);
  t.is(cli.stdout, '');
  t.is(cli.stderr.trim().split('\n').length, 1, cli.stderr);
  t.true(cli.stderr.includes(file));
  t.regex(cli.stderr, pattern);
  return error;
}

test('an empty file', async (t) => {
  await expectError(t, badFile('empty.heapsnapshot', ''), /the file is empty/);
});

test('JSON that is not a heap snapshot', async (t) => {
  await expectError(
    t,
    badFile('package.heapsnapshot', JSON.stringify({ name: 'x', version: '1.0.0' })),
    /not a V8 heap snapshot \(its first entry is "name"/,
  );
  await expectError(t, badFile('array.heapsnapshot', '[1, 2, 3]'), /not a V8 heap snapshot \(it is a JSON array\)/);
  await expectError(
    t,
    badFile('meta.heapsnapshot', '{"snapshot": {"meta": {}}, "nodes": []}'),
    /not a V8 heap snapshot: its meta has no node_fields/,
  );
  await expectError(t, badFile('text.heapsnapshot', 'hello\n'), /not a V8 heap snapshot \(it does not start with "\{"\)/);
});

test('a snapshot truncated inside "nodes", "edges" and "strings" names the byte where it stops', async (t) => {
  for (const key of ['"nodes"', '"edges"', '"strings"']) {
    const cut = text.indexOf(key) + 5000;
    const file = badFile(`cut-${key.slice(1, -1)}.heapsnapshot`, text.slice(0, cut));
    const size = Buffer.byteLength(text.slice(0, cut));
    const error = await expectError(t, file, new RegExp(`truncated at byte ${size} \\(inside ${key}, after \\d+ `));
    t.is(error.offset, size);
  }
  await expectError(t, badFile('cut-end.heapsnapshot', text.slice(0, -1)), /truncated at byte \d+/);
});

test('a corrupt byte is reported at its offset', async (t) => {
  const at = text.indexOf('"edges"') + 100;
  const corrupt = `${text.slice(0, at)}x${text.slice(at + 1)}`;
  const error = await expectError(
    t,
    badFile('corrupt.heapsnapshot', corrupt),
    new RegExp(`corrupt at byte ${at}: unexpected "x" in "edges"`),
  );
  t.is(error.offset, at);
});

test('a missing file and bad flags', (t) => {
  const missing = memtraceHeap(['summary', join(dir, 'nope.heapsnapshot')]);
  t.is(missing.status, 1);
  t.regex(missing.stderr, /nope\.heapsnapshot: no such file/);
  const directory = memtraceHeap(['top', dir]);
  t.is(directory.status, 1);
  t.is(directory.stderr, `memtrace: ${dir}: is a directory, not a heap snapshot\n`);
  const badBy = memtraceHeap(['summary', good, '--by', 'colour']);
  t.is(badBy.status, 2);
  t.regex(badBy.stderr, /--by takes constructor, type, via/);
  const noTarget = memtraceHeap(['paths', good]);
  t.is(noTarget.status, 2);
  t.regex(noTarget.stderr, /^memtrace heap paths: give --constructor NAME or --id N \(see memtrace heap paths --help\)\n$/);
});
