/**
 * Three libraries in one process, the example in issue #2's transform target: acorn.js (241 KB),
 * handlebars.js (the 211 KB UMD bundle) and js-yaml.mjs (128 KB), 580 KB of library code loaded by one
 * program. bench/run.js's transform section loads it (load-only runs): how fast a cold process
 * instruments a program's libraries when there is more than one, so the fixed cost of a cold
 * transform (loading the parser) is paid once. Its runtime section runs the work: 12 000 rounds at
 * scale 1 of a YAML document loaded, rendered with a template and the result parsed, small inputs
 * through all three libraries (~0.6 s plain on Node 20).
 */
import { createRequire } from 'node:module';
import * as yaml from 'js-yaml';
import { FNV_OFFSET, hashString, run, scaleArgument } from './common.js';

const require = createRequire(import.meta.url);
const acorn = require('acorn');
const Handlebars = require('handlebars/dist/handlebars.js');

const scale = scaleArgument();

run('three-libraries', scale, () => {
  let hash = FNV_OFFSET;
  const rounds = Math.max(1, Math.round(12000 * scale));
  const render = Handlebars.compile('{{#each items}}<li>{{name}}: {{value}}</li>{{/each}}');
  for (let i = 0; i < rounds; i++) {
    const doc = yaml.load(`items:\n  - name: a${i}\n    value: ${i}\n  - name: b${i}\n    value: ${i * 2}\n`);
    const html = render(doc);
    const ast = acorn.parse(`const html = ${JSON.stringify(html)};`, { ecmaVersion: 'latest' });
    hash = hashString(hash, html + ast.body.length);
  }
  return hash >>> 0;
});
