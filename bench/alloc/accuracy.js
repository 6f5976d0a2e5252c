/**
 * `node bench/alloc/accuracy.js [--quick] [--runs N]`: the error of `memtrace run --alloc` (sampled
 * statements) and `--alloc --lines` (every statement) per statement, on fixtures whose statements
 * allocate known amounts (test/fixtures/alloc), at three sampling intervals. A statement is `LINE` or
 * `LINE:COLUMN` where two share a line. Expected bytes are V8's object sizes (Node 20-24, 8-byte slots, no pointer
 * compression): new Array(n) of holes is a 32-byte JSArray plus a 16 + 8n byte FixedArray; the Map
 * and the kept array's own growth add a few KiB. `callers`: one function whose statement depends on
 * its caller; `stack_misplaced_pct` is the share of its bytes a stack shows at the other caller's statement.
 * Results: bench/results/alloc/accuracy.csv (quick/ for --quick).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTraces, hasAllocations, readAllocationRun, stackOf } from '../../dist/src/index.js';
import { copyOfDist, median, parseOptions, printTable, scratchDirectory, writeCsv } from './common.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// memtrace runs from a copy of dist/ taken now: a rebuild during the run cannot mix two builds.
const scratch = scratchDirectory('memtrace-accuracy-dist-');
const cli = join(copyOfDist(scratch), 'src/cli/main.js');
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const options = parseOptions(process.argv.slice(2), { runs: undefined, out: undefined });
options.runs ??= options.quick ? 2 : 5;
options.out ??= join(root, 'bench', 'results', 'alloc', ...(options.quick ? ['quick'] : []));
const MiB = 1024 * 1024;
const array = (n) => 32 + 16 + 8 * n;

const FIXTURES = [
  { name: 'loop.mjs', nodeArgs: [], lines: { 10: 1024 * array(1024), 11: 1024 * array(512), 12: 1024 * array(256) } },
  { name: 'loop.ts', nodeArgs: ['--import', 'tsx'], lines: { 11: 1024 * array(1024), 12: 1024 * array(512), 13: 1024 * array(256) } },
  { name: 'callers.mjs', nodeArgs: [], lines: { 7: 1024 * array(1024), 9: 1024 * array(256) }, callers: { fromBig: 7, fromSmall: 9 } },
  { name: 'same-line.mjs', nodeArgs: [], lines: { '7:37': 1024 * array(1024), '7:62': 1024 * array(256) } },
  { name: 'long-statement.mjs', nodeArgs: [], lines: { 17: 1024 * array(1024), 18: 1024 * array(256) } },
  { name: 'phases.mjs', nodeArgs: [], lines: { 9: 20_000 * array(1280), 11: 400_000 * array(64) } },
];
const MODES = [
  { name: 'sampled', flags: ['--alloc'] },
  { name: 'lines', flags: ['--alloc', '--lines'] },
];
/** `LINE` or `LINE:COLUMN`: whether an allocations.csv row is that statement's. */
const atStatement = (statement) => {
  const [line, column] = String(statement).split(':').map(Number);
  return (r) => r.line === line && (column === undefined || r.column === column);
};
const INTERVALS = [16 * 1024, 64 * 1024, 512 * 1024];

function runFixture(fixture, interval, mode) {
  const out = mkdtempSync(join(os.tmpdir(), 'memtrace-accuracy-'));
  try {
    const child = spawnSync(
      process.execPath,
      [
        cli,
        'run',
        ...mode.flags,
        '--alloc-interval',
        String(interval),
        '--out',
        out,
        '--',
        ...fixture.nodeArgs,
        join(root, 'test/fixtures/alloc', fixture.name),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`${fixture.name}: ${child.stderr}`);
    return readAllocationRun(findTraces(out).filter(hasAllocations)[0]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const rows = [];
for (const mode of MODES) {
  for (const fixture of FIXTURES) {
    for (const interval of INTERVALS) {
      const errors = new Map(Object.keys(fixture.lines).map((line) => [line, []]));
      const misplaced = [];
      for (let i = 0; i < options.runs; i++) {
        const run = runFixture(fixture, interval, mode);
        const file = fixture.name;
        for (const [line, expected] of Object.entries(fixture.lines)) {
          const here = atStatement(line);
          const sampled = run.allocations.filter((r) => r.file.endsWith(file) && here(r)).reduce((s, r) => s + r.selfBytes, 0);
          errors.get(line).push((sampled - expected) / expected);
        }
        if (fixture.callers) {
          // Bytes a caller's stack shows at the statement the other caller makes allocate.
          let wrong = 0;
          let all = 0;
          for (const row of run.allocations.filter((r) => r.file.endsWith(file) && r.line !== null && r.function === 'make')) {
            const caller = stackOf(run.stacks, row.stackId)[1]?.function;
            all += row.selfBytes;
            if (fixture.callers[caller] !== undefined && fixture.callers[caller] !== row.line) wrong += row.selfBytes;
          }
          misplaced.push(wrong / all);
        }
      }
      for (const [line, list] of errors) {
        const abs = list.map(Math.abs);
        rows.push({
          mode: mode.name,
          fixture: fixture.name,
          interval,
          line,
          expected_mib: (fixture.lines[line] / MiB).toFixed(2),
          median_error_pct: (median(list) * 100).toFixed(1),
          median_abs_error_pct: (median(abs) * 100).toFixed(1),
          max_abs_error_pct: (Math.max(...abs) * 100).toFixed(1),
          stack_misplaced_pct: misplaced.length ? (median(misplaced) * 100).toFixed(1) : '',
        });
      }
    }
  }
}
printTable(
  `statement error of --alloc (sampled) and --alloc --lines, ${options.runs} runs each (node ${process.version}, load ${os.loadavg()[0].toFixed(1)})`,
  rows,
);
writeCsv(
  options.out,
  'accuracy',
  rows.map((r) => ({ ...r, runs: options.runs, node: process.version, date: new Date().toISOString() })),
);
