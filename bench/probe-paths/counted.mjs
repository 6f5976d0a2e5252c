// A tiny function called 5e7 times: the policy counts it after its probation, so this times the
// counted path of the probes (bench/probe-paths.js).
function tiny(x) {
  return (x + 1) | 0;
}
function loop(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = tiny(s);
  return s;
}
const calls = 5e7;
const t0 = performance.now();
const s = loop(calls);
console.log(JSON.stringify({ ms: performance.now() - t0, calls, s }));
