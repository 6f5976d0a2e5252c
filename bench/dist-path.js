/**
 * Where the bench's helpers load memtrace from: BENCH_DIST (an absolute path; bench/run.js points it
 * at a copy of dist/ taken when the run started, so a rebuild during a long run cannot mix two
 * builds), else the repository's dist/.
 */
import { pathToFileURL } from 'node:url';

const base = process.env.BENCH_DIST
  ? pathToFileURL(`${process.env.BENCH_DIST.replace(/\/+$/, '')}/`)
  : new URL('../dist/', import.meta.url);

/** URL of a file of memtrace's build, e.g. distUrl('loader/register.js'). */
export function distUrl(path) {
  return new URL(path, base);
}
