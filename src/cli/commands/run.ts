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
    --oom-report     when a process nears V8's heap limit or its cgroup's memory limit, write
                     oom-report/ into its trace (functions, allocations, process log, heap spaces,
                     a heap snapshot where there is room) and name the top allocator on stderr
    --oom-snapshot never   no heap snapshot in the OOM report (default auto: where there is room)`,
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
        'oom-report': { type: 'boolean' },
        'oom-snapshot': { type: 'string' },
      },
    });
    if (positionals.length === 0) throw new UsageError('memtrace run: name the program to trace: memtrace run [options] -- app.js [args...]');
    const { 'alloc-interval': allocInterval, 'alloc-depth': allocDepth, 'max-trace-size': maxTraceSize, 'fail-over': failOver, 'oom-report': oomReport, 'oom-snapshot': oomSnapshot, ...rest } = values;
    return runTraced(positionals, {
      ...rest,
      ...(allocInterval !== undefined ? { allocInterval } : {}),
      ...(allocDepth !== undefined ? { allocDepth } : {}),
      ...(maxTraceSize !== undefined ? { maxTraceSize } : {}),
      ...(failOver !== undefined ? { failOver } : {}),
      ...(oomReport ? { oomReport } : {}),
      ...(oomSnapshot !== undefined ? { oomSnapshot } : {}),
    });
  },
};
