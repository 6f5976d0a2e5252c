/**
 * The Perfetto reporter: DIR/trace.json from a trace directory's meta.json and events.csv, written as
 * events.csv is read (a chunk at a time), so a trace of any size converts in bounded memory.
 *
 * Perfetto's loaders have limits of their own (docs/report.md): the UI in a browser runs in about
 * 2 GB of WebAssembly memory, which a JSON trace of a few hundred megabytes fills; Chrome's trace
 * viewer reads the file into one string (at most 2^29 characters on 64-bit V8). So a window can be
 * cut: `from`/`to` (seconds since the tracer started, or label names) and `function` (a glob of
 * function names), and a warning goes out once the file passes WARN_BYTES.
 */
import { createWriteStream, openSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { ReportWriteError, SettingError } from '../shared/errors.js';
import { ChromeTraceConverter, chromeTraceTrailer, type TraceEvent } from '../formats/chrome-trace.js';
import type { CsvReadOptions } from '../formats/csv-rows.js';
import { readEventFileBatches, type EventRow } from '../formats/events-csv.js';
import { readTrace } from '../formats/trace-directory.js';
import { formatBytes } from '../shared/units.js';

/** Where Perfetto's in-browser UI and Chrome's viewer start to fail on JSON traces (see docs/report.md). */
export const WARN_BYTES = 512 * 1024 * 1024;

/** trace.json bytes per events.csv byte, measured on the bench/scale traces (151 MB from 94 MB: 1.6). */
const JSON_PER_CSV_BYTE = 1.6;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // the reader reports a missing file
  }
}

export interface TraceJsonOptions {
  /** Default DIR/trace.json. */
  out?: string;
  /** Start of the window: seconds since the tracer started, or the name of a label (its first occurrence). */
  from?: string;
  /** End of the window: seconds, or a label (its first occurrence after the window starts). */
  to?: string;
  /** Only calls of functions whose name matches this glob (picomatch), and memory at their rows. */
  function?: string;
  reading?: CsvReadOptions;
  /** One-line warnings (the file passed WARN_BYTES, a label that never came). */
  onWarning?: (line: string) => void;
}

/** One end of the window: a time, or a label to wait for. */
type Edge = { timeNs: number } | { label: string };

function edgeOf(flag: string, text: string | undefined): Edge | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (text.trim() === '' || seconds < 0)
    throw new SettingError(flag, text, 'seconds since the tracer started (a number, 0 or more) or a label name');
  return Number.isNaN(seconds) ? { label: text } : { timeNs: seconds * 1e9 };
}

/** Decides, row by row, whether a row is inside the window. */
class Window {
  started: boolean;
  ended = false;

  constructor(
    private readonly from: Edge | undefined,
    private readonly to: Edge | undefined,
  ) {
    this.started = from === undefined;
  }

  /** Whether `row` is inside; after the end, every row is outside (and the reader may stop). */
  contains(row: EventRow): boolean {
    if (this.ended) return false;
    if (!this.started) {
      this.started = reached(this.from!, row);
      // The label that opens the window is inside it, and does not also close it when --to names it too.
      if (!this.started || 'label' in this.from!) return this.started;
    }
    if (this.to && reached(this.to, row)) {
      this.ended = true;
      return 'label' in this.to;
    }
    return true;
  }
}

function reached(edge: Edge, row: EventRow): boolean {
  return 'label' in edge ? row.event === 'label' && row.function === edge.label : row.timeNs >= edge.timeNs;
}

/** Buffers JSON text and writes it in large pieces, waiting when the file cannot keep up. */
class JsonFile {
  bytes = 0;
  private pending: string[] = [];
  private pendingLength = 0;
  private readonly stream;
  private failure: unknown;

  constructor(readonly path: string) {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (error) {
      throw new ReportWriteError(path, error);
    }
    this.stream = createWriteStream(path, { fd });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  add(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
  }

  async flush(force = false): Promise<void> {
    if (this.pendingLength === 0 || (!force && this.pendingLength < 1 << 20)) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.bytes += Buffer.byteLength(chunk);
    if (!this.stream.write(chunk)) await this.until('drain');
    this.check();
  }

  private check(): void {
    if (this.failure !== undefined) throw new ReportWriteError(this.path, this.failure);
  }

  /** Waits for `event`; a write error while waiting is a ReportWriteError. */
  private async until(event: string): Promise<void> {
    try {
      await once(this.stream, event);
    } catch (error) {
      throw new ReportWriteError(this.path, error);
    }
  }

  /** Closes and deletes the file: an error part way leaves no half a trace.json. */
  async discard(): Promise<void> {
    if (!this.stream.closed) {
      this.stream.destroy();
      await once(this.stream, 'close').catch(() => undefined);
    }
    await rm(this.path, { force: true });
  }

  async close(): Promise<void> {
    await this.flush(true);
    this.stream.end();
    await this.until('close');
    this.check();
  }
}

/** Whether a function name matches the --function glob, remembered by name (a trace repeats a few thousand names). */
function functionFilter(glob: string | undefined): (name: string) => boolean {
  if (glob === undefined) return () => true;
  const matcher = picomatch(glob, { dot: true });
  const known = new Map<string, boolean>();
  return (name) => {
    let matches = known.get(name);
    if (matches === undefined) {
      matches = matcher(name);
      if (known.size < 100_000) known.set(name, matches);
    }
    return matches;
  };
}

/** Writes DIR/trace.json (or `out`) and returns its path. */
export async function writeTraceJson(directory: string, options: TraceJsonOptions = {}): Promise<string> {
  const from = edgeOf('--from', options.from);
  const to = edgeOf('--to', options.to);
  const matchesFunction = functionFilter(options.function);
  const trace = readTrace(directory);
  const out = options.out ?? join(directory, 'trace.json');
  const file = new JsonFile(out);
  let written = 0;
  const converter = new ChromeTraceConverter(trace.meta, (event: TraceEvent) => {
    file.add(written++ === 0 ? `{"traceEvents":[\n${JSON.stringify(event)}` : `,\n${JSON.stringify(event)}`);
  });
  converter.names();
  const window = new Window(from, to);
  const tooBig = `Perfetto's UI in a browser may fail to open it; cut a window with --from/--to/--function, or open it with trace_processor --httpd (docs/report.md)`;
  // Without a window the size is known ahead: about JSON_PER_CSV_BYTE times events.csv.
  const expected =
    from || to || options.function !== undefined ? 0 : trace.eventFiles.reduce((sum, path) => sum + fileSize(path), 0) * JSON_PER_CSV_BYTE;
  let warned = expected > WARN_BYTES;
  if (warned) options.onWarning?.(`memtrace: ${out} will be about ${formatBytes(expected)}, past ${formatBytes(WARN_BYTES)}: ${tooBig}`);
  try {
    reading: for await (const batch of readEventFileBatches(trace.eventFiles, options.reading)) {
      for (const row of batch) {
        const inside = window.contains(row);
        if (window.ended && !inside) break reading;
        converter.add(row, inside && (row.event === 'label' || matchesFunction(row.function)));
      }
      await file.flush();
      if (!warned && file.bytes > WARN_BYTES) {
        warned = true;
        options.onWarning?.(`memtrace: ${out} is past ${formatBytes(WARN_BYTES)}: ${tooBig}`);
      }
    }
  } catch (error) {
    await file.discard();
    throw error;
  }
  file.add(`\n],${JSON.stringify(chromeTraceTrailer(trace.meta)).slice(1)}\n`);
  await file.close();
  if (from && !window.started)
    options.onWarning?.(
      `memtrace: ${out}: the window never started: no ${'label' in from ? `label ${JSON.stringify(from.label)}` : `row at or after ${options.from} s`} in ${trace.eventFiles.at(-1)}`,
    );
  return out;
}
