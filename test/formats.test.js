// Each trace file has one writer and one reader; what one writes the other reads back unchanged.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventFormatter, EVENT_HEADER } from '../dist/src/formats/events-csv.js';
import { formatFunctionsCsv } from '../dist/src/formats/functions-csv.js';
import { EventColumn as Col } from '../dist/src/shared/layouts.js';
import { readEventsCsv, readFunctionsCsv, readMeta, TraceFileError } from '../dist/src/index.js';
import { freshDir } from './helpers/run-traced.js';
import { loadNativeAddon } from '../dist/src/shared/native-addon.js';

const functions = [
  { name: 'Cart.add', file: '/app/cart.js', line: 3, column: 5 },
  { name: 'weird, "quoted"\nname', file: '/app/a b,c.js', line: 10, column: 1 },
];

function row(values) {
  const data = new Float64Array(Col.COUNT);
  for (const [column, value] of Object.entries(values)) data[Col[column]] = value;
  return data;
}

test('events.csv rows read back as written, names quoted, big and negative numbers exact', (t) => {
  const rows = [
    row({
      TIME: 12345678901234,
      KIND: 1,
      FUNCTION_ID: 0,
      LINE: 3,
      DEPTH: 2,
      ASYNC_ID: 7,
      HEAP: 3_000_000_123,
      D_HEAP: -4096,
      ALLOCATED: 9_007_199_254_740_000,
      D_ALLOCATED: 1_048_592,
      RSS: NaN,
      EXTERNAL: 2_000_000,
      ARRAY_BUFFERS: NaN,
    }),
    row({
      TIME: 5,
      KIND: 5,
      FUNCTION_ID: 1,
      LINE: 11,
      DEPTH: 0,
      ASYNC_ID: 1,
      HEAP: 10,
      D_HEAP: 0,
      ALLOCATED: 10,
      D_ALLOCATED: 0,
      RSS: 123_456_789,
      EXTERNAL: 0,
      ARRAY_BUFFERS: 1_000_000_000,
    }),
  ];
  const data = new Float64Array(rows.length * Col.COUNT);
  rows.forEach((r, i) => data.set(r, i * Col.COUNT));
  const path = join(freshDir(), 'events.csv');
  writeFileSync(path, Buffer.concat([Buffer.from(EVENT_HEADER), new EventFormatter(functions, []).format(data, 0, rows.length)]));
  const [first, second] = readEventsCsv(path);
  t.like(first, {
    seq: 0,
    timeNs: 12345678901234,
    event: 'return',
    functionId: 0,
    function: 'Cart.add',
    file: '/app/cart.js',
    line: 3,
    column: 5,
    depth: 2,
    asyncId: 7,
    heapUsed: 3_000_000_123,
    dHeap: -4096,
    allocated: 9_007_199_254_740_000,
    dAllocated: 1_048_592,
    rss: null,
    external: 2_000_000,
    arrayBuffers: null,
  });
  t.like(second, {
    seq: 1,
    event: 'line',
    function: 'weird, "quoted"\nname',
    file: '/app/a b,c.js',
    line: 11,
    column: null,
    rss: 123_456_789,
    arrayBuffers: 1_000_000_000,
  });
});

test('the addon formats events.csv rows to the same bytes as the JS formatter', (t) => {
  const addon = loadNativeAddon();
  if (!addon) {
    if (process.env.CI_EXPECT_NATIVE === '1') t.fail(`native addon missing for Node ${process.version}`);
    else t.pass('native addon not built: the JS formatter is the only one');
    return;
  }
  // Every kind, labels, a function the writer does not know yet (#id), negatives, halves to round,
  // NaN where a column is not read, numbers past 2^32 and close to 2^53.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const count = 5000;
  const data = new Float64Array(count * Col.COUNT);
  for (let r = 0; r < count; r++) {
    const at = r * Col.COUNT;
    const kind = Math.floor(random() * 7);
    data[at + Col.TIME] = random() * 1e13 + (r % 2 ? 0.5 : 0.25);
    data[at + Col.KIND] = kind;
    data[at + Col.FUNCTION_ID] = kind === 6 ? r % 2 : Math.floor(random() * 3); // id 2: unknown
    data[at + Col.LINE] = Math.floor(random() * 5000);
    data[at + Col.DEPTH] = Math.floor(random() * 40);
    data[at + Col.ASYNC_ID] = Math.floor(random() * 1e6);
    data[at + Col.HEAP] = Math.floor(random() * 9e15);
    data[at + Col.D_HEAP] = (random() - 0.5) * 1e7 + (r % 3 === 0 ? 0.5 : 0);
    data[at + Col.ALLOCATED] = random() * 9e15;
    data[at + Col.D_ALLOCATED] = random() < 0.1 ? -2.5 : random() * 1e9;
    data[at + Col.RSS] = r % 4 === 0 ? random() * 1e10 : NaN;
    data[at + Col.EXTERNAL] = r % 4 === 0 ? random() * 1e8 : NaN;
    data[at + Col.ARRAY_BUFFERS] = r % 8 === 0 ? 0 : NaN;
  }
  const labels = ['phase, one', 'two "quoted"'];
  const jsFormatter = new EventFormatter(functions, labels, new Float64Array([100]));
  const nativeFormatter = new EventFormatter(functions, labels, new Float64Array([100]), addon);
  const js = jsFormatter.format(data, 0, count);
  const native = nativeFormatter.format(data, 0, count);
  // Both take the rows' highest heap_used as they format them (the run's peak, for --fail-over).
  let peak = 0;
  for (let r = 0; r < count; r++) peak = Math.max(peak, data[r * Col.COUNT + Col.HEAP]);
  t.is(jsFormatter.peakHeap, peak);
  t.is(nativeFormatter.peakHeap, peak);
  t.is(
    Buffer.compare(Buffer.from(js), Buffer.from(native)),
    0,
    `first difference at byte ${Buffer.from(js).findIndex((b, i) => b !== native[i])}`,
  );
  t.true(js.length > count * 60);
  // A later half continues the sequence, and a slice from the middle formats alike too.
  const sequence = new Float64Array([0]);
  const formatter = new EventFormatter(functions, labels, sequence, addon);
  formatter.format(data, 0, 10);
  t.is(sequence[0], 10);
  t.is(
    Buffer.compare(
      Buffer.from(formatter.format(data, 1000, 200)),
      Buffer.from(new EventFormatter(functions, labels, new Float64Array([10])).format(data, 1000, 200)),
    ),
    0,
  );
});

test('functions.csv reads back as written, sorted by total allocation', (t) => {
  const path = join(freshDir(), 'functions.csv');
  const base = { line: 1, column: 1, calls: 1, measuredCalls: 1, selfAllocBytes: 0, maxHeapGrowthBytes: 0, selfTimeNs: 0, totalTimeNs: 0 };
  writeFileSync(
    path,
    formatFunctionsCsv([
      { ...base, function: 'small', file: '/a.js', totalAllocBytes: 10 },
      { ...base, function: 'big, "one"', file: '/b.js', totalAllocBytes: 5e9 },
    ]),
  );
  const rows = readFunctionsCsv(path);
  t.deepEqual(
    rows.map((r) => [r.function, r.totalAllocBytes]),
    [
      ['big, "one"', 5e9],
      ['small', 10],
    ],
  );
});

test("functions.csv names quoted once and kept (the checkpoints' cache) read back the same on every write", (t) => {
  const path = join(freshDir(), 'functions.csv');
  const base = {
    line: 3,
    column: 2,
    calls: 7,
    measuredCalls: 5,
    selfAllocBytes: 1.4,
    maxHeapGrowthBytes: 0,
    selfTimeNs: 2.6,
    totalTimeNs: 1e15,
  };
  const rows = [
    { ...base, function: 'line\nbreak', file: '/a,b/"c".js', totalAllocBytes: 3 },
    { ...base, function: ' spaced ', file: '/ü.js', totalAllocBytes: 2 },
    { ...base, function: '', file: '/plain.js', totalAllocBytes: 1 },
  ];
  const quoted = new Map();
  for (let write = 0; write < 2; write++) {
    writeFileSync(path, formatFunctionsCsv(rows, quoted));
    const back = readFunctionsCsv(path);
    t.deepEqual(
      back.map((r) => [r.function, r.file, r.selfAllocBytes, r.totalTimeNs]),
      [
        ['line\nbreak', '/a,b/"c".js', 1, 1e15],
        [' spaced ', '/ü.js', 1, 1e15],
        ['', '/plain.js', 1, 1e15],
      ],
    );
  }
  t.is(quoted.size, 3);
});

test('a truncated last row is left out; a wrong header or an empty file is a one-line error naming the file', (t) => {
  const dir = freshDir();
  const truncated = join(dir, 'events.csv');
  writeFileSync(truncated, `${EVENT_HEADER}0,1,call,0,f,/a.js,1,1,0,1,10,0,10,0,,0,\n1,2,ret`);
  t.is(readEventsCsv(truncated).length, 1);
  const wrong = join(dir, 'functions.csv');
  writeFileSync(wrong, 'a,b,c\n1,2,3\n');
  const error = t.throws(() => readFunctionsCsv(wrong), { instanceOf: TraceFileError });
  t.regex(error.message, /functions\.csv: the header is not function,file,line,column/);
  t.false(error.message.includes('\n'));
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  t.throws(() => readEventsCsv(empty), { message: /empty\.csv: the file is empty/ });
  const meta = join(dir, 'meta.json');
  writeFileSync(meta, '{"version": 99}');
  t.throws(() => readMeta(meta), { message: /meta\.json: not a memtrace meta\.json: version 99/ });
});
