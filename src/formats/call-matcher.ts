/**
 * Pairs events.csv rows into calls as they stream by: a return (or throw) closes the latest open call
 * of its function in its async context. A call is whole only where both its call and its return rows
 * are there, which the trigger decides (`--trigger 0` writes every row). The bytes of a call are its
 * rows' d_allocated (calibrated), line and await rows included.
 *
 * Memory stays bounded: calls still open are at most MAX_OPEN_CALLS (a call row whose return row the
 * trigger left out never closes; past the limit all open calls are dropped, counted in `forgotten`).
 */
import type { EventRow } from './events-csv.js';

export interface MatchedCall {
  /** When the call row was written. */
  startNs: number;
  /** The return or throw row (the same function, file and line as the call row). */
  end: EventRow;
  /** Bytes allocated during the call, callees included (the sum of its rows' d_allocated). */
  allocatedBytes: number;
}

/** Numbers only: a row's strings are slices of a whole chunk of the file, which holding a row would keep alive. */
interface OpenCall {
  startNs: number;
  allocatedBytes: number;
}

const MAX_OPEN_CALLS = 1_000_000;
/** Function ids are below 2^20 in any real program; the key stays an exact number for async ids below 2^33. */
const ID_SPACE = 1 << 20;

export class CallMatcher {
  /** Open calls forgotten to keep memory bounded. */
  forgotten = 0;
  private readonly open = new Map<number, OpenCall[]>();
  private openCount = 0;

  /**
   * Feeds the next row. Returns the call a return or throw row closes, null for a return or throw
   * whose call row is not there, and undefined for every other row.
   */
  add(row: EventRow): MatchedCall | null | undefined {
    if (row.event === 'label') return undefined;
    const key = row.asyncId * ID_SPACE + (row.functionId ?? 0);
    if (row.event === 'call') {
      let stack = this.open.get(key);
      if (!stack) this.open.set(key, (stack = []));
      stack.push({ startNs: row.timeNs, allocatedBytes: row.dAllocated });
      if (++this.openCount > MAX_OPEN_CALLS) this.forgetOpenCalls();
      return undefined;
    }
    const stack = this.open.get(key);
    const top = stack?.[stack.length - 1];
    if (row.event !== 'return' && row.event !== 'throw') {
      if (top) top.allocatedBytes += row.dAllocated;
      return undefined;
    }
    if (!top) return null;
    stack!.pop();
    this.openCount--;
    if (stack!.length === 0) this.open.delete(key);
    return { startNs: top.startNs, end: row, allocatedBytes: top.allocatedBytes + row.dAllocated };
  }

  private forgetOpenCalls(): void {
    this.forgotten += this.openCount;
    this.open.clear();
    this.openCount = 0;
  }
}
