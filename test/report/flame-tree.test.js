import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flameTreeFromHeapProfile, readHeapProfile, topLines, TraceFileError } from '../../dist/src/index.js';
import { cliPath, freshDir } from '../helpers/run-traced.js';
import { allocators, CACHE_BYTES, findNode, heapProfileOf, INDEX_BYTES } from './helpers.js';

const MiB = 1024 * 1024;
const profilePath = heapProfileOf();
const profile = readHeapProfile(profilePath);
const tree = flameTreeFromHeapProfile(profile);

function sumSelfSizes(node) {
  return node.selfSize + node.children.reduce((sum, child) => sum + sumSelfSizes(child), 0);
}

test('the biggest allocator of a real profile is on top with about the bytes it kept', (t) => {
  const main = findNode(tree, 'main');
  t.truthy(main, 'main is in the tree');
  t.is(main.file, allocators);
  t.is(main.line, 25);
  const [first, second] = main.children;
  t.is(first.name, 'buildCache');
  t.is(second.name, 'buildIndex');
  // 4 KiB sampling of ~19 MB gives ~4800 samples (~500 in buildIndex): 25 runs ranged 1.02–1.07 and 0.99–1.11
  // of the expected sizes; 15 % (25 % for the small one) leaves room for a loaded machine.
  t.true(
    Math.abs(first.totalBytes - CACHE_BYTES) < 0.15 * CACHE_BYTES,
    `buildCache ${(first.totalBytes / MiB).toFixed(2)} MiB, expected ~${(CACHE_BYTES / MiB).toFixed(2)}`,
  );
  t.true(
    Math.abs(second.totalBytes - INDEX_BYTES) < 0.25 * INDEX_BYTES,
    `buildIndex ${(second.totalBytes / MiB).toFixed(2)} MiB, expected ~${(INDEX_BYTES / MiB).toFixed(2)}`,
  );
  t.is(first.children[0].name, 'kibibyte');
  t.true(first.children[0].selfBytes > 0.9 * first.totalBytes, 'buildCache allocates through kibibyte');
});

test('converting keeps every byte and every sample, and merges identical frames', (t) => {
  t.is(tree.totalBytes, sumSelfSizes(profile.head));
  let samples = 0;
  const stack = [tree];
  while (stack.length > 0) {
    const node = stack.pop();
    samples += node.selfCount;
    t.is(node.totalBytes, node.selfBytes + node.children.reduce((sum, c) => sum + c.totalBytes, 0));
    const keys = node.children.map((c) => `${c.name} ${c.file}:${c.line}:${c.column}`);
    t.is(new Set(keys).size, keys.length, `siblings under ${node.name} are distinct frames`);
    stack.push(...node.children);
  }
  // V8 lists a few samples of nodes it left out of the tree (allocated while it wrote the profile).
  const ids = new Set();
  const nodes = [profile.head];
  while (nodes.length > 0) {
    const node = nodes.pop();
    ids.add(node.id);
    nodes.push(...node.children);
  }
  t.is(samples, profile.samples.filter((s) => ids.has(s.nodeId)).length);
});

test('top lines: the allocating line first, with what both callers allocated through it', (t) => {
  const [first] = topLines(tree);
  t.is(first.function, 'kibibyte');
  t.is(first.file, allocators);
  t.is(first.line, 6);
  const expected = CACHE_BYTES + INDEX_BYTES;
  t.true(
    Math.abs(first.selfBytes - expected) < 0.15 * expected,
    `kibibyte ${(first.selfBytes / MiB).toFixed(2)} MiB, expected ~${(expected / MiB).toFixed(2)}`,
  );
});

const frame = (functionName, lineNumber) => ({ functionName, scriptId: '1', url: 'file:///app/r.js', lineNumber, columnNumber: 0 });

test('same-frame siblings merge recursively; a recursive line counts its bytes once in total', (t) => {
  // walk → walk → walk (recursion), and a second walk child under root with another id.
  const hand = {
    head: {
      callFrame: { ...frame('(root)', -1), url: '' },
      selfSize: 0,
      id: 1,
      children: [
        {
          callFrame: frame('walk', 1),
          selfSize: 100,
          id: 2,
          children: [
            {
              callFrame: frame('walk', 1),
              selfSize: 50,
              id: 3,
              children: [{ callFrame: frame('leaf', 9), selfSize: 7, id: 4, children: [] }],
            },
          ],
        },
        { callFrame: frame('walk', 1), selfSize: 10, id: 5, children: [{ callFrame: frame('leaf', 9), selfSize: 3, id: 6, children: [] }] },
      ],
    },
    samples: [
      { size: 8, nodeId: 2, ordinal: 1 },
      { size: 8, nodeId: 5, ordinal: 2 },
      { size: 8, nodeId: 6, ordinal: 3 },
    ],
  };
  const root = flameTreeFromHeapProfile(hand);
  t.is(root.children.length, 1);
  const walk = root.children[0];
  t.like(walk, { name: 'walk', file: '/app/r.js', line: 2, column: 1, selfBytes: 110, totalBytes: 170, selfCount: 2 });
  t.deepEqual(
    walk.children.map((c) => [c.name, c.totalBytes]),
    [
      ['walk', 57],
      ['leaf', 3],
    ],
  );
  const rows = topLines(root);
  t.like(
    rows.find((r) => r.function === 'walk'),
    { selfBytes: 160, totalBytes: 170 },
  );
  t.like(
    rows.find((r) => r.function === 'leaf'),
    { selfBytes: 10, totalBytes: 10 },
  );
});

test('a file that is not a heap profile gives one line naming it', (t) => {
  const dir = freshDir();
  const notJson = join(dir, 'broken.heapprofile');
  writeFileSync(notJson, '{"head": ');
  const error = t.throws(() => readHeapProfile(notJson), { instanceOf: TraceFileError });
  t.regex(error.message, /broken\.heapprofile: not a heap profile: not JSON/);
  const wrongShape = join(dir, 'cpu.heapprofile');
  writeFileSync(wrongShape, JSON.stringify({ nodes: [], startTime: 0 }));
  t.throws(() => readHeapProfile(wrongShape), { message: /cpu\.heapprofile: not a heap profile: no "head" node/ });
  const run = spawnSync(process.execPath, [cliPath, 'report', wrongShape], { encoding: 'utf8' });
  t.is(run.status, 1);
  t.is(run.stderr, `memtrace: ${wrongShape}: not a heap profile: no "head" node\n`);
});

test('memtrace report FILE.heapprofile prints the top lines', (t) => {
  const run = spawnSync(process.execPath, [cliPath, 'report', profilePath, '--top', '3'], { encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  t.is(lines.length, 5);
  t.regex(lines[2], new RegExp(`MiB .* kibibyte +${allocators.replaceAll('/', '\\/')}:6$`));
  t.true(readFileSync(profilePath, 'utf8').length > 0);
});

test('a builtin frame (no source position) is a row per caller, with the caller named', (t) => {
  const builtin = { functionName: 'join', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 };
  const hand = {
    head: {
      callFrame: { ...frame('(root)', -1), url: '' },
      selfSize: 0,
      id: 1,
      children: [
        { callFrame: frame('render', 2), selfSize: 1, id: 2, children: [{ callFrame: builtin, selfSize: 300, id: 3, children: [] }] },
        { callFrame: frame('serve', 7), selfSize: 1, id: 4, children: [{ callFrame: builtin, selfSize: 200, id: 5, children: [] }] },
      ],
    },
  };
  const rows = topLines(flameTreeFromHeapProfile(hand));
  t.deepEqual(
    rows.slice(0, 2).map((r) => [r.function, r.selfBytes, r.caller]),
    [
      ['join', 300, { function: 'render', file: '/app/r.js', line: 3 }],
      ['join', 200, { function: 'serve', file: '/app/r.js', line: 8 }],
    ],
  );
});
