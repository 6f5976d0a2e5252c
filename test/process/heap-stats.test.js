// heapStats in fresh processes, on the native GC counter and the pure-JS one.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fixture, nativeAvailable, reports, MiB } from './helpers.js';

for (const path of ['native', 'js']) {
  const env = { ...process.env, ...(path === 'js' ? { MEMTRACE_NO_NATIVE: '1' } : {}) };
  const run = () => {
    const result = spawnSync(process.execPath, ['--expose-gc', fixture('heap-stats.mjs')], { encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(result.stderr);
    return reports(result.stdout);
  };

  test(`${path}: an empty block reports no significant change; 8 MiB kept shows as ~8 MiB in new + old space`, (t) => {
    if (path === 'native' && !nativeAvailable(t)) return;
    const [r, failure] = run();
    t.is(r.emptyAsync[0].gcCounter, path);
    // Empty blocks, three of each form: at most one may catch something V8 does by itself meanwhile
    // (a GC its readings' few KiB set off, code a background compiler installs, Node 24's allocation
    // areas refilled); without the cost taken out, every one would show heapStats' own KiB.
    for (const form of [r.emptyAsync, r.emptySync]) {
      const clean = form.filter((d) => d.rows.length === 0);
      t.true(clean.length >= 2, form.map((d) => d.text).join('\n'));
      for (const d of clean) t.regex(d.text, /^heapStats: [\d.]+ ms, 0 GCs; 0 of \d+ figures changed by at least 16\.0 KiB\n$/);
    }
    // GCs during the block move bytes from new to old space (and free garbage from before it): the
    // two spaces together hold what was kept.
    const { newAndOld, used, expected, large } = r.eight;
    t.true(Math.abs(newAndOld - expected) / expected < 0.1, `new + old space ${newAndOld / MiB} MiB, expected ${expected / MiB} MiB`);
    t.true(Math.abs(used - expected) / expected < 0.1, `used heap ${used / MiB} MiB`);
    t.true(Math.abs(large) < 64 * 1024, 'no large objects');
    t.true(r.eight.rows.some((row) => row.name === 'used_heap_size'));
    t.regex(r.eight.text, /\nheap +used_heap_size +[\d.]+ [KM]iB +[\d.]+ MiB +\+[\d.]+ MiB\n/);
    t.true(r.csvBack);
    t.true(r.eight.csv.startsWith('group,name,before,after,change\n'));
    // 100 more arrays are ~0.6 % of the used heap: under a 50 % threshold nothing in bytes is shown.
    t.true(
      r.percent.rows.every(
        (row) =>
          ['gc_count', 'number_of_native_contexts', 'number_of_detached_contexts'].includes(row.name) ||
          Math.abs(row.change) >= Math.abs(row.before) / 2,
      ),
      JSON.stringify(r.percent.rows),
    );
    t.is(failure.name, 'SettingError');
    t.is(failure.error, 'memtrace: heapStats threshold="lots" is not valid: a number of bytes (>= 0) or a percentage such as "5%"');
  });
}
