/**
 * Per-function totals (one record per function id in a Float64Array) and the measuring policy.
 *
 * Policy: a function is measured exactly for its first calls. One that then averages few bytes and
 * little time per call is only counted from then on: its bytes and time roll up into its nearest
 * measured caller, so inclusive totals stay exact while tiny hot functions stop paying ~200 ns per
 * reading. Every ResampleEvery-th call of a counted function is still measured, and one such call that
 * allocates PromoteBytes or more brings the function back to being measured at every call.
 * MEMTRACE_EXACT=1 measures every call.
 */
import { Stat } from '../shared/layouts.js';

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
  /**
   * One record of Stat.STRIDE doubles per function id (src/shared/layouts.ts); replaced when it grows. On a
   * SharedArrayBuffer: the writer thread formats functions.csv checkpoints from it while the probes
   * add to it (src/writer/summaries.ts), so the traced thread pays nothing for them.
   */
  table: Float64Array<ArrayBuffer>;

  /**
   * `table`: another thread's table, read as it stands. `memory` 'local': an ArrayBuffer, for a trace
   * without checkpoints (MEMTRACE_CHECKPOINT_MS=0), which nothing reads while it runs.
   */
  constructor(
    table?: SharedArrayBuffer,
    private readonly memory: 'shared' | 'local' = 'shared',
  ) {
    this.table = table ? doublesOn(table) : this.allocate(0);
  }

  /** The table's memory, for the writer thread (again each time it grows); undefined where local. */
  get shared(): SharedArrayBuffer | undefined {
    return this.memory === 'shared' ? (this.table.buffer as unknown as SharedArrayBuffer) : undefined;
  }

  private allocate(doubles: number): Float64Array<ArrayBuffer> {
    return this.memory === 'shared' ? doublesOn(new SharedArrayBuffer(doubles * 8)) : new Float64Array(doubles);
  }

  get capacity(): number {
    return this.table.length / Stat.STRIDE;
  }

  /** Makes room for ids below `size`. Not on the hot path: called as modules register. */
  ensure(size: number): void {
    if (size <= this.capacity) return;
    const capacity = Math.max(size, this.capacity * 2, 256);
    const grown = this.allocate(capacity * Stat.STRIDE);
    grown.set(this.table);
    this.table = grown;
  }

  get(id: number, field: Stat): number {
    return this.table[id * Stat.STRIDE + field];
  }

  set(id: number, field: Stat, value: number): void {
    this.table[id * Stat.STRIDE + field] = value;
  }

  /** A measured call of a function on probation ended. */
  observe(id: number, bytes: number, ns: number): void {
    const t = this.table;
    const at = id * Stat.STRIDE;
    const calls = ++t[at + Stat.PROBATION_CALLS];
    // Only what calls were seen to allocate: V8's used-heap figure moves in steps of allocation
    // buffers on Node 24 (a reading can hand the rest of one back), so one call of an allocating
    // function may read 0 or less and another a whole buffer. The mean of the positive readings does
    // not let such a function pass for one that allocates nothing.
    t[at + Stat.PROBATION_BYTES] += Math.max(bytes, 0);
    t[at + Stat.PROBATION_NS] += ns;
    if (calls < Policy.Probation) return;
    if (t[at + Stat.PROBATION_BYTES] / calls < Policy.DemoteBytes && t[at + Stat.PROBATION_NS] / calls < Policy.DemoteNs) {
      t[at + Stat.COUNTDOWN] = Policy.ResampleEvery;
    } else {
      // Keep measuring, and judge again on the next window of calls.
      t[at + Stat.PROBATION_CALLS] = 0;
      t[at + Stat.PROBATION_BYTES] = 0;
      t[at + Stat.PROBATION_NS] = 0;
    }
  }

  promote(id: number): void {
    const at = id * Stat.STRIDE;
    this.table[at + Stat.COUNTDOWN] = 0;
    this.table[at + Stat.PROBATION_CALLS] = 0;
    this.table[at + Stat.PROBATION_BYTES] = 0;
    this.table[at + Stat.PROBATION_NS] = 0;
  }

  /** Clears a function's figures (the calibration's own functions). */
  reset(id: number): void {
    for (const field of [
      Stat.CALLS,
      Stat.MEASURED_CALLS,
      Stat.SELF_ALLOC,
      Stat.TOTAL_ALLOC,
      Stat.MAX_HEAP_GROWTH,
      Stat.SELF_TIME,
      Stat.TOTAL_TIME,
    ])
      this.set(id, field, 0);
    this.promote(id);
  }
}

/** Typed as on an ArrayBuffer, as the probes' arrays are (the probes read and write it the same way). */
function doublesOn(buffer: SharedArrayBuffer): Float64Array<ArrayBuffer> {
  return new Float64Array(buffer) as unknown as Float64Array<ArrayBuffer>;
}
