// The cost of following the threadpool's requests alone (src/runtime/native-pool.ts's hooks, with a
// tracker that does nothing), on pool-workload.cjs in plain node: with the hooks and without,
// alternated; medians. Where createHook cannot leave promises out (Node 20, 22), nothing is installed.
//   node bench/native/pool-hook.mjs [--runs 9]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const pool = pathToFileURL(join(here, '..', '..', 'dist', 'src', 'runtime', 'native-pool.js')).href;
const hooked = `import { trackPoolOwners } from ${JSON.stringify(pool)};
if (!trackPoolOwners({ nativeMemoryPoolQueued: () => 0, nativeMemoryPoolDone() {} })) process.exit(3);`;
const variants = { plain: [], 'with the pool hooks': ['--import', `data:text/javascript,${encodeURIComponent(hooked)}`] };
const times = { plain: [], 'with the pool hooks': [] };
for (let run = 0; run < Number(values.runs); run++) {
  for (const [name, flags] of Object.entries(variants)) {
    const result = spawnSync(process.execPath, [...flags, join(here, 'pool-workload.cjs')], { encoding: 'utf8' });
    if (result.status === 3) {
      console.log(`Node ${process.version}: createHook cannot leave promises out; no hooks are installed`);
      process.exit(0);
    }
    if (result.status !== 0) throw new Error(`${name}: ${result.stderr}`);
    times[name].push(Number(result.stdout.trim().split('\n').at(-1)));
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(`Node ${process.version}, pool-workload.cjs, ${values.runs} runs`);
for (const [name, list] of Object.entries(times)) {
  console.log(`${name.padEnd(22)} ${median(list).toFixed(0).padStart(6)} ms  ${(median(list) / median(times.plain)).toFixed(3)}x`);
}
