import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { runTraced } from '../run.js';

export const runCommand: Command = {
  name: 'run',
  usage: `run [options] -- app.js [args...]   trace a Node program (and its child processes and workers)
    --out DIR        where each process writes memtrace-<pid>-<time>/ (default: .)
    --include GLOB   trace only modules matching (repeatable; default: all outside node_modules)
    --exclude GLOB   do not trace modules matching (repeatable)
    --trigger BYTES  write an event row when memory moved by at least BYTES (default 4096; 0: all)
    --lines          also probe every statement (memory per line)
    --exact          read memory at every call (no measure-then-count policy)
    --counters js    use the pure-JS counters even where the native addon is built
                     (js-probes: native counters, measured calls entered and ended in JS)
    --alloc          sample allocations (V8's sampling heap profiler): allocations.csv, stacks.csv,
                     .heapprofile, speedscope and pprof; with --lines, by allocating statement
    --alloc-interval BYTES  mean bytes between samples (default 524288, as node --heap-prof)
    --alloc-depth N  frames kept per stack (default 128)
    --max-trace-size SIZE  keep events.csv and its rotated files under SIZE (500MB, 2GiB; at least
                     256KiB): the oldest rows go, functions.csv stays exact
    --fail-over SIZE exit 1 (after writing the trace) when a traced process's heap peaked over SIZE
    --native         also record native allocations (malloc, Linux with glibc) by JS function and
                     native stack: native-allocations.csv, native-stacks.csv (docs/native.md)
    --native-interval SIZE  mean bytes between native samples (default 256KiB; 0: every allocation)`,
  run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        include: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        trigger: { type: 'string' },
        lines: { type: 'boolean' },
        exact: { type: 'boolean' },
        counters: { type: 'string' },
        alloc: { type: 'boolean' },
        'alloc-interval': { type: 'string' },
        'alloc-depth': { type: 'string' },
        'max-trace-size': { type: 'string' },
        'fail-over': { type: 'string' },
        native: { type: 'boolean' },
        'native-interval': { type: 'string' },
      },
    });
    if (positionals.length === 0) throw new UsageError('memtrace run: name the program to trace: memtrace run [options] -- app.js [args...]');
    const { 'alloc-interval': allocInterval, 'alloc-depth': allocDepth, 'max-trace-size': maxTraceSize, 'fail-over': failOver, 'native-interval': nativeInterval, ...rest } = values;
    return runTraced(positionals, {
      ...rest,
      ...(allocInterval !== undefined ? { allocInterval } : {}),
      ...(allocDepth !== undefined ? { allocDepth } : {}),
      ...(maxTraceSize !== undefined ? { maxTraceSize } : {}),
      ...(failOver !== undefined ? { failOver } : {}),
      ...(nativeInterval !== undefined ? { nativeInterval } : {}),
    });
  },
};
