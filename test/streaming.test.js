// Reading traces of any size: the chunked CSV reader against a whole-file csv-parse reading, the
// min/max timeline that keeps a single spike, and the digest's largest calls.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { EVENT_COLUMNS, readEventBatches, readEventsCsv, TraceFileError } from '../dist/src/index.js';
import { EVENT_HEADER } from '../dist/src/formats/events-csv.js';
import { MinMaxTimeline } from '../dist/src/report/timeline.js';
import { EventDigester } from '../dist/src/report/trace-digest.js';
import { freshDir } from './helpers/run-traced.js';

/** A row of events.csv as text (function and file quoted as csv-stringify would). */
function row(seq, fields = {}) {
  const f = {
    time: seq * 1000,
    event: 'call',
    id: seq % 7,
    fn: `f${seq % 7}`,
    file: '/app/a.js',
    line: 3,
    depth: 1,
    async: 1,
    heap: 1e6 + seq,
    allocated: 2e6 + 10 * seq,
    dAllocated: 10,
    rss: '',
    ...fields,
  };
  const quote = (text) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  return [
    seq,
    f.time,
    f.event,
    f.id,
    quote(f.fn),
    quote(f.file),
    f.line,
    4,
    f.depth,
    f.async,
    f.heap,
    5,
    f.allocated,
    f.dAllocated,
    f.rss,
    0,
    0,
  ].join(',');
}

/** A file of many chunks: plain rows, names with commas, quotes, a line break and multi-byte characters. */
function eventsFile(rows = 3000) {
  const lines = [];
  for (let seq = 0; seq < rows; seq++) {
    const odd =
      seq % 97 === 0
        ? { fn: `naïve, "quoted" ✓ ${seq}` }
        : seq % 101 === 0
          ? { event: 'label', id: '', fn: `two\nlines ${seq}`, file: '' }
          : seq % 89 === 0
            ? { file: '/app/dïr/ünïcode €.js', rss: 5e7 + seq }
            : {};
    lines.push(row(seq, odd));
  }
  const path = join(freshDir(), 'events.csv');
  writeFileSync(path, `${EVENT_HEADER}${lines.join('\n')}\n`);
  return path;
}

/** The simple reading: the whole file through csv-parse. */
function wholeFile(path) {
  return parse(readFileSync(path, 'utf8'), { columns: true }).map((r) => ({
    seq: Number(r.seq),
    timeNs: Number(r.time_ns),
    event: r.event,
    functionId: r.function_id === '' ? null : Number(r.function_id),
    function: r.function,
    file: r.file,
    line: Number(r.line),
    column: Number(r.column),
    depth: Number(r.depth),
    asyncId: Number(r.async_id),
    heapUsed: Number(r.heap_used),
    dHeap: Number(r.d_heap),
    allocated: Number(r.allocated),
    dAllocated: Number(r.d_allocated),
    rss: r.rss === '' ? null : Number(r.rss),
    external: Number(r.external),
    arrayBuffers: Number(r.array_buffers),
  }));
}

async function collect(batches) {
  const rows = [];
  let count = 0;
  for await (const batch of batches) {
    count++;
    rows.push(...batch);
  }
  return { rows, batches: count };
}

test('events.csv read in chunks of 97 bytes gives the same rows as csv-parse on the whole file', async (t) => {
  const path = eventsFile();
  const expected = wholeFile(path);
  t.is(expected.length, 3000);
  const progress = [];
  const { rows, batches } = await collect(
    readEventBatches(path, { chunkBytes: 97, onProgress: (done, total) => progress.push([done, total]) }),
  );
  t.true(batches > 100, `${batches} batches: many chunk boundaries crossed`);
  t.deepEqual(rows, expected);
  t.deepEqual(readEventsCsv(path, { chunkBytes: 97 }), expected);
  t.deepEqual(progress.at(-1), [readFileSync(path).length, readFileSync(path).length]);
  t.true(rows.some((r) => r.function === 'two\nlines 101' && r.event === 'label'));
  t.true(rows.some((r) => r.file === '/app/dïr/ünïcode €.js'));
});

test('a file cut mid-row gives its whole rows and one line naming the file and the line', async (t) => {
  const path = eventsFile(500);
  const text = readFileSync(path, 'utf8');
  const cut = text.lastIndexOf('\n', text.length - 2) + 20;
  writeFileSync(path, text.slice(0, cut));
  const problems = [];
  const { rows } = await collect(readEventBatches(path, { chunkBytes: 64, onTruncated: (line) => problems.push(line) }));
  t.is(rows.length, 499);
  const line = text.slice(0, cut).split('\n').length;
  t.true(line > 501, 'labels with a line break take two lines');
  t.deepEqual(problems, [
    `memtrace: ${path}: the file ends mid-row at line ${line} (was the process stopped while writing?); the 499 whole rows before it are read`,
  ]);
});

test('a malformed row is a one-line error naming the file and its line', async (t) => {
  const dir = freshDir();
  const short = join(dir, 'short.csv');
  writeFileSync(short, `${EVENT_HEADER}${row(0)}\n${row(1)}\n1,2,3\n`);
  const error = await t.throwsAsync(collect(readEventBatches(short, { chunkBytes: 16 })), { instanceOf: TraceFileError });
  t.is(error.message, `memtrace: ${short}: line 4: 3 cells where the header has ${EVENT_COLUMNS.length}`);
  const letters = join(dir, 'letters.csv');
  writeFileSync(letters, `${EVENT_HEADER}${row(0)}\n${row(1, { heap: 'lots' })}\n`);
  t.throws(() => readEventsCsv(letters), { message: `memtrace: ${letters}: line 3: heap_used is "lots", not a finite number` });
  const missing = join(dir, 'nothing-here.csv');
  await t.throwsAsync(collect(readEventBatches(missing)), { message: `memtrace: ${missing}: no such file` });
});

test('min/max buckets keep a single spike and a single trough, and count every reading', (t) => {
  const timeline = new MinMaxTimeline(100);
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const value = i === 31_337 ? 900 : i === 77_777 ? -900 : Math.sin(i / 500) * 10;
    timeline.add(i * 1e6, value);
  }
  t.is(timeline.readings, n);
  const used = timeline.usedBuckets;
  t.true(used > 50 && used <= 100, `${used} buckets in use: the width doubles until the run fits`);
  t.is(timeline.bucketWidthNs % 1000, 0);
  t.true(timeline.bucketWidthNs * 100 >= (n - 1) * 1e6 && timeline.bucketWidthNs * 50 < n * 1e6);
  const { times, values } = timeline.points();
  t.true(values.length <= 2 * used);
  t.is(Math.max(...values), 900);
  t.is(Math.min(...values), -900);
  t.is(times[values.indexOf(900)], 31_337 * 1e6, 'the spike keeps its time');
  t.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
  );
  t.is(timeline.max, 900);
});

test('a short series goes through the buckets unchanged', (t) => {
  const timeline = new MinMaxTimeline(2000);
  const times = [0, 5e6, 9e6, 2e9];
  const readings = [10, 30, 20, 40];
  times.forEach((time, i) => timeline.add(time, readings[i]));
  timeline.add(3e9, Number.NaN);
  t.deepEqual(timeline.points(), { times, values: readings });
  t.is(timeline.readings, 4);
});

test('the digest keeps the largest calls, pairing calls with their returns per function and async context', (t) => {
  const digester = new EventDigester({ topCalls: 3, buckets: 10 });
  const event = (seq, event, fn, asyncId, dAllocated) => ({
    seq,
    timeNs: seq * 1000,
    event,
    functionId: Number(fn.slice(1)),
    function: fn,
    file: '/a.js',
    line: 1,
    column: 1,
    depth: 0,
    asyncId,
    heapUsed: 1000,
    dHeap: 0,
    allocated: 1000 + seq,
    dAllocated,
    rss: null,
    external: null,
    arrayBuffers: null,
  });
  let seq = 0;
  // f1..f9 each allocate 100 × id bytes; g1 interleaves two async contexts; a return without its call is not a call.
  for (let id = 1; id <= 9; id++) {
    digester.add(event(seq++, 'call', `f${id}`, 1, 0));
    digester.add(event(seq++, 'line', `f${id}`, 1, 50 * id));
    digester.add(event(seq++, 'return', `f${id}`, 1, 50 * id));
  }
  digester.add(event(seq++, 'call', 'g1', 7, 0));
  digester.add(event(seq++, 'call', 'g1', 8, 0));
  digester.add(event(seq++, 'return', 'g1', 7, 5000));
  digester.add(event(seq++, 'return', 'g1', 8, 10));
  digester.add(event(seq++, 'return', 'h1', 1, 99_999));
  digester.add({ ...event(seq++, 'label', 'start', 0, 0), functionId: null });
  const digest = digester.digest();
  t.is(digest.rows, seq);
  t.is(digest.calls, 11);
  t.is(digest.labelCount, 1);
  t.deepEqual(
    digest.largestCalls.map((c) => [c.function, c.allocatedBytes, c.asyncId]),
    [
      ['g1', 5000, 7],
      ['f9', 900, 1],
      ['f8', 800, 1],
    ],
  );
  t.is(digest.largestCalls[0].durationNs, 2000);
});

test('a file of the header alone, with or without its newline, has no rows and is not cut short', async (t) => {
  const dir = freshDir();
  for (const [name, text] of [
    ['with.csv', EVENT_HEADER],
    ['without.csv', EVENT_HEADER.trimEnd()],
  ]) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const problems = [];
    t.deepEqual((await collect(readEventBatches(path, { onTruncated: (line) => problems.push(line) }))).rows, []);
    t.deepEqual(problems, [], name);
  }
});
