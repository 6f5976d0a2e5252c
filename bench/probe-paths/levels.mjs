// Three levels of measured calls for nested.mjs and spread.mjs: top calls mid twice, mid calls leaf
// twice, and each allocates enough (336 B and up) to stay measured. `between`, if given, runs in
// mid and in top between their calls (spread.mjs's other work). Prints { ms, calls } as
// bench/probe-paths.js reads it, for `tops` top calls after 1e5 to warm up (the policy has judged
// every function then, and TurboFan has compiled them).
export function timeLevels(tops, measuredPerTop, between) {
  let sink;
  function leaf(i) {
    const a = new Array(40);
    a[0] = i;
    sink = a;
    return i;
  }
  function mid(i) {
    let s = leaf(i);
    if (between) s += between(i);
    s += leaf(i + 1);
    sink = { i, s };
    return s;
  }
  function top(i) {
    let s = mid(i);
    if (between) s += between(i);
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
  const t0 = performance.now();
  const s = loop(1e5, 1e5 + tops);
  console.log(JSON.stringify({ ms: performance.now() - t0, calls: tops * measuredPerTop, s, sink: sink !== undefined }));
}
