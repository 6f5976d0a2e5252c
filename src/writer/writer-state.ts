/**
 * What the threads that write a trace share besides the event buffer: which events file is current
 * (rotation under --max-trace-size), a fault that stopped event rows (full disk, deleted directory),
 * the rows that never reached a file, and the lock that keeps a checkpoint of the summaries from
 * landing after the final ones. Plain shared words, written off the hot path only.
 */

/** Int32 words. */
export const enum Word {
  /** Bumped at each rotation: a thread whose events file is older reopens events.csv. */
  Generation = 0,
  /** The Fault that stopped event rows (0: none). Set once, by compare-and-swap. */
  Fault,
  /** 1 while a thread writes functions.csv and meta.json. */
  SummaryLock,
  /** 1 once the final summaries are being written: no checkpoint after that. */
  Final,
  /** The times the probes waited for the writer (EventBuffer.waits), copied each second. */
  WriterWaits,
  Count,
}

/** Float64 numbers. */
export const enum Figure {
  /** Rows handed to the writer but not written because a fault stopped event rows. */
  RowsNotWritten = 0,
  /** Rows in event files deleted by rotation (the oldest under --max-trace-size). */
  RowsRotatedOut,
  /** Rotations so far. */
  Rotations,
  /** Rows in each kept events file: FileRows + 0 is events.csv, + k is events.k.csv. */
  FileRows,
}

export const enum Fault {
  None = 0,
  DiskFull = 1,
  DirectoryDeleted = 2,
  WriteError = 3,
}

/** Events files kept under a size cap: events.csv and events.1.csv … events.(EVENT_FILES-1).csv. */
export const EVENT_FILES = 4;
/** The highest heap_used of any event row handed to the writer (meta.json events.peakHeapUsed). */
export const PEAK_HEAP_FIGURE = Figure.FileRows + EVENT_FILES;
const FIGURE_COUNT = PEAK_HEAP_FIGURE + 1;

export interface WriterStateShared {
  words: SharedArrayBuffer;
  figures: SharedArrayBuffer;
}

export class WriterState {
  readonly words: Int32Array;
  readonly figures: Float64Array;

  constructor(shared?: WriterStateShared) {
    this.words = new Int32Array(shared?.words ?? new SharedArrayBuffer(Word.Count * 4));
    this.figures = new Float64Array(shared?.figures ?? new SharedArrayBuffer(FIGURE_COUNT * 8));
  }

  get shared(): WriterStateShared {
    return { words: this.words.buffer as SharedArrayBuffer, figures: this.figures.buffer as SharedArrayBuffer };
  }

  get fault(): Fault {
    return Atomics.load(this.words, Word.Fault);
  }

  /** Records `fault`; true for the one thread that recorded it first (which says so, once). */
  setFault(fault: Fault): boolean {
    return Atomics.compareExchange(this.words, Word.Fault, Fault.None, fault) === Fault.None;
  }

  /**
   * Runs `write` holding the summary lock, unless the final summaries were begun (checkpoints) or
   * another thread holds it; returns whether it ran.
   */
  tryCheckpoint(write: () => void): boolean {
    if (Atomics.compareExchange(this.words, Word.SummaryLock, 0, 1) !== 0) return false;
    try {
      if (Atomics.load(this.words, Word.Final) === 1) return false;
      write();
      return true;
    } finally {
      Atomics.store(this.words, Word.SummaryLock, 0);
      Atomics.notify(this.words, Word.SummaryLock);
    }
  }

  /** From now on no checkpoint is written; waits (up to `timeoutMs`) for one being written. */
  beginFinal(timeoutMs: number): void {
    Atomics.store(this.words, Word.Final, 1);
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(this.words, Word.SummaryLock) === 1 && Date.now() < deadline) Atomics.wait(this.words, Word.SummaryLock, 1, 20);
  }

  /** Checkpoints may be written again (the program handled a signal and goes on). */
  endFinal(): void {
    Atomics.store(this.words, Word.Final, 0);
  }
}
