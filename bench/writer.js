/**
 * Writer throughput: `node bench/writer.js [--rows N] [--rounds R]`. Formats synthetic event rows (the
 * magnitudes of a real trace: times ~1e10 ns, heaps of tens of MB, small deltas, a few hundred
 * functions) with the EventFormatter the writer thread uses, in JS and with the addon's formatter, and
 * writes them to a temporary file, as the writer does: appended into fresh disk blocks, and into
 * blocks reserved ahead (fallocate, as events-file.ts does). Reports rows per second for formatting
 * alone and for formatting plus the write (a half at once, and in the writer thread's pieces), median
 * of R rounds; prints a table and writes
 * bench/results/writer.csv. Target (design): 5 M rows/s.
 */
import { mkdtempSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, writeCsv } from './common.js';
import { distUrl } from './dist-path.js';

const args = process.argv.slice(2);
const { EventFormatter } = await import(distUrl('src/formats/events-csv.js'));
const { loadNativeAddon } = await import(distUrl('src/shared/native-addon.js'));
const addon = loadNativeAddon();
// --against DIR: a second build's formatter (e.g. a copy of an older dist/), run in alternate rounds.
const againstDir = args.includes('--against') ? args[args.indexOf('--against') + 1] : undefined;
const Against = againstDir
  ? (await import(new URL('src/formats/events-csv.js', `file://${againstDir.replace(/\/+$/, '')}/`).href)).EventFormatter
  : undefined;
const { EventColumn: Col } = await import(distUrl('src/shared/layouts.js'));
// The writer thread's piece (src/writer/half-writer.ts); 0 where this build writes a half at once.
const { CHUNK_ROWS = 0 } = await import(distUrl('src/writer/half-writer.js'));

const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const rows = option('--rows', 65536);
const rounds = option('--rounds', 21);

const functions = Array.from({ length: 300 }, (_, i) => ({
  name: `Parser.method${i}`,
  file: `/home/user/project/node_modules/lib/src/module${i % 20}.js`,
  line: i * 7 + 1,
  column: 2,
}));
const data = new Float64Array(rows * Col.COUNT);
let heap = 40e6,
  allocated = 90e6,
  time = 12e9;
for (let r = 0; r < rows; r++) {
  const at = r * Col.COUNT;
  const dHeap = Math.round(Math.sin(r) * 6000);
  const dAlloc = Math.abs(dHeap) + (r % 7) * 512;
  heap += dHeap;
  allocated += dAlloc;
  time += 180 + (r % 13) * 40;
  data[at + Col.TIME] = time;
  data[at + Col.KIND] = r % 2;
  data[at + Col.FUNCTION_ID] = r % functions.length;
  data[at + Col.LINE] = functions[r % functions.length].line;
  data[at + Col.DEPTH] = 3 + (r % 9);
  data[at + Col.ASYNC_ID] = 1;
  data[at + Col.HEAP] = heap;
  data[at + Col.D_HEAP] = dHeap;
  data[at + Col.ALLOCATED] = allocated;
  data[at + Col.D_ALLOCATED] = dAlloc;
  data[at + Col.RSS] = r % 64 === 0 ? 80e6 + r : NaN;
  data[at + Col.EXTERNAL] = r % 64 === 0 ? 2e6 : NaN;
  data[at + Col.ARRAY_BUFFERS] = r % 64 === 0 ? 1e5 : NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'memtrace-writer-bench-'));
const fd = openSync(join(dir, 'events.csv'), 'a');
const reservedFd = openSync(join(dir, 'events-reserved.csv'), 'a');
let reservedUntil = 0;
let reservedSize = 0;
const RESERVE = 32 * 1024 * 1024;
const candidates = [{ name: 'this build, JS', formatter: new EventFormatter(functions, []) }];
if (addon)
  candidates.push({ name: 'this build, addon', formatter: new EventFormatter(functions, [], new Float64Array(1), addon), reserve: true });
if (Against) candidates.push({ name: `against ${againstDir}`, formatter: new Against(functions, []) });
for (const c of candidates) Object.assign(c, { formatOnly: [], withWrite: [], withReservedWrite: [], inPieces: [], bytes: 0 });
// Alternate rounds, so load on the machine hits both alike; the best round says what the code can do.
for (let round = 0; round < rounds; round++) {
  for (const c of candidates) {
    let t = process.hrtime.bigint();
    const text = c.formatter.format(data, 0, rows);
    c.formatOnly.push(rows / (Number(process.hrtime.bigint() - t) / 1e9));
    c.bytes = text.length;
    t = process.hrtime.bigint();
    writeSync(fd, c.formatter.format(data, 0, rows));
    c.withWrite.push(rows / (Number(process.hrtime.bigint() - t) / 1e9));
    if (!c.reserve) continue;
    t = process.hrtime.bigint();
    const bytes = c.formatter.format(data, 0, rows);
    if (reservedSize + bytes.length > reservedUntil && addon.preallocate(reservedFd, reservedSize, RESERVE))
      reservedUntil = reservedSize + RESERVE;
    writeSync(reservedFd, bytes);
    reservedSize += bytes.length;
    c.withReservedWrite.push(rows / (Number(process.hrtime.bigint() - t) / 1e9));
    if (CHUNK_ROWS === 0) continue;
    // As the writer thread writes a half: formatted and written a piece at a time.
    t = process.hrtime.bigint();
    for (let done = 0; done < rows; done += CHUNK_ROWS) {
      const piece = c.formatter.format(data, done, Math.min(CHUNK_ROWS, rows - done));
      if (reservedSize + piece.length > reservedUntil && addon.preallocate(reservedFd, reservedSize, RESERVE))
        reservedUntil = reservedSize + RESERVE;
      writeSync(reservedFd, piece);
      reservedSize += piece.length;
    }
    c.inPieces.push(rows / (Number(process.hrtime.bigint() - t) / 1e9));
  }
}
closeSync(fd);
closeSync(reservedFd);
rmSync(dir, { recursive: true, force: true });

const best = (list) => Math.max(...list);
const result = candidates.flatMap((c) => [
  {
    build: c.name,
    measure: 'format',
    median_rows_per_s: Math.round(median(c.formatOnly)),
    best_rows_per_s: Math.round(best(c.formatOnly)),
    bytes_per_row: (c.bytes / rows).toFixed(1),
  },
  {
    build: c.name,
    measure: 'format + write',
    median_rows_per_s: Math.round(median(c.withWrite)),
    best_rows_per_s: Math.round(best(c.withWrite)),
    bytes_per_row: (c.bytes / rows).toFixed(1),
  },
  ...(c.reserve
    ? [
        {
          build: c.name,
          measure: 'format + write, blocks reserved',
          median_rows_per_s: Math.round(median(c.withReservedWrite)),
          best_rows_per_s: Math.round(best(c.withReservedWrite)),
          bytes_per_row: (c.bytes / rows).toFixed(1),
        },
      ]
    : []),
  ...(c.reserve && CHUNK_ROWS > 0
    ? [
        {
          build: c.name,
          measure: `the same, ${CHUNK_ROWS} rows at a time (the writer thread)`,
          median_rows_per_s: Math.round(median(c.inPieces)),
          best_rows_per_s: Math.round(best(c.inPieces)),
          bytes_per_row: (c.bytes / rows).toFixed(1),
        },
      ]
    : []),
]);
console.log(`writer: ${rows} rows x ${rounds} rounds, node ${process.version}`);
console.table(result);
writeCsv(join(fileURLToPath(new URL('.', import.meta.url)), 'results'), 'writer', result);
