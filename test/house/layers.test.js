// The layers of ARCHITECTURE.md, enforced: every import of every TypeScript file under src/, loader/
// and transforms/ (static, type-only, re-exports, import('…') of a literal, and new URL('./x.js',
// import.meta.url) for worker entry points) must go to the file's own layer or one below it. Layers on
// one floor (alloc, heap, heap-stats, process) are siblings: neither imports the other.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { parseSync } from 'oxc-parser';
import { root } from '../helpers/run-traced.js';

/** Floors, lowest first; a floor holds one layer or several siblings. A layer is a name and its paths. */
export const FLOORS = [
  [['shared', /^src\/shared\//]],
  [['transforms', /^transforms\//]],
  [['buffer', /^src\/buffer\//]],
  [['runtime', /^src\/runtime\//]],
  [['formats', /^src\/formats\//]],
  [['writer', /^src\/writer\//]],
  [['tracer', /^src\/tracer\//]],
  [
    ['alloc', /^src\/alloc\//],
    ['heap', /^src\/heap\//],
    ['heap-stats', /^src\/heap-stats\//],
    ['process', /^src\/process\//],
    ['native', /^src\/native\//],
  ],
  [['report', /^src\/report\//]],
  [
    ['query', /^src\/query\//],
    ['oom', /^src\/oom\//],
  ],
  [
    ['check', /^src\/check\//],
    ['test-api', /^src\/test-api\//],
  ],
  [['loader', /^loader\//]],
  [
    ['cli', /^src\/cli\//],
    ['api', /^src\/[^/]+\.ts$/],
  ],
];

/** The floor and layer of a file (a path relative to the repository), or undefined. */
export function layerOf(file, floors = FLOORS) {
  for (const [floor, layers] of floors.entries()) {
    for (const [name, pattern] of layers) if (pattern.test(file)) return { floor, name };
  }
  return undefined;
}

/** `file → import` lines for each import that goes up, or sideways to a sibling; and each file no layer holds. */
export function violations(imports, floors = FLOORS) {
  const found = [];
  for (const [file, targets] of imports) {
    const from = layerOf(file, floors);
    if (!from) {
      found.push(`${file}: in no layer (add its folder to ARCHITECTURE.md and FLOORS)`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target, floors);
      if (!to) continue; // outside the layered code: package.json, native/, …
      if (to.name === from.name || to.floor < from.floor) continue;
      found.push(`${file} → ${target}: ${from.name} imports ${to.name}, ${to.floor > from.floor ? 'a layer above it' : 'a sibling'}`);
    }
  }
  return found;
}

function sources(directory) {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The repository files `file` imports (relative specifiers only; `.js` names the `.ts` source). */
export function importsOf(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const { module, errors } = parseSync(file, text);
  if (errors.length > 0) throw new Error(`${file}: ${errors[0].message}`);
  const specifiers = [
    ...module.staticImports.map((i) => i.moduleRequest.value),
    ...module.staticExports.flatMap((e) => e.entries.filter((entry) => entry.moduleRequest).map((entry) => entry.moduleRequest.value)),
    ...module.dynamicImports
      .map((d) => text.slice(d.moduleRequest.start, d.moduleRequest.end))
      .filter((t) => /^['"`][^'"`$]*['"`]$/.test(t))
      .map((t) => t.slice(1, -1)),
    ...[...text.matchAll(/new URL\((['"])(\.{1,2}\/[^'"]+\.js)\1,\s*import\.meta\.url\)/g)].map((m) => m[2]),
  ];
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(root, normalize(join(root, dirname(file), specifier))).replace(/\.js$/, '.ts'));
}

const files = ['src', 'loader', 'transforms'].flatMap(sources);

test('no file imports a layer above its own, or a sibling', (t) => {
  t.true(files.length > 150, `${files.length} files`);
  const imports = files.map((file) => [file, importsOf(file)]);
  t.true(imports.reduce((sum, [, targets]) => sum + targets.length, 0) > 500, 'the imports were read');
  t.deepEqual(violations(imports), []);
});

test('the check fails on an import that goes up, sideways or out of the layers', (t) => {
  t.deepEqual(
    violations([
      ['src/runtime/probes.ts', ['src/formats/meta.ts', 'src/buffer/event-buffer.ts', 'src/runtime/counters.ts']],
      ['src/alloc/frames.ts', ['src/report/units.ts', 'src/heap/heap-snapshot.ts', 'src/shared/units.ts']],
      ['src/cli/main.ts', ['src/index.ts']],
      ['src/newfolder/x.ts', ['src/shared/errors.ts']],
    ]),
    [
      'src/runtime/probes.ts → src/formats/meta.ts: runtime imports formats, a layer above it',
      'src/alloc/frames.ts → src/report/units.ts: alloc imports report, a layer above it',
      'src/alloc/frames.ts → src/heap/heap-snapshot.ts: alloc imports heap, a sibling',
      'src/cli/main.ts → src/index.ts: cli imports api, a sibling',
      'src/newfolder/x.ts: in no layer (add its folder to ARCHITECTURE.md and FLOORS)',
    ],
  );
});

test('the imports are read as written: type-only, re-exports, import() of a literal, worker URLs', (t) => {
  t.true(importsOf('src/index.ts').includes('src/shared/errors.ts'), 'export … from');
  t.true(importsOf('src/tracer/tracer.ts').includes('src/writer/writer-thread.ts'), 'new URL(…, import.meta.url) and import type');
  t.true(importsOf('src/formats/meta.ts').includes('src/runtime/calibration.ts'), 'import type');
  t.true(importsOf('src/test-api/attribution.ts').includes('src/alloc/build.ts'), 'import()');
});

test('ARCHITECTURE.md names every layer', (t) => {
  const text = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
  for (const layers of FLOORS) for (const [name] of layers) t.true(text.includes(`**${name}**`), `${name} missing from ARCHITECTURE.md`);
});
