// memtrace/test's costs and error rates (docs/testing.md): limitMemory's overhead on a block in each
// measure, as ratios of medians against the bare block in interleaved rounds; what limitLeaks costs
// on a clean block and on a leak; and, over RUNS runs each, how often limitLeaks fails a block that
// keeps nothing (false positives) and passes one that keeps one small object per call (misses).
//   node bench/test-api.js [--runs 50] [--rounds 15] [--only overhead|leaks]
// Each timed limitMemory run starts after a full GC outside the timing, for the bare block too: the
// block's own time depends on how full the young generation is when it starts.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { parseArgs } from 'node:util';
import { limitMemory, limitLeaks } from '../dist/src/test.js';
import { lastCheck } from '../dist/src/test-api/limit-leaks.js';
import { fullGc } from '../dist/src/runtime/force-gc.js';
import { blocks } from '../test/fixtures/test-api/limit-leaks.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '50' }, rounds: { type: 'string', default: '15' }, only: { type: 'string' } },
});
const RUNS = Number(values.runs);
const ROUNDS = Number(values.rounds);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The limited block: about 60 ms of building and serialising rows here, 25 MB allocated. */
function work() {
  const rows = [];
  for (let i = 0; i < 150_000; i++) rows.push({ i, name: `row ${i}`, tags: [i % 7, i % 11] });
  return JSON.stringify(rows).length;
}

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function overhead() {
  const variants = {
    bare: () => work(),
    allocated: () => limitMemory('1 GiB', work, { measure: 'allocated' }),
    peak: () => limitMemory('1 GiB', work, { measure: 'peak' }),
    retained: () => limitMemory('1 GiB', work, { measure: 'retained' }),
    'peak, no attribution': () => limitMemory('1 GiB', work, { attribution: false }),
  };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const fn of Object.values(variants)) await fn(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(variants)) {
      fullGc();
      times[name].push(await timed(fn));
    }
  }
  const fixed = {};
  for (const measure of ['allocated', 'peak', 'retained']) {
    const list = [];
    for (let i = 0; i < 20; i++) list.push(await timed(() => limitMemory('1 GiB', () => 0, { measure })));
    fixed[measure] = median(list);
  }
  const bare = median(times.bare);
  console.log(`limitMemory overhead, ${ROUNDS} interleaved rounds, block ${bare.toFixed(1)} ms (median):`);
  for (const [name, list] of Object.entries(times))
    console.log(`  ${name.padEnd(22)} ${median(list).toFixed(1).padStart(7)} ms  ×${(median(list) / bare).toFixed(3)}`);
  console.log(
    `  fixed cost per call (an empty block, median of 20): ${Object.entries(fixed)
      .map(([m, ms]) => `${m} ${ms.toFixed(2)} ms`)
      .join(', ')}`,
  );
}

async function leakRuns(name, expectLeak) {
  let failed = 0;
  let snapshots = 0;
  const durations = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    try {
      await limitLeaks(blocks[name]);
    } catch (error) {
      if (error.code !== 'ERR_MEMTRACE_MEMORY_LEAK') throw error;
      failed++;
    }
    durations.push(performance.now() - start);
    if (lastCheck?.snapshots) snapshots++;
  }
  const wrong = expectLeak ? RUNS - failed : failed;
  console.log(
    `  ${name.padEnd(11)} ${expectLeak ? 'missed' : 'failed'} ${wrong}/${RUNS}; snapshots taken in ${snapshots}/${RUNS}; median ${median(durations).toFixed(0)} ms, max ${Math.max(...durations).toFixed(0)} ms`,
  );
}

console.log(
  `node ${process.version}, heap ${(v8.getHeapStatistics().used_heap_size / 2 ** 20).toFixed(1)} MiB, ${new Date().toISOString()}`,
);
if (values.only !== 'leaks') await overhead();
if (values.only === 'overhead') process.exit(0);
const bareCalls = await timed(() => {
  for (let i = 0; i < 1000; i++) blocks.clean();
});
console.log(
  `limitLeaks, ${RUNS} runs per block (1000 calls each: 200 warm-up, 8 rounds of 100; 1000 bare calls of 'clean' take ${bareCalls.toFixed(1)} ms):`,
);
for (const name of ['clean', 'lazyCache', 'interned', 'clearedMap', 'asyncClean']) await leakRuns(name, false);
await leakRuns('smallLeak', true);
