/**
 * Where statements come from: the tracer of this thread, when it runs with line probes
 * (MEMTRACE_LINES=1, `memtrace run --lines`). Its per-line byte counts are switched on at the first
 * allocation snapshot (or at the start of `memtrace run --alloc --lines`).
 */
import { activeTracer } from '../tracer/active.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { lineTotalsSoFar, setLineTotals, type LineTotal } from '../runtime/line-totals.js';

export interface LineSource {
  /** The tracer's function table ([] without a tracer). */
  functions: readonly FunctionInfo[];
  /** Cumulative per-line totals; undefined when no line probes run. */
  totals: LineTotal[] | undefined;
  /** Why there are no totals. */
  reason: string | undefined;
}

export function currentLineSource(): LineSource {
  const tracer = activeTracer();
  if (!tracer) {
    return {
      functions: [],
      totals: undefined,
      reason:
        "memtrace's loader is not running (run with `memtrace run --alloc --lines` or `--import memtrace/register` and MEMTRACE_LINES=1): only functions are known",
    };
  }
  if (!tracer.settings.lines) {
    return {
      functions: tracer.table.functions,
      totals: undefined,
      reason: 'the tracer runs without line probes (MEMTRACE_LINES=1 or --lines adds them): only functions are known',
    };
  }
  setLineTotals(true);
  return { functions: tracer.table.functions, totals: lineTotalsSoFar(), reason: undefined };
}
