/** Shared by bench/alloc's scripts: options, a copy of dist/, a scratch directory; and, passed on from bench/common.js, medians, tables and CSV. */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { median, printTable, writeCsv } from '../common.js';

export function parseOptions(argv, defaults) {
  const options = { quick: false, ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--scale') options.scale = Number(value());
    else if (arg === '--interval') options.interval = Number(value());
    else if (arg === '--only') options.only = value().split(',');
    else if (arg === '--out') options.out = value();
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

/**
 * A copy of the repository's dist/ (its node_modules reached through a link beside it), so that a
 * rebuild during a long run does not mix two builds. Returns the copy's dist directory.
 */
export function copyOfDist(scratch) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const copy = join(scratch, 'memtrace');
  mkdirSync(copy, { recursive: true });
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  cpSync(join(root, 'native'), join(copy, 'native'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  return join(copy, 'dist');
}

export function scratchDirectory(prefix) {
  return mkdtempSync(join(os.tmpdir(), prefix));
}
