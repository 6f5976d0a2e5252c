// oxc-parser and @babel/parser (the fallback) must give the same instrumented code and function table:
// every fixture program (test/fixtures/parser/ holds the syntax forms the transform handles, JS, TS and
// TSX), a few library files (one with an incoming source map, one of 0.5 MB) and memtrace's own
// TypeScript sources, with and without line probes, source maps on. (Checked by hand too: the output
// is the same as the Babel-AST transform's before the port, on all of these and typescript.js.)
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrument, INSTRUMENTED_MARKER } from '../dist/transforms/instrument.js';
import { originalText } from '../dist/transforms/probe-text.js';

const root = fileURLToPath(new URL('..', import.meta.url));

// Syntax only oxc-parser accepts: decorators (Babel runs without its decorators plugin, as before the
// port). These fixtures reach memtrace through tsx, which compiles the decorators away first.
const OXC_ONLY = new Set(['test/fixtures/tracer/decorators.ts', 'test/fixtures/tracer/legacy/decorators.ts']);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.[cm]?[jt]sx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** How the loader would parse it: .ts as TypeScript; CommonJS by extension or by the fixture's package. */
function kind(path, source) {
  const typescript = /\.[cm]?tsx?$/.test(path);
  if (path.endsWith('.tsx')) return { typescript, jsx: true, sourceType: 'module' };
  if (/\.c[jt]s$/.test(path)) return { typescript, sourceType: 'script' };
  if (/\.m[jt]s$/.test(path) || typescript) return { typescript, sourceType: 'module' };
  return { typescript, sourceType: /^(import|export)\b/m.test(source) ? 'module' : 'script' };
}

const files = [
  ...walk(join(root, 'test/fixtures')),
  ...walk(join(root, 'src')),
  ...walk(join(root, 'transforms')),
  join(root, 'node_modules/magic-string/dist/index.mjs'),
  join(root, 'node_modules/@jridgewell/trace-mapping/dist/trace-mapping.umd.js'),
  ...walk(join(root, 'node_modules/picomatch/lib')),
  join(root, 'node_modules/@babel/parser/lib/index.js'),
];

function run(source, options) {
  try {
    const { code, functions } = instrument(source, options);
    return { code, functions };
  } catch (error) {
    return { error: error.constructor.name };
  }
}

test('oxc-parser and @babel/parser give the same output', (t) => {
  let compared = 0;
  for (const path of files) {
    const name = relative(root, path);
    const source = readFileSync(path, 'utf8');
    for (const lines of [false, true]) {
      const options = { filename: path, ...kind(path, source), lines, sourceMap: true };
      const oxc = run(source, { ...options, parser: 'oxc' });
      const babel = run(source, { ...options, parser: 'babel' });
      if (OXC_ONLY.has(name)) {
        t.true(oxc.functions?.length > 0 && babel.error === 'ParseError', name);
        continue;
      }
      t.is(oxc.error, undefined, `${name}: oxc-parser failed`);
      t.deepEqual(oxc.functions, babel.functions, `${name} (lines: ${lines}): function tables differ`);
      // Compared as text, not with deepEqual: a diff of two 1 MB strings is not worth printing.
      t.true(oxc.code === babel.code, `${name} (lines: ${lines}): instrumented code differs`);
      compared++;
    }
  }
  t.true(compared > 100, `compared ${compared}`);
});

// Function.prototype.toString() of a traced function takes the probes out of V8's text again
// (src/runtime/function-source.ts): on every file above, taking them out of the whole instrumented
// module (its preamble aside) must give back the source exactly, with and without line probes. A file
// that holds memtrace's own inserted text literally (the transform's sources and tests) is left out:
// there the user's copy would be taken out too (docs/tracer.md, "Limits").
test('taking the inserted probes out gives back the source', (t) => {
  let compared = 0;
  for (const path of files) {
    const name = relative(root, path);
    const source = readFileSync(path, 'utf8');
    if (source.includes('__mt$') || OXC_ONLY.has(name)) continue;
    for (const lines of [false, true]) {
      const { code } = instrument(source, { filename: path, ...kind(path, source), lines });
      if (code === source) continue;
      // `s`: function names in the preamble's register call may hold U+2028/2029, which `.` skips.
      const withoutPreamble = code.replace(
        new RegExp(`;?${INSTRUMENTED_MARKER.replace(/[*/]/g, '\\$&')}.*?__mt\\$\\|\\|__mt\\$i\\(\\);`, 's'),
        '',
      );
      t.true(originalText(withoutPreamble) === source, `${name} (lines: ${lines})`);
      compared++;
    }
  }
  t.true(compared > 100, `compared ${compared}`);
});
