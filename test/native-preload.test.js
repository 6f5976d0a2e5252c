// The --native tracker preloaded as `memtrace run --native` preloads it, without the CLI: on this CPU,
// and on linux-arm64 under qemu-user through scripts/test-arm64.js, where the CLI cannot start its
// child (this kernel runs no arm64 binary by itself). The same checks as native-memory.test.js's.
import test from 'ava';
import { nativeTrackerPath } from '../dist/src/native/tracker-path.js';
import { checkEveryAllocation, checkGzip, checkKeepBuffers, runPreloaded } from './helpers/native-checks.js';

const tracker = nativeTrackerPath();
const linuxTest = 'path' in tracker ? test : test.skip;
const cpu = `linux-${process.arch}`;

linuxTest(`${cpu}: keepBuffers's 64 MiB are live at exit under it, through the array buffer allocator`, (t) => {
  const run = runPreloaded('keep-buffers.cjs');
  t.is(run.status, 0, run.stderr);
  t.is(run.directories.length, 1);
  t.true(run.summaries[0]?.reachedExit, 'the record reached the program end');
  checkKeepBuffers(t, run.directories[0]);
});

linuxTest(`${cpu}: zlib's state is allocated and freed under gzipSync's caller`, (t) => {
  const run = runPreloaded('gzip.cjs');
  t.is(run.status, 0, run.stderr);
  checkGzip(t, run.directories[0]);
});

linuxTest(`${cpu}: interval 0 records every allocation`, (t) => {
  const run = runPreloaded('small-buffers.cjs', { interval: 0 });
  t.is(run.status, 0, run.stderr);
  checkEveryAllocation(t, run.directories[0]);
});
