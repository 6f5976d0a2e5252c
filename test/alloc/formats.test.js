// Every file of a `memtrace run --alloc` directory read back: the CSVs by memtrace's readers, the
// .heapprofile as DevTools' SamplingHeapProfile, speedscope against its published JSON schema, pprof
// with the pprof-format package's decoder.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv from 'ajv';
import { ALLOCATION_FILES, readHeapProfile, readPprof, readSpeedscope, stackOf } from '../../dist/src/index.js';
import { runAlloc } from '../helpers/run-alloc.js';
import { fixture, root } from '../helpers/run-traced.js';

const require = createRequire(import.meta.url);
let run;

test.before(() => {
  const result = runAlloc(fixture('alloc', 'loop.ts'), {
    flags: ['--alloc', '--lines', '--alloc-interval', '16384'],
    nodeArgs: ['--import', 'tsx'],
  });
  if (result.status !== 0 || !result.run) throw new Error(`memtrace run failed: ${result.stderr}`);
  run = result.run;
});

const selfTotal = () => run.allocations.reduce((sum, r) => sum + r.selfBytes, 0);
const close = (a, b) => Math.abs(a - b) <= 0.01 * b + 1024;

test('allocations.csv and stacks.csv: every row names a stack whose innermost frame is its function', (t) => {
  t.true(run.allocations.length > 0);
  t.true(close(selfTotal(), run.meta.sampledBytes), `${selfTotal()} vs ${run.meta.sampledBytes}`);
  for (const row of run.allocations) {
    const stack = stackOf(run.stacks, row.stackId);
    t.true(stack.length > 0);
    t.is(stack[0].function, row.function);
    t.true(row.totalBytes >= row.selfBytes - 1);
  }
  // memtrace's frames never appear: they were left out (and counted) instead.
  t.false(run.stacks.some((s) => s.file.startsWith(join(root, 'dist'))));
  t.true(run.meta.compensation.bytes >= 0);
});

test('.heapprofile is a SamplingHeapProfile at original .ts positions, without memtrace', (t) => {
  const profile = readHeapProfile(join(run.directory, ALLOCATION_FILES.heapProfile));
  const nodes = [];
  const walk = (node) => {
    nodes.push(node);
    node.children.forEach(walk);
  };
  walk(profile.head);
  const fill = nodes.find((n) => n.callFrame.functionName === 'fill');
  t.truthy(fill);
  t.regex(fill.callFrame.url, /^file:.*loop\.ts$/);
  t.is(fill.callFrame.lineNumber, 8, 'fill starts at line 9 (0-based 8) of loop.ts');
  t.false(nodes.some((n) => n.callFrame.url.includes('/dist/src/')));
  const ids = new Set(nodes.map((n) => n.id));
  t.true(profile.samples.length > 0);
  t.true(profile.samples.every((s) => ids.has(s.nodeId) && s.size > 0));
});

test("speedscope file validates against speedscope's own schema and weighs the same bytes", (t) => {
  const schema = JSON.parse(readFileSync(require.resolve('speedscope/dist/release/file-format-schema.json'), 'utf8'));
  const file = readSpeedscope(join(run.directory, ALLOCATION_FILES.speedscope));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  t.true(validate(file), JSON.stringify(validate.errors?.slice(0, 3)));
  const weights = file.profiles[0].weights.reduce((a, b) => a + b, 0);
  t.true(close(weights, selfTotal()), `${weights} vs ${selfTotal()}`);
  // The innermost frame of the heaviest stack is the allocating statement.
  const heaviest = file.profiles[0].weights.indexOf(Math.max(...file.profiles[0].weights));
  const leaf = file.shared.frames[file.profiles[0].samples[heaviest].at(-1)];
  t.is(leaf.line, 11);
  t.regex(leaf.file, /loop\.ts$/);
});

test('pprof decodes with pprof-format: bytes by location, statement lines on the innermost location', (t) => {
  const profile = readPprof(join(run.directory, ALLOCATION_FILES.pprof));
  const strings = profile.stringTable.strings;
  t.deepEqual(
    profile.sampleType.map((v) => `${strings[Number(v.type)]}/${strings[Number(v.unit)]}`),
    ['samples/count', 'space/bytes'],
  );
  const bytes = profile.sample.reduce((sum, s) => sum + Number(s.value[1]), 0);
  t.true(close(bytes, selfTotal()), `${bytes} vs ${selfTotal()}`);
  const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
  const functions = new Map(profile.function.map((f) => [Number(f.id), f]));
  const leafLines = new Set();
  for (const sample of profile.sample) {
    const line = locations.get(Number(sample.locationId[0])).line[0];
    if (strings[Number(functions.get(Number(line.functionId)).name)] === 'fill') leafLines.add(Number(line.line));
  }
  t.true(leafLines.has(11) && leafLines.has(12) && leafLines.has(13), [...leafLines].join(','));
});

test('a file that is not a profile is one line of error for each reader', (t) => {
  const csv = join(run.directory, ALLOCATION_FILES.table);
  t.throws(() => readPprof(csv), { message: new RegExp(`^memtrace: ${csv}: not a pprof profile \\(.*\\)$`) });
  t.throws(() => readSpeedscope(csv), { message: /^memtrace: .*allocations\.csv: not a speedscope file/ });
  t.throws(() => readHeapProfile(csv), { message: /^memtrace: .*allocations\.csv: not a heap profile: not JSON/ });
});
