/**
 * Writes full halves of the event buffer to events.csv, oldest first. The writer thread does this while
 * the program runs; the main thread does the same at exit (or when there is no writer thread). A half
 * is claimed with a compare-and-swap, so the two never write the same rows, and rows are written whole,
 * in appends of CHUNK_ROWS rows, so a killed process never leaves half a row.
 */
import { Control, HalfState, type EventBufferShared } from '../buffer/event-buffer.js';
import { EventColumn } from '../shared/layouts.js';
import { EventFormatter, type NativeEventFormat } from '../formats/events-csv.js';
import type { FunctionInfo } from '../runtime/function-table.js';
import { loadNativeAddon } from '../shared/native-addon.js';
import type { EventsFile } from './events-file.js';

function nativeFormat(): NativeEventFormat | null {
  const addon = loadNativeAddon();
  return addon && typeof addon.formatEvents === 'function' ? (addon as unknown as NativeEventFormat) : null;
}

/**
 * Rows formatted and written at a time (~0.7 MB of text). The kernel copied a whole half (65 536 rows,
 * ~10 MB) into the page cache at 0.4-0.8 GB/s in the traced process, pieces this size 20 times faster
 * (likely because a piece is still in the CPU's cache; bench/writer.js, docs/performance.md).
 */
export const CHUNK_ROWS = 4096;
const NO_TEXT = new Uint8Array(0);

/** The highest heap figure of `rows` rows from `first`, for rows that are not formatted (after a fault). */
function highestHeap(data: Float64Array, first: number, rows: number): number {
  let peak = 0;
  for (let row = first, end = first + rows; row < end; row++) {
    const heap = data[row * EventColumn.COUNT + EventColumn.HEAP]!;
    if (heap > peak) peak = heap;
  }
  return peak;
}

export class HalfWriter {
  readonly data: Float64Array;
  readonly control: Int32Array;
  readonly formatter: EventFormatter;
  written = 0;

  constructor(
    shared: EventBufferShared,
    private readonly file: EventsFile,
    functions: readonly FunctionInfo[],
    labels: readonly string[],
  ) {
    this.data = new Float64Array(shared.data);
    this.control = new Int32Array(shared.control);
    this.halfRows = shared.halfRows;
    this.formatter = new EventFormatter(functions, labels, new Float64Array(shared.sequence), nativeFormat());
  }

  private readonly halfRows: number;

  /** The handed-over halves, oldest first. */
  pending(): number[] {
    const halves = [0, 1].filter((h) => Atomics.load(this.control, Control.State0 + h) !== HalfState.Filling);
    return halves.sort((a, b) => Atomics.load(this.control, Control.Age0 + a) - Atomics.load(this.control, Control.Age0 + b));
  }

  /** Writes half `h` if it is full and nobody else claimed it; returns whether it did. */
  tryWrite(h: number): boolean {
    if (Atomics.compareExchange(this.control, Control.State0 + h, HalfState.Full, HalfState.Writing) !== HalfState.Full) return false;
    const rows = Atomics.load(this.control, Control.Rows0 + h);
    // The run's peak heap as the rows saw it (memtrace run --fail-over), off the traced thread: the
    // formatter takes it while it reads each row; rows that are only counted are scanned for it.
    this.formatter.peakHeap = 0;
    let unformattedPeak = 0;
    for (let done = 0; done < rows; done += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, rows - done);
      const first = h * this.halfRows + done;
      if (!this.file.faulted) {
        this.file.append(this.formatter.format(this.data, first, count), count);
      } else {
        // After a fault (this half's earlier pieces included) the rows are only counted (EventsFile).
        unformattedPeak = Math.max(unformattedPeak, highestHeap(this.data, first, count));
        this.file.append(NO_TEXT, count);
      }
    }
    this.file.notePeakHeap(Math.max(this.formatter.peakHeap, unformattedPeak));
    this.written += rows;
    Atomics.store(this.control, Control.State0 + h, HalfState.Filling);
    Atomics.notify(this.control, Control.State0 + h);
    return true;
  }

  /** Writes the full halves nobody is writing, oldest first; never waits. */
  writeFull(): void {
    for (const half of this.pending()) {
      if (!this.tryWrite(half)) return;
    }
  }

  /** Writes every handed-over half, waiting (up to `timeoutMs`) for one another thread is writing. */
  drain(timeoutMs: number): void {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const halves = this.pending();
      if (halves.length === 0) return;
      const oldest = halves[0];
      if (this.tryWrite(oldest)) continue;
      if (Date.now() > deadline) {
        // The other writer is gone mid-half: take the half over rather than lose it.
        Atomics.store(this.control, Control.State0 + oldest, HalfState.Full);
        continue;
      }
      Atomics.wait(this.control, Control.State0 + oldest, HalfState.Writing, 50);
    }
  }
}
