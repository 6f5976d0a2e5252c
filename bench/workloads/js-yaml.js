/**
 * js-yaml (YAML 1.2 parser and serializer), loaded as an ES module: dumps generated documents
 * (nested maps, sequences, multi-line and quoted strings, numbers, booleans, nulls, dates, anchors
 * through repeated objects) to YAML and loads them back, many times. Checksum: a hash of the YAML
 * text and of the reloaded data re-serialised as JSON.
 */
import * as yaml from 'js-yaml';
import { FNV_OFFSET, hashString, pick, random, run, scaleArgument, words } from './common.js';

function value(rand, depth) {
  const r = rand();
  if (depth < 3 && r < 0.25) {
    const map = {};
    const keys = 2 + Math.floor(rand() * 5);
    for (let i = 0; i < keys; i++) map[`${words(rand, 1)}_${i}`] = value(rand, depth + 1);
    return map;
  }
  if (depth < 3 && r < 0.4) {
    const list = [];
    const length = 1 + Math.floor(rand() * 5);
    for (let i = 0; i < length; i++) list.push(value(rand, depth + 1));
    return list;
  }
  if (r < 0.55) return Math.floor(rand() * 1e6) / 100;
  if (r < 0.62) return rand() < 0.5;
  if (r < 0.65) return null;
  if (r < 0.72) return `${words(rand, 6)}\n${words(rand, 8)}\n`;
  if (r < 0.78) return pick(rand, ['yes', 'no', '0x1F', '1e3', 'null', '- dash', 'key: value', '#hash', "it's"]);
  return words(rand, 1 + Math.floor(rand() * 6));
}

function documentData(seed) {
  const rand = random(seed);
  const shared = { owner: words(rand, 2), tags: words(rand, 4).split(' ') };
  const records = [];
  for (let i = 0; i < 120; i++) {
    records.push({
      id: i,
      name: words(rand, 3),
      created: new Date(Date.UTC(2026, i % 12, 1 + (i % 28))),
      meta: shared,
      payload: value(rand, 0),
    });
  }
  return { version: seed, title: words(rand, 5), records };
}

const scale = scaleArgument();
const documents = [1, 2, 3].map(documentData);
const rounds = Math.max(1, Math.round(20 * scale));

run('js-yaml', scale, () => {
  let hash = FNV_OFFSET;
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    for (const data of documents) {
      const text = yaml.dump(data, { lineWidth: 80, noRefs: false });
      const loaded = yaml.load(text);
      bytes += text.length;
      if (round === 0) hash = hashString(hashString(hash, text), JSON.stringify(loaded));
    }
  }
  return `${bytes}:${hash.toString(16)}`;
});
