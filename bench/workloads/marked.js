/**
 * marked (Markdown to HTML), loaded as an ES module: renders a generated document (headings,
 * paragraphs with emphasis, links and code spans, nested lists, tables, block quotes, fenced code)
 * many times. Checksum: a hash of every HTML output.
 */
import { marked } from 'marked';
import { FNV_OFFSET, hashString, pick, random, run, scaleArgument, words } from './common.js';

function inline(rand) {
  let text = '';
  const parts = 4 + Math.floor(rand() * 8);
  for (let i = 0; i < parts; i++) {
    const w = words(rand, 1 + Math.floor(rand() * 5));
    switch (Math.floor(rand() * 8)) {
      case 0:
        text += ` **${w}**`;
        break;
      case 1:
        text += ` _${w}_`;
        break;
      case 2:
        text += ` \`${w}\``;
        break;
      case 3:
        text += ` [${w}](https://example.com/${w.replace(/ /g, '-')} "${w}")`;
        break;
      case 4:
        text += ` ~~${w}~~`;
        break;
      default:
        text += ` ${w}`;
    }
  }
  return text.trim();
}

function documentText(seed, sections) {
  const rand = random(seed);
  const blocks = [];
  for (let s = 0; s < sections; s++) {
    blocks.push(`${'#'.repeat(1 + Math.floor(rand() * 3))} ${words(rand, 3)}`);
    for (let p = 0; p < 3; p++) blocks.push(`${inline(rand)}\n${inline(rand)}`);
    const items = [];
    for (let i = 0; i < 5; i++) {
      items.push(`${pick(rand, ['-', '*', '1.'])} ${inline(rand)}`);
      if (rand() < 0.3) items.push(`  - ${inline(rand)}`);
    }
    blocks.push(items.join('\n'));
    if (s % 3 === 0) {
      const rows = ['| name | value | note |', '| --- | ---: | :---: |'];
      for (let r = 0; r < 6; r++) rows.push(`| ${words(rand, 2)} | ${Math.floor(rand() * 1000)} | ${inline(rand)} |`);
      blocks.push(rows.join('\n'));
    }
    if (s % 4 === 1) blocks.push(`> ${inline(rand)}\n> ${inline(rand)}`);
    if (s % 5 === 2)
      blocks.push(`\`\`\`js\nconst ${words(rand, 1)} = ${Math.floor(rand() * 100)};\nfunction f(a) { return a < 1 && a > 2; }\n\`\`\``);
  }
  return blocks.join('\n\n');
}

const scale = scaleArgument();
const documents = [1, 2, 3, 4].map((seed) => documentText(seed, 60));
const rounds = Math.max(1, Math.round(16 * scale));

run('marked', scale, () => {
  let hash = FNV_OFFSET;
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    for (const text of documents) {
      const html = marked.parse(text, { gfm: true, async: false });
      bytes += html.length;
      if (round === 0) hash = hashString(hash, html);
    }
  }
  return `${bytes}:${hash.toString(16)}`;
});
