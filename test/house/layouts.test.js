// The layouts TypeScript and C++ share are written once (src/shared/layouts.spec.js) and generated
// into src/shared/layouts.ts and native/layouts.h (issue 19): a stale file, or a layout written by
// hand again beside them, fails here.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { OUTPUTS } from '../../scripts/generate-layouts.js';

const source = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

for (const { file, render } of OUTPUTS) {
  const name = file.pathname.split('/').slice(-2).join('/');
  test(`${name} is what src/shared/layouts.spec.js generates (run node scripts/generate-layouts.js)`, (t) => {
    t.is(readFileSync(file, 'utf8'), render());
  });
}

test("no other file declares the event row, the kinds or the probes' arrays again", (t) => {
  // What the hand-written copies looked like before the spec: an enum of columns, frame fields, kinds.
  const copies = {
    'native/probes.cc': [/enum\s+\w*\s*\{[^}]*\bT0\b/, /enum\s+Column\b/, /enum\s+Kind\b/, /kLayoutVersion\s*=/],
    'native/format.cc': [/enum\s+Column\b/, /"call",\s*"return"/],
    'src/buffer/event-buffer.ts': [/export const (TIME|KIND|COLUMNS) = \d/, /const enum Kind\b/],
    'src/formats/events-csv.ts': [/const enum Kind\b/, /\['call', 'return'/],
    'src/runtime/probes.ts': [/const enum (Frame|Global|Int|Stat)\b/],
  };
  for (const [path, patterns] of Object.entries(copies)) {
    const text = source(path);
    for (const pattern of patterns) t.false(pattern.test(text), `${path} matches ${pattern}`);
  }
});
