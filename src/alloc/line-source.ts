/**
 * Where statements come from: the tracer of this thread, when it runs with line probes (`memtrace run
 * --alloc`, MEMTRACE_ALLOC=1: sampled statements; `--lines`, MEMTRACE_LINES=1: every statement). Its
 * per-line byte counts are switched on at the first allocation snapshot (or at the start of
 * `memtrace run --alloc`).
 */
import { activeTracer } from '../tracer/active.js';
import { lineProbesOn } from '../shared/settings.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { lineTotalsSoFar, setLineTotals, type LineTotal } from '../runtime/line-totals.js';

export interface LineSource {
  /** The tracer's function table ([] without a tracer). */
  functions: readonly FunctionInfo[];
  /** Cumulative per-line totals; undefined when no line probes run. */
  totals: LineTotal[] | undefined;
  /** The totals come from sampled statements (`--alloc`), not from every statement (`--lines`). */
  sampled: boolean;
  /** Why there are no totals. */
  reason: string | undefined;
}

export function currentLineSource(): LineSource {
  const tracer = activeTracer();
  if (!tracer) {
    return {
      functions: [],
      totals: undefined,
      sampled: false,
      reason:
        "memtrace's loader is not running (run with `memtrace run --alloc` or `--import memtrace/register` and MEMTRACE_ALLOC=1): only functions are known",
    };
  }
  if (!lineProbesOn(tracer.settings)) {
    return {
      functions: tracer.table.functions,
      totals: undefined,
      sampled: false,
      reason: 'the tracer runs without line probes (MEMTRACE_ALLOC=1 or MEMTRACE_LINES=1 adds them): only functions are known',
    };
  }
  setLineTotals(true);
  return { functions: tracer.table.functions, totals: lineTotalsSoFar(), sampled: !tracer.settings.lines, reason: undefined };
}
