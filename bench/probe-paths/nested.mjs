// Measured calls three levels deep, packed together: top calls mid twice, mid calls leaf twice, and
// each allocates enough (336 B and up) to stay measured, so 7 measured calls a top call
// (bench/probe-paths.js; `calls` counts the measured calls). Against measured.mjs: what a parent's
// frame adds to a measured call.
let sink;
function leaf(i) {
  const a = new Array(40);
  a[0] = i;
  sink = a;
  return i;
}
function mid(i) {
  let s = leaf(i);
  s += leaf(i + 1);
  sink = { i, s };
  return s;
}
function top(i) {
  let s = mid(i);
  s += mid(i + 2);
  if ((i & 63) === 0) sink = new Array(1000);
  return s;
}
function loop(from, to) {
  let s = 0;
  for (let i = from; i < to; i++) s += top(i);
  return s;
}
loop(0, 1e5); // warm: the policy has judged every function, TurboFan has compiled them
const tops = 1e6;
const t0 = performance.now();
const s = loop(1e5, 1e5 + tops);
console.log(JSON.stringify({ ms: performance.now() - t0, calls: tops * 7, s, sink: sink !== undefined }));
