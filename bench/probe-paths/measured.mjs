// A function that allocates ~370 B per call, called 3e6 times: the policy keeps measuring every call,
// so this times the measured path of the probes (two readings, a frame) (bench/probe-paths.js).
const keep = [];
function m(x) {
  const a = new Array(40).fill(x);
  if ((x & 1023) === 0) keep.push(a);
  return a.length;
}
function loop(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += m(i);
  return s;
}
const calls = 3e6;
const t0 = performance.now();
const s = loop(calls);
console.log(JSON.stringify({ ms: performance.now() - t0, calls, s }));
