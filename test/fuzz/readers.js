// The readers the fuzzer feeds, each with a valid seed input made by a real run and the two ways a
// user reaches it: the library call (`read`, run in the fuzz worker; it must return or throw a
// MemtraceError naming the file) and the CLI command, where one reads it (`cli`; exit status 1 and one
// line naming the file).
// To fuzz another reader, add an entry: `fileName` is what
// the case file is called, `seed(dir)` writes the valid input (and any files it needs beside it) into
// dir and returns its bytes, `read(path)` and `cli(path)` take the path of the case file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findTraces, readSnapshot, readHeapProfile, readTrace, topLines } from '../../dist/src/index.js';
import { loadAllocations } from '../../dist/src/report/allocation-profiles.js';
import { renderTopFunctions } from '../../dist/src/report/top-functions.js';
import { readAllocationRun } from '../../dist/src/formats/allocation-run.js';
import { renderTopAllocationLines } from '../../dist/src/alloc/top-lines.js';
import { cliPath, fixture, freshDir, runTraced } from '../helpers/run-traced.js';
import { TraceFileError } from '../../dist/src/shared/errors.js';
import { readTraceReportInput } from '../../dist/src/report/trace-html.js';
import { allocationLinesOf } from '../../dist/src/report/allocation-lines.js';
import { readBaseline } from '../../dist/src/formats/baseline.js';
import { readProcessBatches } from '../../dist/src/formats/process-csv.js';
import { ProcessLogDigest } from '../../dist/src/report/plot-model.js';
import { oomNote } from '../../dist/src/report/oom-note.js';
import { convertNativeRecord } from '../../dist/src/native/convert.js';
import { renderNativeOwners } from '../../dist/src/report/native-owners.js';

/**
 * A real heap snapshot of a small program, cut down to its first `keep` nodes (the root, the GC roots
 * and the first objects), the edges between them and the strings they name, so a fuzz case parses in
 * about a millisecond. The header's meta is V8's own.
 */
export function smallSnapshot(dir, keep = 400) {
  const full = join(dir, 'full.heapsnapshot');
  const program = `const kept = []; class Leaky { constructor(i) { this.payload = 'x'.repeat(64) + i; } }
    for (let i = 0; i < 100; i++) kept.push(new Leaky(i)); globalThis.kept = kept;
    require('v8').writeHeapSnapshot(${JSON.stringify(full)});`;
  const run = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`writing a heap snapshot failed: ${run.stderr}`);
  const snapshot = JSON.parse(readFileSync(full, 'utf8'));
  const { meta } = snapshot.snapshot;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const edgeTypes = meta.edge_types[meta.edge_fields.indexOf('type')];
  const at = (fields, name) => fields.indexOf(name);
  const [nameField, edgeCountField] = [at(meta.node_fields, 'name'), at(meta.node_fields, 'edge_count')];
  const [edgeTypeField, edgeNameField, toField] = [
    at(meta.edge_fields, 'type'),
    at(meta.edge_fields, 'name_or_index'),
    at(meta.edge_fields, 'to_node'),
  ];
  const strings = [];
  const stringIndex = new Map();
  const keepString = (i) => {
    if (!stringIndex.has(i)) {
      stringIndex.set(i, strings.length);
      strings.push(snapshot.strings[i]);
    }
    return stringIndex.get(i);
  };
  const nodes = [];
  const edges = [];
  let edge = 0;
  for (let node = 0; node < keep; node++) {
    const fields = snapshot.nodes.slice(node * nodeFields, (node + 1) * nodeFields);
    const count = fields[edgeCountField];
    let kept = 0;
    for (let e = edge; e < edge + count; e++) {
      const row = snapshot.edges.slice(e * edgeFields, (e + 1) * edgeFields);
      if (row[toField] / nodeFields >= keep) continue;
      const type = edgeTypes[row[edgeTypeField]];
      if (type !== 'element' && type !== 'hidden') row[edgeNameField] = keepString(row[edgeNameField]);
      edges.push(row.join(','));
      kept++;
    }
    edge += count;
    fields[nameField] = keepString(fields[nameField]);
    fields[edgeCountField] = kept;
    nodes.push(fields.join(','));
  }
  const header = { ...snapshot.snapshot, node_count: keep, edge_count: edges.length };
  // V8's layout: one node or edge a line, the other sections kept (empty for this program).
  const text =
    `{"snapshot":${JSON.stringify(header)},\n"nodes":[${nodes.join('\n,')}],\n"edges":[${edges.join('\n,')}],\n` +
    `"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n"strings":[${strings.map((s) => JSON.stringify(s)).join('\n,')}]}\n`;
  return Buffer.from(text);
}

/** A real `node --heap-prof` profile of the report tests' allocating program. */
export function realHeapProfile(dir) {
  const run = spawnSync(
    process.execPath,
    ['--heap-prof', `--heap-prof-dir=${dir}`, '--heap-prof-interval=65536', fixture('report', 'allocators.mjs')],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`node --heap-prof failed: ${run.stderr}`);
  const name = readdirSync(dir).find((file) => file.endsWith('.heapprofile'));
  return readFileSync(join(dir, name));
}

/** The meta.json of a real trace, with the trace's functions.csv and events.csv put beside it in dir. */
export function realTraceMeta(dir) {
  const { status, stderr, directories } = runTraced(fixture('tracer', 'keep-1mib.mjs'));
  if (status !== 0 || directories.length === 0) throw new Error(`tracing keep-1mib.mjs failed: ${stderr}`);
  for (const file of ['functions.csv', 'events.csv']) copyFileSync(join(directories[0], file), join(dir, file));
  return readFileSync(join(directories[0], 'meta.json'));
}

/** The allocations.json of a real `memtrace run --alloc`, with the run's other files put beside it in dir. */
export function realAllocationMeta(dir) {
  const out = freshDir('memtrace-fuzz-alloc-');
  const { status, stderr } = spawnSync(
    process.execPath,
    [cliPath, 'run', '--alloc', '--alloc-interval', '16384', '--out', out, '--', fixture('alloc', 'garbage.mjs')],
    {
      encoding: 'utf8',
      env: { ...process.env, MEMTRACE_CACHE_DIR: join(out, '.cache') },
    },
  );
  const run = findTraces(out).find((d) => readdirSync(d).includes('allocations.json'));
  if (status !== 0 || !run) throw new Error(`memtrace run --alloc on garbage.mjs failed: ${stderr}`);
  for (const file of readdirSync(run)) if (file !== 'allocations.json') copyFileSync(join(run, file), join(dir, file));
  return readFileSync(join(run, 'allocations.json'));
}

/** A seed: `file` of a real trace of keep-1mib.mjs, with the trace's other files put beside it in dir. */
const realTraceFile = (file) => (dir) => {
  const { status, stderr, directories } = runTraced(fixture('tracer', 'keep-1mib.mjs'), { env: { MEMTRACE_TRIGGER: '0' } });
  if (status !== 0 || directories.length === 0) throw new Error(`tracing keep-1mib.mjs failed: ${stderr}`);
  for (const name of readdirSync(directories[0])) if (name !== file) copyFileSync(join(directories[0], name), join(dir, name));
  return readFileSync(join(directories[0], file));
};

/** A seed: allocations.csv of a real `memtrace run --alloc`, with the run's other files beside it. */
function realAllocationsCsv(dir) {
  writeFileSync(join(dir, 'allocations.json'), realAllocationMeta(dir));
  return readFileSync(join(dir, 'allocations.csv'));
}

/** A seed: the baseline `memtrace check --write-baseline` writes for a real trace. */
function realBaseline(dir) {
  const out = freshDir('memtrace-fuzz-baseline-');
  const { status, stderr, directories } = runTraced(fixture('check', 'render.mjs'));
  if (status !== 0) throw new Error(`tracing render.mjs failed: ${stderr}`);
  const file = join(out, 'baseline.json');
  const run = spawnSync(process.execPath, [cliPath, 'check', directories[0], '--write-baseline', file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`check --write-baseline failed: ${run.stderr}`);
  // The trace the cases are checked against, beside them.
  copyFileSync(join(directories[0], 'functions.csv'), join(dir, 'functions.csv'));
  return readFileSync(file);
}

/** A seed: the process log of a real program logged from inside (heap and GC columns). */
function realProcessLog(dir) {
  const file = join(dir, 'log.csv');
  const loader = new URL('../../dist/loader/process.js', import.meta.url).href;
  const run = spawnSync(process.execPath, ['--import', loader, fixture('process', 'grow.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, MEMTRACE_PROCESS_INTERVAL: '0.02', MEMTRACE_PROCESS_OUT: file, STEPS: '3', STEP_MB: '4', PAUSE_MS: '60' },
  });
  if (run.status !== 0) throw new Error(`logging grow.mjs failed: ${run.stderr}`);
  return readFileSync(file);
}

/** A seed: the native record (native-raw.bin) of a real `memtrace run --native`, before its conversion. */
function realNativeRecord(dir) {
  const out = freshDir('memtrace-fuzz-native-');
  // The tracker writes native-<pid>.raw into the out directory; the run's conversion is what is fuzzed,
  // so the record is taken from a process run with the tracker but without memtrace's runtime.
  const tracker = join(dirname(cliPath), '..', '..', '..', 'native', 'build-preload', 'memtrace-native.so');
  const run = spawnSync(process.execPath, [fixture('native', 'keep-buffers.cjs')], {
    encoding: 'utf8',
    env: { ...process.env, LD_PRELOAD: tracker, MEMTRACE_NATIVE_DIR: out, MEMTRACE_NATIVE_INTERVAL: '1048576' },
  });
  const raw = readdirSync(out).find((file) => file.endsWith('.raw'));
  if (run.status !== 0 || !raw) throw new Error(`recording keep-buffers.cjs natively failed: ${run.stderr}`);
  return readFileSync(join(out, raw));
}

export const READERS = [
  {
    name: 'heap snapshot',
    fileName: 'case.heapsnapshot',
    seed: (dir) => smallSnapshot(dir),
    // What `memtrace heap summary` and `top` do: read, dominators and retained sizes, summary, paths.
    async read(path) {
      const snapshot = await readSnapshot(path);
      snapshot.summary();
      snapshot.top({ limit: 3 });
    },
    cli: (path) => ['heap', 'summary', path],
  },
  {
    name: 'heap profile',
    fileName: 'case.heapprofile',
    seed: (dir) => realHeapProfile(dir),
    // What `memtrace report FILE.heapprofile` does: read it, build the flame tree, rank its lines.
    async read(path) {
      readHeapProfile(path);
      topLines(loadAllocations(path));
    },
    cli: (path) => ['report', path],
  },
  {
    name: 'trace meta.json',
    fileName: 'meta.json',
    seed: (dir) => realTraceMeta(dir),
    // What `memtrace report DIR` does: read the trace, print its table (meta.json's figures in its heading).
    async read(path) {
      renderTopFunctions(readTrace(dirname(path)));
    },
    cli: (path) => ['report', dirname(path)],
  },
  {
    name: 'allocations.json',
    fileName: 'allocations.json',
    seed: (dir) => realAllocationMeta(dir),
    // What `memtrace run --alloc` prints at the end: the run read back, its top statements and heading.
    async read(path) {
      renderTopAllocationLines(readAllocationRun(dirname(path)), 10);
    },
    // No command reads allocations.json alone (memtrace run prints from it in-process): library only.
    cli: undefined,
  },
  {
    name: 'events.csv',
    fileName: 'events.csv',
    seed: realTraceFile('events.csv'),
    // What `memtrace report DIR --html` reads, streamed; a file ending mid-row is an error for the CLI.
    async read(path) {
      await readTraceReportInput(dirname(path), {
        onTruncated: (problem) => {
          throw new TraceFileError(path, problem);
        },
      });
    },
    cli: (path) => ['report', dirname(path), '--trace-json', '--out', join(dirname(path), 'out.json')],
  },
  {
    name: 'functions.csv',
    fileName: 'functions.csv',
    seed: realTraceFile('functions.csv'),
    async read(path) {
      renderTopFunctions(readTrace(dirname(path)));
    },
    cli: (path) => ['report', dirname(path)],
  },
  {
    name: 'allocations.csv',
    fileName: 'allocations.csv',
    seed: realAllocationsCsv,
    // Its text columns take any text and a corrupted row is often still a row: 978 of 2,000 rejected.
    rejectedShare: 0.4,
    // What `memtrace report DIR --alloc` reads: the statements that allocated most.
    async read(path) {
      allocationLinesOf(dirname(path));
    },
    cli: (path) => ['report', dirname(path), '--alloc'],
  },
  {
    name: 'baseline',
    fileName: 'baseline.json',
    seed: realBaseline,
    async read(path) {
      readBaseline(path);
    },
    // Bad input is exit 2 for check; the fuzzer's CLI half expects 1, so the library half covers it.
    cli: undefined,
  },
  {
    name: 'native-raw.bin',
    fileName: 'native-raw.bin',
    seed: realNativeRecord,
    // Sample sizes, addresses and ids take any value: 962 of 2,000 rejected (Node 20, 2026-12-06).
    rejectedShare: 0.4,
    // What `memtrace report DIR` does with a record `memtrace run` did not convert: the CSVs, then the section.
    async read(path) {
      convertNativeRecord(dirname(path), path);
      renderNativeOwners(dirname(path), 10);
    },
    cli: undefined,
  },
  {
    name: 'process log',
    fileName: 'case.csv',
    seed: realProcessLog,
    // Each row repeats the command line, free text that any byte leaves valid: half the bytes of the
    // seed. Its row count follows the run's timing, so 967 to 1,100 of 2,000 are rejected (5 runs).
    rejectedShare: 0.4,
    // What `memtrace plot` reads, streamed into its buckets; a file ending mid-row is an error for the CLI.
    async read(path) {
      const { inside, batches } = readProcessBatches(path, {
        onTruncated: (problem) => {
          throw new TraceFileError(path, problem);
        },
      });
      const digest = new ProcessLogDigest(inside);
      for await (const batch of batches) for (const row of batch) digest.add(row);
      digest.model('fuzz');
    },
    cli: (path) => ['plot', path, '--out', join(dirname(path), 'plot')],
  },
  {
    name: 'oom.json',
    fileName: join('oom-report', 'oom.json'),
    seed: realOomReport,
    // What `memtrace report DIR` adds under its table for a run that ended in an OOM.
    async read(path) {
      oomNote(dirname(dirname(path)));
    },
    cli: (path) => ['report', dirname(dirname(path))],
  },
];

/**
 * The oom.json of a real `memtrace run --oom-report` (a Map grown to V8's limit of 24 MiB), with the
 * trace's own files put beside oom-report/ in dir.
 */
function realOomReport(dir) {
  const out = freshDir();
  spawnSync(
    process.execPath,
    [
      cliPath,
      'run',
      '--oom-report',
      '--oom-snapshot',
      'never',
      '--out',
      out,
      '--',
      '--max-old-space-size=24',
      fixture('oom', 'grow-map.mjs'),
    ],
    { encoding: 'utf8' },
  );
  const trace = findTraces(out).find((d) => readdirSync(d).includes('oom-report'));
  if (!trace) throw new Error('the OOM run wrote no report');
  for (const file of ['meta.json', 'functions.csv', 'events.csv']) copyFileSync(join(trace, file), join(dir, file));
  mkdirSync(join(dir, 'oom-report'), { recursive: true });
  return readFileSync(join(trace, 'oom-report', 'oom.json'));
}

export function writeCase(dir, reader, bytes) {
  const path = join(dir, reader.fileName);
  writeFileSync(path, bytes);
  return path;
}
