// What the fuzzer (readers.test.js) found, each kept as its own case: built from the same real seeds,
// each must give its one-line error naming the file, from the library and from the CLI (exit 1).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeapSnapshotError, MemtraceError, TraceFileError } from '../../dist/src/index.js';
import { SnapshotScanner } from '../../dist/src/formats/heapsnapshot-scanner.js';
import { cliPath, freshDir } from '../helpers/run-traced.js';
import { READERS, realAllocationMeta, realHeapProfile, realTraceMeta, smallSnapshot } from './readers.js';

const reader = (name) => READERS.find((r) => r.name === name);
const snapshotText = smallSnapshot(freshDir('memtrace-regression-')).toString('utf8');
const profile = JSON.parse(realHeapProfile(freshDir('memtrace-regression-')).toString('utf8'));

/** Writes `content` as the reader's file in a fresh directory (with the seed's siblings, for meta.json). */
function caseFile(readerName, content) {
  const dir = freshDir('memtrace-regression-');
  if (readerName === 'trace meta.json') realTraceMeta(dir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, reader(readerName).fileName);
  writeFileSync(path, content);
  return path;
}

async function expectOneLine(t, readerName, content, errorClass, pattern) {
  const path = caseFile(readerName, content);
  const error = await t.throwsAsync(reader(readerName).read(path), { instanceOf: errorClass });
  t.true(error instanceof MemtraceError);
  t.regex(error.message, pattern);
  t.true(error.message.includes(path), error.message);
  t.false(error.message.includes('\n'), JSON.stringify(error.message));
  const cli = spawnSync(process.execPath, [cliPath, ...reader(readerName).cli(path)], { encoding: 'utf8', timeout: 60_000 });
  t.is(cli.status, 1, cli.stderr);
  t.is(cli.stderr.trim().split('\n').length, 1, cli.stderr);
  t.regex(cli.stderr, pattern);
}

const withHeader = (change) => {
  const start = snapshotText.indexOf('{', 1);
  const end = snapshotText.indexOf(',\n"nodes"');
  const header = JSON.parse(snapshotText.slice(start, end));
  change(header);
  return `{"snapshot":${JSON.stringify(header)}${snapshotText.slice(end)}`;
};

test('heap snapshot: a node_count past 2^53 (was a RangeError from new Uint8Array)', async (t) => {
  await expectOneLine(
    t,
    'heap snapshot',
    withHeader((h) => {
      h.node_count = 9007199254740994;
    }),
    HeapSnapshotError,
    /its node_count 9007199254740994 is not a count/,
  );
});

test('heap snapshot: a node_count or edge_count of a billion in a small file: the arrays are sized for what the file can hold, the count is refused', async (t) => {
  // Sized for the header's count, the arrays took 22 bytes a node: 22 GB asked for by a 35 KB file.
  const nodes = snapshotText.match(/"node_count":(\d+)/)[1];
  const edges = snapshotText.match(/"edge_count":(\d+)/)[1];
  await expectOneLine(
    t,
    'heap snapshot',
    withHeader((h) => {
      h.node_count = 1e9;
    }),
    HeapSnapshotError,
    new RegExp(`"nodes" holds ${nodes} nodes but the header says 1000000000`),
  );
  await expectOneLine(
    t,
    'heap snapshot',
    withHeader((h) => {
      h.edge_count = 1e9;
    }),
    HeapSnapshotError,
    new RegExp(`"edges" holds ${edges} edges but the header says 1000000000`),
  );
  await expectOneLine(
    t,
    'heap snapshot',
    withHeader((h) => {
      h.edge_count = -1;
    }),
    HeapSnapshotError,
    /its edge_count -1 is not a count/,
  );
  // The allocation itself: fed the file up to the middle of "nodes", the scanner's arrays are no longer than the file.
  const text = Buffer.from(
    withHeader((h) => {
      h.node_count = 1e9;
    }),
  );
  const scanner = new SnapshotScanner(text.length);
  scanner.feed(text.subarray(0, text.indexOf('"edges"') - 100));
  t.true(scanner.nodes.type.length <= text.length, `nodes sized for ${scanner.nodes.type.length} in a file of ${text.length} bytes`);
});

test("heap snapshot: a node's edge_count of a hundred million: the edges are sized for what the file can hold, the count is refused", async (t) => {
  // The root's edge_count (the fifth field of the first node) made huge, the header's edge_count left out.
  const text = withHeader((h) => {
    delete h.edge_count;
  }).replace(/"nodes":\[(\d+),(\d+),(\d+),(\d+),(\d+)/, '"nodes":[$1,$2,$3,$4,100000000');
  await expectOneLine(t, 'heap snapshot', text, HeapSnapshotError, /"edges" holds \d+ edges but the nodes' edge counts add up to 1\d{8}/);
});

test('heap snapshot: a "snapshot" header that is not JSON, where V8\'s message quotes a line break, is one line', async (t) => {
  // Bytes copied into the header (as the fuzzer's case 1046 of seed 18 did): "Unexpected token '@', "…\n@…" is not valid JSON".
  const text = snapshotText.replace('"node_count":', '"node_count":\n@');
  await expectOneLine(t, 'heap snapshot', text, HeapSnapshotError, /the "snapshot" entry is not valid JSON/);
});

test('heap profile: a sample that is not an object (was a TypeError in the flame tree)', async (t) => {
  await expectOneLine(
    t,
    'heap profile',
    JSON.stringify({ ...profile, samples: [null] }),
    TraceFileError,
    /not a heap profile: a sample has no \{size, nodeId\}/,
  );
  await expectOneLine(
    t,
    'heap profile',
    JSON.stringify({ ...profile, samples: [{ size: '8', nodeId: 1, ordinal: 1 }] }),
    TraceFileError,
    /a sample has no \{size, nodeId\}/,
  );
});

test("heap profile: JSON broken across lines gives one line (V8's message quotes the text)", async (t) => {
  const text = JSON.stringify(profile).replace('"selfSize":', '"selfSize":\n@');
  await expectOneLine(t, 'heap profile', text, TraceFileError, /not a heap profile: not JSON \(Unexpected token '@'/);
});

test("trace meta.json: a field the report reads missing or of the wrong type (was a TypeError in memtrace report's heading)", async (t) => {
  const meta = JSON.parse(realTraceMeta(freshDir('memtrace-regression-')).toString('utf8'));
  const { events, ...withoutEvents } = meta;
  await expectOneLine(
    t,
    'trace meta.json',
    JSON.stringify(withoutEvents),
    TraceFileError,
    /not a memtrace meta.json: "events.measuredCalls" is missing/,
  );
  await expectOneLine(
    t,
    'trace meta.json',
    JSON.stringify({ ...meta, events: { ...events, rowsWritten: '12' } }),
    TraceFileError,
    /"events.rowsWritten" is not a number/,
  );
  await expectOneLine(
    t,
    'trace meta.json',
    JSON.stringify({ ...meta, calibration: null }),
    TraceFileError,
    /"calibration.selfBytes" is missing/,
  );
  await expectOneLine(t, 'trace meta.json', '[]', TraceFileError, /not a memtrace meta.json: not a JSON object/);
});

test("allocations.json: a field memtrace run --alloc's summary reads missing or of the wrong type (was a TypeError)", async (t) => {
  const meta = JSON.parse(realAllocationMeta(freshDir('memtrace-regression-')).toString('utf8'));
  const { lines, ...withoutLines } = meta;
  for (const [content, pattern] of [
    [JSON.stringify(withoutLines), /not a memtrace allocations.json: "lines.method" is missing/],
    [JSON.stringify({ ...meta, compensation: 'none' }), /"compensation.bytes" is missing/],
    [JSON.stringify({ ...meta, lines, samples: '3' }), /"samples" is not a number/],
  ]) {
    const dir = freshDir('memtrace-regression-');
    realAllocationMeta(dir);
    const path = join(dir, 'allocations.json');
    writeFileSync(path, content);
    const error = await t.throwsAsync(reader('allocations.json').read(path), { instanceOf: TraceFileError });
    t.regex(error.message, pattern);
    t.true(error.message.includes(path));
  }
});
