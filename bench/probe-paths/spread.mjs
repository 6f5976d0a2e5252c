// The measured calls of nested.mjs spread out between other work (JSON, a RegExp, split and join, a
// Map, padStart: builtins and V8 runtime code of many kinds), as in a real program, where a measured
// call finds the probes' code and data cold (bench/probe-paths.js). `work` allocates enough to be
// measured too: 10 measured calls a top call. Its time over bare, against nested.mjs's, is what
// spreading the calls out costs them (docs/performance.md, "What a measured call costs, packed
// together and spread out").
import { timeLevels } from './levels.mjs';

const object = { a: 1, b: 'two', c: [3, 4, 5], d: { e: 'six' } };
const map = new Map();
function work(i) {
  let s = JSON.stringify(object).length;
  s += /t(w)o/.test(object.b) ? 1 : 0;
  s += 'a,b,c,d'.split(',').join('-').length;
  map.set(i & 255, s);
  s += map.get((i * 7) & 255) | 0;
  s += String(i).padStart(8, '0').charCodeAt(3);
  return s;
}

timeLevels(3e5, 10, work);
