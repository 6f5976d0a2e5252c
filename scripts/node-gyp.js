// What scripts/build-native.js (a build from source, for the running Node) and scripts/prebuild.js
// (the prebuilt addons that ship in the package) share: finding node-gyp, running it on a copy of
// native/ for one Node and one CPU, and saying in one line why a build failed.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const nativeDir = join(root, 'native');
const BUILD_TIMEOUT_MS = 5 * 60 * 1000;

/** The C++ toolchain of a Linux cross build, by target CPU (Debian's crossbuild-essential-<arch>). */
export const CROSS_TOOLCHAINS = {
  arm64: { prefix: 'aarch64-linux-gnu-', debianPackage: 'crossbuild-essential-arm64' },
};

/** npm's own node-gyp: npm tells its scripts where it is; else next to this Node's npm, or a local one. */
export function findNodeGyp() {
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

/** The last line of node-gyp's output that says what went wrong. */
export function failureReason(result) {
  if (result.error) return result.error.code === 'ETIMEDOUT' ? 'node-gyp timed out' : result.error.message;
  const lines = `${result.stdout ?? ''}\n${result.stderr ?? ''}`
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const errors = lines.filter(
    (line) => /error|not found|No such file/i.test(line) && !/^gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(line),
  );
  const line = errors[0] ?? lines.at(-1) ?? `node-gyp exited with ${result.status}`;
  return line.replace(/^gyp ERR! /, '').slice(0, 200);
}

function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('error', (error) => resolve({ error, stdout, stderr }));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ...(status === null ? { error: { code: 'ETIMEDOUT' } } : {}) });
    });
  });
}

/**
 * Builds native/'s addon with node-gyp in a copy of native/ (so several builds can run at once) and
 * copies it to `output`. nodedir: the headers' root (include/node), or undefined for node-gyp's own
 * download (CI's other platforms); arch: the target CPU, cross-compiled where it is not this one's.
 * Resolves to an error message, or undefined when `output` is in place.
 */
export async function buildAddon({ nodeGyp, nodeBinary = process.execPath, nodedir, arch = process.arch, output }) {
  const work = mkdtempSync(join(tmpdir(), 'memtrace-native-'));
  try {
    for (const file of readdirSync(nativeDir)) {
      if (/\.(cc|h|gyp)$/.test(file)) copyFileSync(join(nativeDir, file), join(work, file));
    }
    const env = { ...process.env };
    const args = [nodeGyp, 'rebuild', '--release', `--arch=${arch}`, '-j', '2'];
    if (nodedir) {
      args.push(`--nodedir=${nodedir}`);
      env.npm_config_nodedir = nodedir;
    }
    const cross = arch !== process.arch ? CROSS_TOOLCHAINS[arch] : undefined;
    if (arch !== process.arch) {
      if (process.platform !== 'linux' || !cross) return `no cross toolchain known for ${arch}`;
      Object.assign(env, { CC: `${cross.prefix}gcc`, CXX: `${cross.prefix}g++`, LINK: `${cross.prefix}g++`, AR: `${cross.prefix}ar` });
    }
    const result = await run(nodeBinary, args, { cwd: work, env });
    const built = join(work, 'build', 'Release', 'memtrace.node');
    if (result.status !== 0 || !existsSync(built)) return failureReason(result);
    mkdirSync(dirname(output), { recursive: true });
    copyFileSync(built, output);
    return undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
