/**
 * acorn (JavaScript parser), loaded as CommonJS (dist/acorn.js through require): parses three real
 * library bundles (~400 KB of JavaScript) with locations, several times. Checksum: node count and
 * a hash of the node types and positions, walked without calls.
 */
import { createRequire } from 'node:module';
import { FNV_OFFSET, hashString, packageFile, run, scaleArgument } from './common.js';

const require = createRequire(import.meta.url);
const acorn = require('acorn');

const inputs = [
  ['marked', 'marked/lib/marked.esm.js', 'module'],
  ['js-yaml', 'js-yaml/dist/js-yaml.mjs', 'module'],
  ['handlebars', 'handlebars/dist/handlebars.js', 'script'],
].map(([name, path, sourceType]) => ({ name, sourceType, text: packageFile(path) }));

const scale = scaleArgument();
const rounds = Math.max(1, Math.round(12 * scale));

run('acorn', scale, () => {
  let hash = FNV_OFFSET;
  let nodes = 0;
  for (let round = 0; round < rounds; round++) {
    for (const input of inputs) {
      const ast = acorn.parse(input.text, { ecmaVersion: 'latest', sourceType: input.sourceType, locations: true });
      const stack = [ast];
      while (stack.length > 0) {
        const node = stack.pop();
        if (Array.isArray(node)) {
          for (let i = node.length - 1; i >= 0; i--) if (node[i] && typeof node[i] === 'object') stack.push(node[i]);
          continue;
        }
        if (typeof node.type === 'string') {
          nodes++;
          if (round === 0) hash = hashString(hash, `${node.type}${node.start}`);
        }
        for (const key in node) {
          if (key === 'loc') continue;
          const value = node[key];
          if (value && typeof value === 'object') stack.push(value);
        }
      }
    }
  }
  return `${nodes}:${hash.toString(16)}`;
});
