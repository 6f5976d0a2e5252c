/**
 * The ring buffer between the probes and the writer: columns of doubles in a SharedArrayBuffer, in two
 * halves. The probes fill one half while the writer thread formats the other; a full half is handed
 * over with an atomic flag and a notify, so the hot path never allocates, formats or touches a file.
 *
 * Hot path: reserve() and commit() are called from the probes; keep them to array stores and one
 * comparison.
 */

import { EventColumn } from '../shared/layouts.js';

/** Control words (Int32) shared with the writer. */
export const enum Control {
  /** State of half 0 and half 1: see HalfState. */
  State0 = 0,
  State1 = 1,
  /** Rows in a handed-over half. */
  Rows0 = 2,
  Rows1 = 3,
  /** Age of a handed-over half, so halves are written in order. */
  Age0 = 4,
  Age1 = 5,
  /** Incremented and notified at each hand-over; the writer waits on it. */
  Signal = 6,
  /** Set by the writer when it is ready. */
  WriterReady = 7,
  /** 1 when the tracer is stopping: the writer drains and exits. */
  Stop = 8,
  Words = 9,
}

export const enum HalfState {
  Filling = 0,
  Full = 1,
  Writing = 2,
}

export interface EventBufferShared {
  data: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** One double: the seq of the next row written, shared by whichever thread writes. */
  sequence: SharedArrayBuffer;
  halfRows: number;
}

export class EventBuffer {
  readonly data: Float64Array;
  readonly control: Int32Array;
  readonly halfRows: number;
  readonly sequence = new SharedArrayBuffer(8);
  /** Times the probes had to wait for the writer to free a half. */
  waits = 0;
  /**
   * [0] the next row, [1] the end of the half being filled: in a typed array, so the native probes
   * write rows too (they set a flag instead of handing a full half over; see handOverFull).
   */
  readonly position = new Int32Array(2);
  private half = 0;
  private age = 0;
  /** Called while waiting for a half; the tracer writes it itself when there is no writer thread. */
  onBlocked?: () => void;

  constructor(halfRows: number) {
    this.halfRows = halfRows;
    this.data = new Float64Array(new SharedArrayBuffer(2 * halfRows * EventColumn.COUNT * 8));
    this.control = new Int32Array(new SharedArrayBuffer(Control.Words * 4));
    this.position[1] = halfRows;
  }

  get shared(): EventBufferShared {
    return {
      data: this.data.buffer as SharedArrayBuffer,
      control: this.control.buffer as SharedArrayBuffer,
      sequence: this.sequence,
      halfRows: this.halfRows,
    };
  }

  /** Where the next row goes; the caller fills EventColumn.COUNT doubles from there, then calls commit(). */
  reserve(): number {
    return this.position[0] * EventColumn.COUNT;
  }

  commit(): void {
    if (++this.position[0] === this.position[1]) this.switchHalves();
  }

  /** Hands over the half that a native probe's row just filled. */
  handOverFull(): void {
    if (this.position[0] === this.position[1]) this.switchHalves();
  }

  /** Rows waiting in the half being filled. */
  get pendingRows(): number {
    return this.position[0] - this.half * this.halfRows;
  }

  /** Hands the half being filled to the writer, however full; used when flushing. */
  handOverCurrent(): number {
    const half = this.half;
    if (this.pendingRows > 0) this.switchHalves();
    return half;
  }

  private switchHalves(): void {
    const control = this.control;
    const full = this.half;
    Atomics.store(control, Control.Rows0 + full, this.position[0] - full * this.halfRows);
    Atomics.store(control, Control.Age0 + full, ++this.age);
    Atomics.store(control, Control.State0 + full, HalfState.Full);
    Atomics.add(control, Control.Signal, 1);
    Atomics.notify(control, Control.Signal);
    const next = 1 - full;
    // Nothing is dropped: when the writer is behind, the program waits for it.
    if (Atomics.load(control, Control.State0 + next) !== HalfState.Filling) this.waits++;
    while (Atomics.load(control, Control.State0 + next) !== HalfState.Filling) {
      this.onBlocked?.();
      Atomics.wait(control, Control.State0 + next, Atomics.load(control, Control.State0 + next), 50);
    }
    this.half = next;
    this.position[0] = next * this.halfRows;
    this.position[1] = this.position[0] + this.halfRows;
  }
}
