// A CPU-bound program for the process-logger bench: fixed, deterministic work (integer hashing over a
// rolling window of small objects, so the GC runs too). Prints the work section's time and a checksum.
const scale = Number(process.env.WORK_SCALE ?? 1);
const rounds = Math.round(4e7 * scale);
const start = process.hrtime.bigint();
let hash = 2166136261;
const window = new Array(4096);
for (let i = 0; i < rounds; i++) {
  hash = Math.imul(hash ^ (i & 0xff), 16777619) >>> 0;
  if ((i & 7) === 0) window[i & 4095] = { i, hash };
  for (let j = 0; j < 20; j++) hash = (Math.imul(hash, 31) + j) >>> 0;
}
let sum = 0;
for (const item of window) sum = (sum + (item?.hash ?? 0)) >>> 0;
const workMs = Number(process.hrtime.bigint() - start) / 1e6;
console.log(JSON.stringify({ workMs, checksum: (hash ^ sum) >>> 0 }));
