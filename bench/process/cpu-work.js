// A CPU-bound program for the process-logger bench: fixed, deterministic work (integer hashing over a
// rolling window of small objects, so the GC runs too). Prints the work section's wall time, its CPU
// time on this thread and in the whole process, and a checksum.
import { readFileSync } from 'node:fs';

const scale = Number(process.env.WORK_SCALE ?? 1);
const rounds = Math.round(7.5e7 * scale);
// This thread's CPU time (utime + stime of /proc/thread-self/stat, in 10 ms ticks): on a loaded
// machine it varies far less than the wall time, and it leaves out other threads (the in-process
// logger's worker, V8's GC helpers).
const threadCpuMs = () => {
  const fields = readFileSync('/proc/thread-self/stat', 'latin1').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const cpuBefore = process.cpuUsage();
const threadBefore = threadCpuMs();
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
const mainCpuMs = threadCpuMs() - threadBefore;
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ workMs, mainCpuMs, processCpuMs: (cpu.user + cpu.system) / 1000, checksum: (hash ^ sum) >>> 0 }));
