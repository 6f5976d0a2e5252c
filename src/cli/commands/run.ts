import { defineCommand } from '../command.js';
import { UsageError } from '../command.js';
import { runTraced } from '../run.js';

export const runCommand = defineCommand({
  name: 'run',
  summary: 'trace a Node program and its children: memory per call, per line, per allocation',
  synopsis: ['[options] -- app.js [args...]', '[options] -- [node options...] app.js [args...]'],
  details:
    "Each traced process writes a directory memtrace-<pid>-<time>/ (functions.csv, events.csv, meta.json, with --alloc the allocation files, with --native native-allocations.csv, native-stacks.csv and native.pb.gz) and prints the functions that allocated most. The program's exit code passes through.",
  options: {
    out: { type: 'string', value: 'DIR', default: '.', description: 'where each process writes memtrace-<pid>-<time>/' },
    include: {
      type: 'string',
      value: 'GLOB',
      multiple: true,
      description: 'trace only modules matching GLOB (default: all outside node_modules)',
    },
    exclude: { type: 'string', value: 'GLOB', multiple: true, description: 'do not trace modules matching GLOB' },
    trigger: {
      type: 'string',
      value: 'BYTES',
      default: '4096',
      description: 'write an event row when memory moved by at least BYTES; 0: at every call',
    },
    lines: { type: 'boolean', description: 'also probe every statement (memory per line)' },
    exact: { type: 'boolean', description: 'read memory at every call (no measure-then-count policy)' },
    counters: {
      type: 'string',
      value: 'KIND',
      default: 'auto',
      description:
        'js: the pure-JS counters even where the native addon is built; js-probes: native counters, measured calls entered and ended in JS',
    },
    alloc: {
      type: 'boolean',
      description:
        "sample allocations (V8's sampling heap profiler) by allocating statement: allocations.csv, stacks.csv, .heapprofile, speedscope and pprof (statements sampled in the functions that allocate; with --lines, every statement's)",
    },
    'alloc-only': {
      type: 'boolean',
      description: 'sample allocations without the function tracer: the cost of node --heap-prof, functions without their statements',
    },
    'alloc-interval': {
      type: 'string',
      value: 'BYTES',
      default: '524288',
      description: 'mean bytes between allocation samples, as node --heap-prof',
    },
    'alloc-depth': { type: 'string', value: 'N', default: '128', description: 'frames kept per allocation stack' },
    'max-trace-size': {
      type: 'string',
      value: 'SIZE',
      description:
        'keep events.csv and its rotated files under SIZE (500MB, 2GiB; at least 256KiB): the oldest rows go, functions.csv stays exact',
    },
    'fail-over': {
      type: 'string',
      value: 'SIZE',
      description: "exit 1 (after writing the trace) when a traced process's heap peaked over SIZE",
    },
    'oom-report': {
      type: 'boolean',
      description:
        "when a process nears V8's heap limit or its cgroup's memory limit, write oom-report/ into its trace (functions, allocations, process log, heap spaces, a heap snapshot where there is room) and name the top allocator on stderr",
    },
    'oom-snapshot': {
      type: 'string',
      value: 'WHEN',
      description: 'never: no heap snapshot in the OOM report (default auto: where there is room for one)',
    },
    native: {
      type: 'boolean',
      description:
        'also record native allocations (malloc; Linux with glibc) by JS function, native stack and thread: native-allocations.csv, native-stacks.csv, native.pb.gz (docs/native.md)',
    },
    'native-interval': {
      type: 'string',
      value: 'SIZE',
      default: '256KiB',
      description: 'mean bytes between native samples; 0: every allocation',
    },
  },
  examples: [
    'memtrace run --out trace -- app.js',
    'memtrace run --lines --out trace -- app.js',
    'memtrace run --alloc --out trace -- app.js',
    'memtrace run --alloc-only --out trace -- app.js',
    'memtrace run --fail-over 512MiB --out trace -- app.js',
    'memtrace run --oom-report --out trace -- --max-old-space-size=512 app.js',
    'memtrace run --native --out trace -- app.js',
    'memtrace run -- --import tsx app.ts',
  ],
  run(values, positionals) {
    if (positionals.length === 0)
      throw new UsageError('memtrace run: name the program to trace: memtrace run [options] -- app.js [args...]');
    const {
      'alloc-interval': allocInterval,
      'alloc-depth': allocDepth,
      'alloc-only': allocOnly,
      'max-trace-size': maxTraceSize,
      'fail-over': failOver,
      'oom-report': oomReport,
      'oom-snapshot': oomSnapshot,
      'native-interval': nativeInterval,
      ...rest
    } = values;
    return runTraced(positionals, {
      ...rest,
      ...(allocInterval !== undefined ? { allocInterval } : {}),
      ...(allocDepth !== undefined ? { allocDepth } : {}),
      ...(allocOnly ? { allocOnly } : {}),
      ...(maxTraceSize !== undefined ? { maxTraceSize } : {}),
      ...(failOver !== undefined ? { failOver } : {}),
      ...(oomReport ? { oomReport } : {}),
      ...(oomSnapshot !== undefined ? { oomSnapshot } : {}),
      ...(nativeInterval !== undefined ? { nativeInterval } : {}),
    });
  },
});
