/**
 * events.csv as one thread appends to it: whole rows per write, disk blocks reserved ahead, and under
 * a size cap (--max-trace-size) rotation into events.1.csv … events.3.csv, keeping the newest rows.
 *
 * The traced thread (at exit) and the writer thread (while the program runs) each have one; they
 * never append at the same time (a half of the event buffer is claimed before it is written, oldest
 * first), and a thread that finds the generation moved on (another rotated) reopens events.csv.
 *
 * A write that fails (full disk, deleted directory, any other error) records a fault and never
 * throws: no half row stays behind (a short write is cut back to the last whole row written), and from
 * then on rows are counted as not written.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_HEADER } from '../formats/events-csv.js';
import { loadNativeAddon } from '../shared/native-addon.js';
import { faultOf, reportFault } from './write-faults.js';
import { EVENT_FILES, Fault, Figure, PEAK_HEAP_FIGURE, Word, type WriterState } from './writer-state.js';

/**
 * Disk blocks reserved ahead of events.csv's end (fallocate, the file's size unchanged): appending
 * into fresh blocks cost ext4 here four times what writing the same bytes into reserved ones did.
 * What is left reserved at the end is given back (close), and at once on a fault; a killed process
 * leaves at most this much reserved past the end of its file.
 */
const RESERVE_BYTES = 32 * 1024 * 1024;

/** The smallest --max-trace-size: each of the EVENT_FILES files holds at least this many bytes. */
export const MIN_EVENTS_FILE_BYTES = 64 * 1024;

interface Preallocate {
  preallocate(fd: number, offset: number, length: number): boolean;
}

function nativePreallocate(): Preallocate | null {
  const addon = loadNativeAddon() as unknown as Partial<Preallocate> | null;
  return addon && typeof addon.preallocate === 'function' ? (addon as Preallocate) : null;
}

/** events.csv, or events.K.csv (K files older). */
export function eventsFileName(k: number): string {
  return k === 0 ? 'events.csv' : `events.${k}.csv`;
}

export class EventsFile {
  readonly path: string;
  private fd = -1;
  private generation = -1;
  private reservedUntil = 0;
  private readonly native = nativePreallocate();
  /** Bytes per file under a cap (0: no cap, one file). */
  private readonly fileBytes: number;
  /** Rows of the current append not written yet (what a fault loses). */
  private unwritten = 0;

  /** `maxBytes`: the cap on all events files together (0: none). */
  constructor(
    readonly directory: string,
    private readonly state: WriterState,
    maxBytes: number,
  ) {
    this.path = join(directory, 'events.csv');
    this.fileBytes = maxBytes > 0 ? Math.max(MIN_EVENTS_FILE_BYTES, Math.floor(maxBytes / EVENT_FILES)) : 0;
  }

  /** Creates events.csv with its header (the tracer, at start); throws where it cannot. */
  create(): void {
    this.fd = openSync(this.path, 'a');
    writeSync(this.fd, EVENT_HEADER);
    this.generation = Atomics.load(this.state.words, Word.Generation);
  }

  /** Whether a fault stopped event rows (they are then only counted). */
  /** Notes the highest heap_used among rows handed over (written or not: a fault stops rows, not the figure). */
  notePeakHeap(heapUsed: number): void {
    if (heapUsed > this.state.figures[PEAK_HEAP_FIGURE]) this.state.figures[PEAK_HEAP_FIGURE] = heapUsed;
  }

  get faulted(): boolean {
    return this.state.fault !== Fault.None;
  }

  /** Appends whole rows (`rows` of them); never throws. */
  append(bytes: Uint8Array, rows: number): void {
    if (this.state.fault !== Fault.None) return this.notWritten(rows);
    this.unwritten = rows;
    try {
      this.follow();
      if (fstatSync(this.fd).nlink === 0) return this.fail(Fault.DirectoryDeleted);
      if (this.fileBytes === 0) this.write(bytes, rows);
      else this.appendCapped(bytes, rows);
    } catch (error) {
      this.fail(faultOf(error), error);
    }
  }

  /** Gives back the blocks reserved past the end and closes the file. */
  close(): void {
    if (this.fd < 0) return;
    try {
      // The current events.csv, where another thread rotated: its reservation goes back too.
      this.follow();
    } catch {
      // the directory is gone
    }
    this.release();
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = -1;
  }

  private appendCapped(bytes: Uint8Array, rows: number): void {
    let rest = bytes;
    let restRows = rows;
    while (rest.length > 0) {
      const size = fstatSync(this.fd).size;
      const room = this.fileBytes - size;
      if (rest.length <= room) {
        this.write(rest, restRows);
        return;
      }
      // The whole rows that fit, then a new file for the others.
      const cut = room > 0 ? rest.lastIndexOf(10, room - 1) + 1 : 0;
      const fileHasRows = size > EVENT_HEADER.length;
      if (cut > 0 || !fileHasRows) {
        // A row longer than a whole file goes in alone rather than nowhere.
        const end = cut > 0 ? cut : rest.indexOf(10) + 1 || rest.length;
        const part = rest.subarray(0, end);
        const partRows = end === rest.length ? restRows : countRows(part);
        this.write(part, partRows);
        rest = rest.subarray(end);
        restRows -= partRows;
      }
      if (rest.length > 0) this.rotate();
    }
  }

  private write(bytes: Uint8Array, rows: number): void {
    const before = fstatSync(this.fd).size;
    this.reserveFor(before, bytes.length);
    const written = writeSync(this.fd, bytes);
    if (written < bytes.length) {
      // A short write: the disk filled mid-rows. Keep the whole rows written, cut the half one.
      const whole = written > 0 ? bytes.lastIndexOf(10, written - 1) + 1 : 0;
      ftruncateSync(this.fd, before + whole);
      this.wrote(countRows(bytes.subarray(0, whole)));
      throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    }
    this.wrote(rows);
  }

  private wrote(rows: number): void {
    this.state.figures[Figure.FileRows] += rows;
    this.unwritten -= rows;
  }

  /**
   * events.csv becomes events.1.csv (and so on); the oldest beyond EVENT_FILES is deleted, its rows
   * counted in meta.json.
   */
  private rotate(): void {
    const figures = this.state.figures;
    this.release();
    closeSync(this.fd);
    const oldest = join(this.directory, eventsFileName(EVENT_FILES - 1));
    if (existsSync(oldest)) {
      unlinkSync(oldest);
      figures[Figure.RowsRotatedOut] += figures[Figure.FileRows + EVENT_FILES - 1];
    }
    for (let k = EVENT_FILES - 2; k >= 0; k--) {
      const from = join(this.directory, eventsFileName(k));
      if (existsSync(from)) renameSync(from, join(this.directory, eventsFileName(k + 1)));
      figures[Figure.FileRows + k + 1] = figures[Figure.FileRows + k];
    }
    figures[Figure.FileRows] = 0;
    figures[Figure.Rotations]++;
    Atomics.add(this.state.words, Word.Generation, 1);
    this.fd = -1;
    this.follow();
    writeSync(this.fd, EVENT_HEADER);
  }

  /** Opens the current events.csv where this thread's file is not it (first use, or another thread rotated). */
  private follow(): void {
    const generation = Atomics.load(this.state.words, Word.Generation);
    if (this.fd >= 0 && generation === this.generation) return;
    if (this.fd >= 0) closeSync(this.fd);
    // In a deleted directory this fails (ENOENT): a fault, not a new trace.
    this.fd = openSync(this.path, 'a');
    this.generation = generation;
    this.reservedUntil = 0;
  }

  /** Blocks reserved ahead of the file's end for the next `bytes` (the other thread appends too). */
  private reserveFor(size: number, bytes: number): void {
    if (!this.native) return;
    if (size + bytes <= this.reservedUntil) return;
    const length = this.fileBytes > 0 ? Math.min(RESERVE_BYTES, Math.max(bytes, this.fileBytes - size)) : RESERVE_BYTES;
    this.reservedUntil = this.native.preallocate(this.fd, size, length) ? size + length : 0;
  }

  /** The blocks reserved past the end go back (a rotation, a fault, the end). */
  private release(): void {
    this.reservedUntil = 0;
    try {
      ftruncateSync(this.fd, fstatSync(this.fd).size);
    } catch {
      // a file system without them
    }
  }

  private fail(fault: Fault, error?: unknown): void {
    reportFault(this.state, fault, this.path, error);
    if (this.fd >= 0) this.release();
    this.notWritten(this.unwritten);
  }

  private notWritten(rows: number): void {
    // One writer at a time (see the header), so a plain add.
    this.state.figures[Figure.RowsNotWritten] += rows;
  }
}

function countRows(bytes: Uint8Array): number {
  let rows = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) rows++;
  return rows;
}
