/**
 * Installs the corpus (test/corpus/deps/package.json and its lock file: the packages under test at
 * the versions manifest.js names, and their test dependencies) into test/corpus/.cache/ with
 * `npm ci`, once: a marker holding the lock file's hash skips the install while the lock is unchanged.
 * The packages come from the npm registry as published, tests included; nothing of them is in git.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const corpusDir = fileURLToPath(new URL('.', import.meta.url));
export const cacheDir = process.env.MEMTRACE_CORPUS_CACHE || join(corpusDir, '.cache');

/** Installs when needed; returns false (after saying why on stderr) when npm failed. */
export function fetchCorpus({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const lock = readFileSync(join(corpusDir, 'deps', 'package-lock.json'));
  const hash = createHash('sha256')
    .update(lock)
    .update(readFileSync(join(corpusDir, 'deps', 'package.json')))
    .digest('hex');
  const marker = join(cacheDir, '.installed');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === hash) return true;
  mkdirSync(cacheDir, { recursive: true });
  copyFileSync(join(corpusDir, 'deps', 'package.json'), join(cacheDir, 'package.json'));
  copyFileSync(join(corpusDir, 'deps', 'package-lock.json'), join(cacheDir, 'package-lock.json'));
  log(`corpus: installing the packages and their test dependencies into ${cacheDir} (npm ci)`);
  const started = Date.now();
  // --ignore-scripts: no package's install script runs (none of the corpus needs one to be tested).
  const npm = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: cacheDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (npm.status !== 0) {
    log(`corpus: npm ci failed in ${cacheDir} (exit ${npm.status ?? npm.signal})`);
    return false;
  }
  writeFileSync(marker, hash);
  log(`corpus: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = fetchCorpus() ? 0 : 1;
