// The in-process API on real programs: traceAllocations' total against live, compareTo naming the
// line that built a cache, filters, and one-line errors for bad input.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHeapProfile, traceAllocations, SettingError, TraceFileError } from '../../dist/src/index.js';
import { MiB } from '../helpers/run-alloc.js';
import { fixture, freshDir, runTraced } from '../helpers/run-traced.js';

const json = (result) => JSON.parse(result.stdout.trim().split('\n').pop());

test('a block that makes only garbage shows a high total and almost nothing live', (t) => {
  const result = runTraced(fixture('alloc', 'garbage.mjs'), { traced: false });
  t.is(result.status, 0, result.stderr);
  const { garbage, keeping, garbageLive, keepingLive } = json(result);
  t.is(garbage.value, 2048 * 1024);
  t.true(garbage.allocatedBytes > 15 * MiB, `allocated ${garbage.allocatedBytes}`);
  t.true(garbage.liveBytes < 0.5 * MiB, `live ${garbage.liveBytes}`);
  t.true(keeping.liveBytes > 7.5 * MiB, `live ${keeping.liveBytes}`);
  // The samples share out the exact total: the function that made it is the top entry.
  t.is(garbage.top[0].function, 'makeGarbage');
  t.true(garbage.top[0].size_bytes > 0.9 * garbage.allocatedBytes);
  // Without memtrace's loader only functions are known, and the result says so.
  t.is(garbage.lines.method, 'none');
  t.is(garbage.top[0].line, '');
  t.regex(garbage.text, /statements unknown \(memtrace's loader is not running/);
  t.regex(garbage.text, /left out as memtrace's own: /);
  // samples: 'live' keeps only what survived the block: nothing of the garbage, the kept arrays.
  t.is(garbageLive.kind, 'live');
  t.true(garbageLive.sampledBytes < 0.5 * MiB, `garbage live ${garbageLive.sampledBytes}`);
  t.is(keepingLive.top[0].function, 'keep');
  t.true(
    keepingLive.top[0].size_bytes > 7 * MiB && keepingLive.top[0].size_bytes < 9.5 * MiB,
    `kept live ${keepingLive.top[0].size_bytes}`,
  );
});

test('compareTo between snapshots around building a 10 MiB cache names the cache line first', (t) => {
  const result = runTraced(fixture('alloc', 'cache.mjs'), { env: { MEMTRACE_LINES: '1' } });
  t.is(result.status, 0, result.stderr);
  const { lines, top } = json(result);
  t.is(lines.method, 'line-probes');
  t.is(top[0].function, 'buildCache');
  t.is(top[0].line, 18);
  t.true(top[0].size_diff_bytes > 8 * MiB && top[0].size_diff_bytes < 14 * MiB, `${top[0].size_diff_bytes}`);
});

test('bad input: a sampling interval of 0 or less, a file that is not a profile', async (t) => {
  for (const samplingInterval of [0, -1, 1.5]) {
    const error = await t.throwsAsync(
      traceAllocations(() => 1, { samplingInterval }),
      { instanceOf: SettingError },
    );
    t.notRegex(error.message, /\n/);
  }
  const path = join(freshDir(), 'not.heapprofile');
  writeFileSync(path, '{"nodes": []}');
  const error = t.throws(() => readHeapProfile(path), { instanceOf: TraceFileError });
  t.is(error.message, `memtrace: ${path}: not a heap profile: no "head" node`);
});

test('include and exclude filters keep or drop allocations by file glob and by function', async (t) => {
  const makeArrays = () => {
    const out = [];
    for (let i = 0; i < 512; i++) out.push(new Array(1024));
    return out.length;
  };
  const all = await traceAllocations(makeArrays, { samplingInterval: 16384 });
  t.true(all.statistics('function').some((s) => s.functionName === 'makeArrays'));
  const included = await traceAllocations(makeArrays, { samplingInterval: 16384, include: [{ function: 'makeArrays' }] });
  t.deepEqual([...new Set(included.statistics('function').map((s) => s.functionName))], ['makeArrays']);
  const excluded = await traceAllocations(makeArrays, { samplingInterval: 16384, exclude: ['**/api.test.js'] });
  t.false(excluded.statistics('function').some((s) => s.functionName === 'makeArrays'));
});
