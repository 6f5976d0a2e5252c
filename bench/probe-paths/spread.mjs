// The measured calls of nested.mjs spread out between other work (JSON, a RegExp, split and join, a
// Map, padStart: builtins and V8 runtime code of many kinds), as in a real program, where a measured
// call finds the probes' code and data cold (bench/probe-paths.js). `work` allocates enough to be
// measured too: 10 measured calls a top call. Its time over bare, against nested.mjs's, is what
// spreading the calls out costs them (docs/performance.md, "A measured call costs twice as much
// spread through a program").
let sink;
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
function leaf(i) {
  const a = new Array(40);
  a[0] = i;
  sink = a;
  return i;
}
function mid(i) {
  let s = leaf(i);
  s += work(i);
  s += leaf(i + 1);
  sink = { i, s };
  return s;
}
function top(i) {
  let s = mid(i);
  s += work(i);
  s += mid(i + 2);
  if ((i & 63) === 0) sink = new Array(1000);
  return s;
}
function loop(from, to) {
  let s = 0;
  for (let i = from; i < to; i++) s += top(i);
  return s;
}
loop(0, 1e5);
const tops = 3e5;
const t0 = performance.now();
const s = loop(1e5, 1e5 + tops);
console.log(JSON.stringify({ ms: performance.now() - t0, calls: tops * 10, s, sink: sink !== undefined }));
