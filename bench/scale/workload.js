/**
 * The workload of issue 14's large traces: marked, acorn and js-yaml, ROUNDS rounds (argv[2], 100 by
 * default), each round rendering a small Markdown document, parsing a small module and dumping and
 * loading a small YAML document. Traced with every function (MEMTRACE_INCLUDE='**\/*') and
 * `--trigger 0`, each round writes about 110 k events.csv rows (about 15 MB); bench/scale/report.js
 * sizes its traces by rounds.
 */
import { createRequire } from 'node:module';
import { marked } from 'marked';
import * as yaml from 'js-yaml';
import { FNV_OFFSET, hashString, random, words } from '../workloads/common.js';

const require = createRequire(import.meta.url);
const acorn = require('acorn');

/** Work per round: 100 rounds make the issue's 1.6 GB events.csv. */
const REPEAT = 6;
const rounds = Number(process.argv[2] ?? 100);
if (!(rounds > 0)) throw new Error(`rounds must be a positive number, got ${process.argv[2]}`);

const rand = random(14);
const markdown = Array.from(
  { length: 40 },
  (_, i) =>
    `## ${words(rand, 3)}\n\n${words(rand, 40)} **${words(rand, 2)}** \`${words(rand, 1)}\`\n\n- ${words(rand, 5)}\n- ${words(rand, 5)}\n\n| a | b |\n| - | - |\n| ${i} | ${words(rand, 2)} |\n`,
).join('\n');
const source = Array.from(
  { length: 40 },
  (_, i) => `export function f${i}(a, b) { const c = [a, b].map((x) => x * ${i}); return { c, d: \`\${a}-\${b}\` }; }\n`,
).join('');
const data = { items: Array.from({ length: 60 }, (_, i) => ({ name: words(rand, 2), value: i, tags: [words(rand, 1), words(rand, 1)] })) };

let hash = FNV_OFFSET;
for (let round = 0; round < rounds * REPEAT; round++) {
  const html = marked.parse(markdown);
  const ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  const loaded = yaml.load(yaml.dump(data));
  hash = hashString(hash, `${html.length}:${ast.body.length}:${loaded.items.length}`);
}
process.stdout.write(`${JSON.stringify({ workload: 'scale', rounds, checksum: (hash >>> 0).toString(16) })}\n`);
