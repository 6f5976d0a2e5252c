/**
 * Per-function totals (typed arrays indexed by function id) and the measuring policy.
 *
 * Policy: a function is measured exactly for its first calls. One that then averages few bytes and
 * little time per call is only counted from then on: its bytes and time roll up into its nearest
 * measured caller, so inclusive totals stay exact while tiny hot functions stop paying ~200 ns per
 * reading. Every ResampleEvery-th call of a counted function is still measured, and one such call that
 * allocates PromoteBytes or more brings the function back to being measured at every call.
 * MEMTRACE_EXACT=1 measures every call.
 */
import type { FunctionRow } from '../formats/functions-csv.js';
import type { FunctionInfo } from './function-table.js';

export const enum Policy {
  /** Calls measured before a function may be demoted. */
  Probation = 32,
  /** Demote when the mean calibrated bytes per call is below this... */
  DemoteBytes = 256,
  /** ...and the mean time per call below this (ns). */
  DemoteNs = 2000,
  ResampleEvery = 1024,
  PromoteBytes = 4096,
}

export class FunctionStats {
  calls = new Float64Array(0);
  measuredCalls = new Float64Array(0);
  selfAlloc = new Float64Array(0);
  totalAlloc = new Float64Array(0);
  maxHeapGrowth = new Float64Array(0);
  selfTime = new Float64Array(0);
  totalTime = new Float64Array(0);
  /** Activations in progress (recursion). */
  active = new Int32Array(0);
  /**
   * Calls left before a counted function's next measured call; 0 while a function is measured (so
   * this is also the function's mode).
   */
  countdown = new Int32Array(0);
  /** Bytes, ns and calls seen during probation (public for the native probes, which judge too). */
  probationBytes = new Float64Array(0);
  probationNs = new Float64Array(0);
  probationCalls = new Int32Array(0);

  get capacity(): number {
    return this.calls.length;
  }

  /** Makes room for ids below `size`. Not on the hot path: called as modules register. */
  ensure(size: number): void {
    if (size <= this.calls.length) return;
    const capacity = Math.max(size, this.calls.length * 2, 256);
    this.calls = grow(this.calls, capacity);
    this.measuredCalls = grow(this.measuredCalls, capacity);
    this.selfAlloc = grow(this.selfAlloc, capacity);
    this.totalAlloc = grow(this.totalAlloc, capacity);
    this.maxHeapGrowth = grow(this.maxHeapGrowth, capacity);
    this.selfTime = grow(this.selfTime, capacity);
    this.totalTime = grow(this.totalTime, capacity);
    this.active = grow(this.active, capacity);
    this.countdown = grow(this.countdown, capacity);
    this.probationBytes = grow(this.probationBytes, capacity);
    this.probationNs = grow(this.probationNs, capacity);
    this.probationCalls = grow(this.probationCalls, capacity);
  }

  /** A measured call of a function on probation ended. */
  observe(id: number, bytes: number, ns: number): void {
    const calls = ++this.probationCalls[id]!;
    // Only what calls were seen to allocate: V8's used-heap figure moves in steps of allocation
    // buffers on Node 24 (a reading can hand the rest of one back), so one call of an allocating
    // function may read 0 or less and another a whole buffer. The mean of the positive readings does
    // not let such a function pass for one that allocates nothing.
    this.probationBytes[id]! += bytes > 0 ? bytes : 0;
    this.probationNs[id]! += ns;
    if (calls < Policy.Probation) return;
    if (this.probationBytes[id]! / calls < Policy.DemoteBytes && this.probationNs[id]! / calls < Policy.DemoteNs) {
      this.countdown[id] = Policy.ResampleEvery;
    } else {
      // Keep measuring, and judge again on the next window of calls.
      this.probationCalls[id] = 0;
      this.probationBytes[id] = 0;
      this.probationNs[id] = 0;
    }
  }

  promote(id: number): void {
    this.countdown[id] = 0;
    this.probationCalls[id] = 0;
    this.probationBytes[id] = 0;
    this.probationNs[id] = 0;
  }

  /** Clears a function's figures (the calibration's own functions). */
  reset(id: number): void {
    for (const column of [this.calls, this.measuredCalls, this.selfAlloc, this.totalAlloc, this.maxHeapGrowth, this.selfTime, this.totalTime]) column[id] = 0;
    this.promote(id);
  }

  rows(functions: readonly FunctionInfo[], skip: (id: number) => boolean): FunctionRow[] {
    const rows: FunctionRow[] = [];
    for (let id = 0; id < functions.length && id < this.capacity; id++) {
      if (this.calls[id] === 0 || skip(id)) continue;
      const info = functions[id]!;
      rows.push({
        function: info.name,
        file: info.file,
        line: info.line,
        column: info.column,
        calls: this.calls[id]!,
        measuredCalls: this.measuredCalls[id]!,
        selfAllocBytes: this.selfAlloc[id]!,
        totalAllocBytes: this.totalAlloc[id]!,
        maxHeapGrowthBytes: this.maxHeapGrowth[id]!,
        selfTimeNs: this.selfTime[id]!,
        totalTimeNs: this.totalTime[id]!,
      });
    }
    return rows;
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(array: T, capacity: number): T {
  const grown = new (array.constructor as new (n: number) => T)(capacity);
  grown.set(array);
  return grown;
}
