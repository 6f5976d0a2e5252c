// memtrace run --oom-report on programs that really run out of memory: a Map grown under
// --max-old-space-size=64 until V8 ends the process, with the tracer, with the sampler, with both;
// the pure-JS watch; the cgroup limit (injected: this machine's cgroup cannot be set from a test);
// and a program that ends well, which gets no report.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  readFileSync,
  openSync,
  readSync,
  closeSync,
  mkdirSync,
  rmdirSync,
  writeFileSync,
  accessSync,
  constants,
} from 'node:fs';
import { join } from 'node:path';
import { cliPath, fixture, freshDir, MiB } from './helpers/run-traced.js';
import { findTraces, readProcessCsv } from '../dist/src/index.js';
import { readOomReport } from '../dist/src/formats/oom-report.js';
import { readFunctionsCsv } from '../dist/src/formats/functions-csv.js';
import { readAllocationsCsv } from '../dist/src/formats/allocations-csv.js';

const growMap = fixture('oom', 'grow-map.mjs');
/** The line of grow-map.mjs that fills the heap (cache.set). */
const GROWING_LINE = 6;

/** `memtrace run [flags] -- [nodeArgs] program args`, with its trace directories and their OOM reports. */
function run(flags, program, { nodeArgs = ['--max-old-space-size=64'], args = [], env = {} } = {}) {
  const out = freshDir();
  const result = spawnSync(process.execPath, [cliPath, 'run', '--out', out, ...flags, '--', ...nodeArgs, program, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, MEMTRACE_CACHE_DIR: join(out, '.cache'), ...env },
  });
  const directories = findTraces(out);
  const reports = directories.map((d) => readOomReport(d)).filter(Boolean);
  return { ...result, out, directories, reports };
}

/** The checks every OOM report of grow-map.mjs passes, whatever else ran. */
function checkReport(t, result, { snapshot, limitMiB = 64 }) {
  // V8's fatal OOM aborts the program; memtrace run ends with the status a shell reports for it.
  t.is(result.status, 134, result.stderr);
  t.is(result.reports.length, 1, result.stderr);
  const report = result.reports[0];
  t.is(report.trigger, 'heap-limit');
  t.is(report.detection, 'native');
  t.is(report.heap.oldSpaceLimit, limitMiB * MiB);
  t.true(report.heap.used > 0.6 * limitMiB * MiB, `heap used ${report.heap.used}`);
  // The top allocator is the growing function, with most of the limit (the Map's garbage tables and
  // the headroom memtrace gave the report make it more, never several times more).
  t.is(report.topAllocator.function, 'grow');
  t.true(
    report.topAllocator.selfAllocBytes > 0.6 * limitMiB * MiB && report.topAllocator.selfAllocBytes < 3 * limitMiB * MiB,
    `grow ${report.topAllocator.selfAllocBytes}`,
  );
  // One line on stderr names it and the report.
  t.regex(
    result.stderr,
    new RegExp(
      `memtrace: at V8's heap limit \\(\\d+\\.\\d MiB used, old-space limit ${limitMiB}\\.0 MiB\\); top allocator grow \\(grow-map\\.mjs(:\\d+)?\\) \\d+\\.\\d MiB; OOM report in ${report.directory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`,
    ),
  );
  // The process log up to then.
  const log = readProcessCsv(join(report.directory, 'process.csv'));
  const heaps = log.rows.filter((r) => r.heapUsed !== null).map((r) => r.heapUsed);
  // Samples come every 0.1 s and a 64 MiB heap can fill in a few of them: how far the log got is not
  // asserted, only that it is this process's, with its heap read.
  t.true(heaps.length >= 1, `${heaps.length} samples`);
  t.true(log.rows.every((r) => r.pid === report.pid));
  // Heap spaces: the old space holds most of it.
  const spaces = readFileSync(join(report.directory, 'heap-spaces.csv'), 'utf8');
  t.regex(spaces, /^space,size,used,available,physical\n/);
  t.regex(spaces, /\nold_space,\d+,\d+,/);
  t.regex(readFileSync(join(report.directory, 'summary.txt'), 'utf8'), /^memtrace OOM report: pid \d+/);
  if (snapshot === 'taken') {
    t.is(report.snapshot.file, 'heap.heapsnapshot');
    const path = join(report.directory, 'heap.heapsnapshot');
    t.true(report.snapshot.bytes > report.heap.used / 2, `snapshot ${report.snapshot.bytes} B`);
    const head = Buffer.alloc(64);
    const fd = openSync(path, 'r');
    readSync(fd, head, 0, 64, 0);
    closeSync(fd);
    t.regex(head.toString(), /^\{"snapshot":\{"meta":/);
  } else {
    t.regex(report.snapshot.skipped, snapshot);
  }
  // memtrace report on the trace directory says how the run ended and where the report is.
  const shown = spawnSync(
    process.execPath,
    [cliPath, 'report', result.directories[0], ...(existsSync(join(result.directories[0], 'meta.json')) ? [] : ['--alloc'])],
    { encoding: 'utf8' },
  );
  t.is(shown.status, 0, shown.stderr);
  t.true(shown.stdout.includes(`memtrace: the run ended in an OOM: at V8's heap limit`), shown.stdout);
  t.true(shown.stdout.includes(join(report.directory, 'summary.txt')), shown.stdout);
  return report;
}

test('the tracer: the growing function, still running, is the top allocator', (t) => {
  const result = run(['--oom-report', '--oom-snapshot', 'never'], growMap);
  const report = checkReport(t, result, { snapshot: /^not asked for \(--oom-snapshot never\)$/ });
  t.true(report.topAllocator.running);
  t.is(report.topAllocator.line, 4);
  const open = readFileSync(join(report.directory, 'open-calls.csv'), 'utf8').trim().split('\n');
  t.is(open[0], 'depth,function,file,line,column,self_alloc_bytes,total_alloc_bytes,heap_growth_bytes,elapsed_ns');
  t.regex(open[1], /^0,grow,.*grow-map\.mjs,4,1,\d+,\d+,\d+,\d+$/);
  const heapGrowth = Number(open[1].split(',')[7]);
  t.true(heapGrowth > 30 * MiB && heapGrowth < 100 * MiB, `heap growth ${heapGrowth}`);
  // The functions table as of then: grow has not returned, so it is there with no measured call.
  t.true(readFunctionsCsv(join(report.directory, 'functions.csv')).some((f) => f.function === 'grow'));
  // The trace directory is whole as of the report: memtrace run printed its table, and report.html
  // says how the run ended.
  t.true(existsSync(join(result.directories[0], 'meta.json')));
  const html = spawnSync(process.execPath, [cliPath, 'report', result.directories[0], '--html'], { encoding: 'utf8', timeout: 60_000 });
  t.is(html.status, 0, html.stderr);
  const page = readFileSync(join(result.directories[0], 'report.html'), 'utf8');
  t.regex(
    page,
    /<div class="label">ended in an OOM<\/div><div class="value">at V8&#39;s heap limit \(\d+\.\d MiB used, old-space limit 64\.0 MiB\)<\/div><div class="note">[^<]* · top allocator grow \d+\.\d MiB · report: [^<]*oom-report\/summary\.txt<\/div>/,
  );
});

test('a heap snapshot where there is room, readable by memtrace heap', (t) => {
  // A smaller heap than the other tests': a snapshot takes seconds per 10 MiB of heap on a busy machine.
  const result = run(['--oom-report'], growMap, { nodeArgs: ['--max-old-space-size=24'] });
  const report = checkReport(t, result, { snapshot: 'taken', limitMiB: 24 });
  const summary = spawnSync(process.execPath, [cliPath, 'heap', 'summary', join(report.directory, 'heap.heapsnapshot'), '--csv'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  t.is(summary.status, 0, summary.stderr);
  // What filled the heap: the Map, retaining most of the 24 MiB.
  t.regex(summary.stdout, /^constructor,count,self_size,retained_size\n/);
  const map = summary.stdout.split('\n').find((line) => line.startsWith('Map,'));
  t.truthy(map, summary.stdout.slice(0, 800));
  t.true(Number(map.split(',')[3]) > 12 * MiB, map);
});

test("--alloc --lines: the sampler's top statement is the line that grows the Map", (t) => {
  const result = run(['--oom-report', '--alloc', '--lines', '--oom-snapshot', 'never'], growMap);
  const report = checkReport(t, result, { snapshot: /^not asked for \(--oom-snapshot never\)$/ });
  const rows = readAllocationsCsv(join(report.directory, 'allocations.csv')).sort((a, b) => b.selfBytes - a.selfBytes);
  t.is(rows[0].function, 'grow');
  t.is(rows[0].line, GROWING_LINE);
  t.true(rows[0].selfBytes > 40 * MiB, `line ${GROWING_LINE}: ${rows[0].selfBytes}`);
  t.true(existsSync(join(report.directory, 'stacks.csv')));
  t.regex(readFileSync(join(report.directory, 'summary.txt'), 'utf8'), new RegExp(`grow-map\\.mjs:${GROWING_LINE} +grow\\n`));
});

test("--alloc-only (no tracer): the sampler names the growing function; the run's profile is written as of then", (t) => {
  const result = run(['--oom-report', '--alloc-only', '--oom-snapshot', 'never'], growMap);
  const report = checkReport(t, result, { snapshot: /^not asked for/ });
  t.is(report.topAllocator.line, null); // statements need the line probes
  t.false(existsSync(join(report.directory, 'functions.csv')));
  for (const file of ['allocations.csv', 'stacks.csv', 'allocations.heapprofile', 'allocations.json']) {
    t.true(existsSync(join(result.directories[0], file)), file);
  }
});

test('without the addon, a program that yields gets its report from the pure-JS watch', (t) => {
  const result = run(['--oom-report', '--oom-snapshot', 'never'], fixture('oom', 'grow-chunks-async.mjs'), {
    env: { MEMTRACE_NO_NATIVE: '1' },
  });
  t.is(result.status, 134, result.stderr);
  t.is(result.reports.length, 1, result.stderr);
  const report = result.reports[0];
  t.is(report.trigger, 'heap-limit-poll');
  t.is(report.detection, 'js');
  t.is(report.heap.raisedBy, 0);
  t.is(report.topAllocator.function, 'growChunk');
  t.true(report.topAllocator.selfAllocBytes > 0.8 * 64 * MiB * 0.8, `growChunk ${report.topAllocator.selfAllocBytes}`);
  t.regex(result.stderr, /memtrace: near V8's heap limit \(\d+\.\d MiB used, old-space limit 64\.0 MiB\); top allocator growChunk/);
});

test("near the cgroup's limit: the report comes at 90 % of it, without a snapshot for want of room", (t) => {
  // MEMTRACE_TEST_CGROUP_LIMIT stands in for memory.max; the program stops itself a little past the
  // limit (exit 3), where the kernel would have killed it.
  const limit = 200 * MiB;
  const result = run(['--oom-report'], fixture('oom', 'grow-until-rss.mjs'), {
    nodeArgs: ['--max-old-space-size=1024'],
    args: [String(limit)],
    env: { MEMTRACE_TEST_CGROUP_LIMIT: String(limit) },
  });
  t.is(result.status, 3, result.stderr);
  t.is(result.reports.length, 1, result.stderr);
  const report = result.reports[0];
  t.is(report.trigger, 'cgroup');
  t.is(report.cgroupLimit, limit);
  // The watch fired past 90 %; by the time the report reads the RSS again a GC may have given some back.
  t.true(report.rssAtTrigger > 0.9 * limit && report.rssAtTrigger < limit, `rss at the trigger ${report.rssAtTrigger}`);
  t.true(report.rss > 0.7 * limit && report.rss < limit, `rss ${report.rss}`);
  t.regex(report.snapshot.skipped, /^no room: a snapshot needs about .* left under the cgroup's limit of 200 MiB\)$/);
  t.is(report.topAllocator.function, 'grow');
  t.regex(result.stderr, /memtrace: near the cgroup's memory limit \(RSS \d+ MiB of 200 MiB\); top allocator grow/);
});

/**
 * A memory cgroup this test may make (cgroup v2 with the memory controller, or v1's memory
 * hierarchy), as [directory, limit file], or undefined: it needs root and a writable /sys/fs/cgroup.
 */
function cgroupParent() {
  const candidates = [
    ['/sys/fs/cgroup', 'memory.max', () => readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').includes('memory')],
    ['/sys/fs/cgroup/memory', 'memory.limit_in_bytes', () => existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')],
  ];
  for (const [parent, limitFile, usable] of candidates) {
    try {
      accessSync(parent, constants.W_OK);
      if (usable()) return { parent, limitFile };
    } catch {
      // not this one
    }
  }
  return undefined;
}

const cgroup = cgroupParent();
if (!cgroup) console.log('memtrace: the test under a real cgroup limit is skipped: /sys/fs/cgroup cannot be written here (it needs root)');

(cgroup ? test : test.skip)('under a real cgroup limit: the report is written before the kernel kills the process', (t) => {
  const directory = join(cgroup.parent, `memtrace-test-${process.pid}`);
  mkdirSync(directory);
  t.teardown(() => rmdirSync(directory));
  writeFileSync(join(directory, cgroup.limitFile), String(256 * MiB));
  // V8's limit far above the cgroup's: the kernel ends it (SIGKILL), and memtrace run ends the same way.
  const result = run(['--oom-report'], growMap, {
    nodeArgs: ['--import', fixture('oom', 'join-cgroup.mjs'), '--max-old-space-size=2048'],
    env: { JOIN_CGROUP: directory },
  });
  t.is(result.signal, 'SIGKILL', result.stderr);
  t.is(result.reports.length, 1, result.stderr);
  const report = result.reports[0];
  t.is(report.trigger, 'cgroup');
  t.is(report.cgroupLimit, 256 * MiB);
  t.true(report.rssAtTrigger > 0.9 * 256 * MiB, `rss at the trigger ${report.rssAtTrigger}`);
  t.regex(report.snapshot.skipped, /^no room: .* left under the cgroup's limit of 256 MiB\)$/);
  t.is(report.topAllocator.function, 'grow');
  t.regex(result.stderr, /memtrace: near the cgroup's memory limit \(RSS \d+ MiB of 256 MiB\); top allocator grow/);
});

test('a run that does not run out of memory writes no report', (t) => {
  const result = run(['--oom-report'], fixture('check', 'peak.mjs'));
  t.is(result.status, 0, result.stderr);
  t.is(result.directories.length, 1);
  t.false(existsSync(join(result.directories[0], 'oom-report')));
  t.notRegex(result.stderr, /OOM/);
  // The process log runs all the same (it is what a report would have carried).
  t.true(readProcessCsv(join(result.directories[0], 'process.csv')).rows.length >= 1);
});

test('a bad --oom-snapshot is one line, exit 2', (t) => {
  const result = run(['--oom-report', '--oom-snapshot', 'sometimes'], growMap);
  t.is(result.status, 2);
  t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.regex(result.stderr, /MEMTRACE_OOM_SNAPSHOT.*sometimes.*auto, never/);
});
