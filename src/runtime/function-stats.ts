/**
 * Per-function totals (one record per function id in a Float64Array) and the measuring policy.
 *
 * Policy: a function is measured exactly for its first calls. One that then averages few bytes and
 * little time per call is only counted from then on: its bytes and time roll up into its nearest
 * measured caller, so inclusive totals stay exact while tiny hot functions stop paying ~400 ns per
 * measured call. The first judgement comes after Probation calls, before V8 keeps type feedback for
 * the function (it does from about its 8th call): a call that reaches the runtime after that leaves
 * feedback for the measured path, and TurboFan then compiles that path into the function's optimised
 * code, which made every counted call slower (docs/decisions.md, "A counted function is judged before
 * V8 keeps feedback for it"). So a counted function stays counted: none of its later calls is measured
 * but one in ResampleEvery (the end of a stretch, which keeps the countdown in 32 bits). One that
 * stays measured is judged again on each window of Probation calls. MEMTRACE_EXACT=1 measures every
 * call.
 */
import { Stat } from '../shared/layouts.js';

export const enum Policy {
  /** Measured calls in each window of judgement: fewer than V8's 8 calls before it keeps feedback. */
  Probation = 4,
  /** Demote when the mean calibrated bytes per call is below this... */
  DemoteBytes = 256,
  /** ...and the mean time per call below this (ns). */
  DemoteNs = 2000,
  /** A counted function's stretch of counted calls; the call that ends it is measured. */
  ResampleEvery = 1 << 30,
  /** That call, allocating this much, makes its function measured again. */
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
   * One countdown per function id, after the table in the same memory: the traced code's entry
   * (transforms/probe-text.ts) decrements it and, while it stays above 0, the call is only counted,
   * in the traced function itself, without a call to the runtime. A measured function's stays at 0
   * (each call takes it to -1: the runtime's entry runs, and puts it back). Published to the traced
   * code as globalThis.__memtrace$d (probes.ts).
   */
  countdowns: Int32Array<ArrayBuffer>;

  /**
   * `memory`: another thread's table and countdowns, read as they stand. `memory` 'local': an
   * ArrayBuffer, for a trace without checkpoints (MEMTRACE_CHECKPOINT_MS=0), which nothing reads while it runs.
   */
  constructor(
    memory?: SharedArrayBuffer,
    private readonly kind: 'shared' | 'local' = 'shared',
  ) {
    const views = memory ? viewsOf(memory) : this.allocate(0);
    this.table = views.table;
    this.countdowns = views.countdowns;
  }

  /** The table's and countdowns' memory, for the writer thread (again each time it grows); undefined where local. */
  get shared(): SharedArrayBuffer | undefined {
    return this.kind === 'shared' ? (this.table.buffer as unknown as SharedArrayBuffer) : undefined;
  }

  private allocate(capacity: number): Views {
    const bytes = capacity * BYTES_PER_FUNCTION;
    return viewsOf(this.kind === 'shared' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  }

  get capacity(): number {
    return this.table.length / Stat.STRIDE;
  }

  /** Makes room for ids below `size`. Not on the hot path: called as modules register. */
  ensure(size: number): void {
    if (size <= this.capacity) return;
    const capacity = Math.max(size, this.capacity * 2, 256);
    const grown = this.allocate(capacity);
    grown.table.set(this.table);
    grown.countdowns.set(this.countdowns);
    this.table = grown.table;
    this.countdowns = grown.countdowns;
  }

  get(id: number, field: Stat): number {
    return this.table[id * Stat.STRIDE + field];
  }

  set(id: number, field: Stat, value: number): void {
    this.table[id * Stat.STRIDE + field] = value;
  }

  /** Calls of a function so far: those of its running stretch of counted calls too. */
  calls(id: number): number {
    return this.table[id * Stat.STRIDE + Stat.CALLS] + this.pending(id);
  }

  /** The counted calls of the running stretch (not yet in CALLS). */
  private pending(id: number): number {
    return Math.max(0, this.table[id * Stat.STRIDE + Stat.STRETCH] - this.countdowns[id]);
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
    // The means below the thresholds, compared without dividing, as native/probes.cc does.
    if (t[at + Stat.PROBATION_BYTES] < Policy.DemoteBytes * calls && t[at + Stat.PROBATION_NS] < Policy.DemoteNs * calls) {
      this.countFor(id, Policy.ResampleEvery);
    } else {
      // Keep measuring, and judge again on the next window of calls.
      t[at + Stat.PROBATION_CALLS] = 0;
      t[at + Stat.PROBATION_BYTES] = 0;
      t[at + Stat.PROBATION_NS] = 0;
    }
  }

  /** From now on only counts the function's calls, measuring one in `every` (a stretch starts). */
  countFor(id: number, every: number): void {
    const at = id * Stat.STRIDE;
    this.table[at + Stat.CALLS] += this.pending(id);
    this.table[at + Stat.STRETCH] = every;
    this.countdowns[id] = every;
  }

  promote(id: number): void {
    const at = id * Stat.STRIDE;
    this.table[at + Stat.CALLS] += this.pending(id);
    this.table[at + Stat.STRETCH] = 0;
    this.countdowns[id] = 0;
    this.table[at + Stat.PROBATION_CALLS] = 0;
    this.table[at + Stat.PROBATION_BYTES] = 0;
    this.table[at + Stat.PROBATION_NS] = 0;
  }

  /** Clears a function's figures (the calibration's own functions). */
  reset(id: number): void {
    this.promote(id);
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
  }
}

/** Bytes per function id: its record in the table, and its countdown. */
const BYTES_PER_FUNCTION = Stat.STRIDE * 8 + 4;

interface Views {
  table: Float64Array<ArrayBuffer>;
  countdowns: Int32Array<ArrayBuffer>;
}

/** The table (first) and the countdowns (after it) in one memory of BYTES_PER_FUNCTION per function. */
function viewsOf(memory: SharedArrayBuffer | ArrayBuffer): Views {
  const capacity = memory.byteLength / BYTES_PER_FUNCTION;
  // Typed as on an ArrayBuffer, as the probes' arrays are (the probes read and write them the same way).
  const buffer = memory as ArrayBuffer;
  return {
    table: new Float64Array(buffer, 0, capacity * Stat.STRIDE),
    countdowns: new Int32Array(buffer, capacity * Stat.STRIDE * 8, capacity),
  };
}
