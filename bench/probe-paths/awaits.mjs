// An async function that awaits 4 times per call, called 2e5 times: times the await probes (suspend and
// resume around each await) with the call's own entry and end (bench/probe-paths.js).
async function step(x) {
  let s = x;
  for (let i = 0; i < 4; i++) s = (await s) + 1;
  return s;
}
async function loop(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (await step(s)) | 0;
  return s;
}
const calls = 2e5;
const t0 = performance.now();
const s = await loop(calls);
console.log(JSON.stringify({ ms: performance.now() - t0, calls, s }));
