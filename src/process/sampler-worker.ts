/**
 * The in-process logger's worker thread: every interval it reads this process's /proc figures, asks
 * the main thread for its heap figures (heap-sampler.ts), takes the GCs logged since the last sample,
 * and appends the rows. It runs on its own event loop, so a main thread that never yields does not
 * stop it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProcessCsvWriter, emptyRow, type GcKind, type ProcessRow } from '../formats/process-csv.js';
import { ProcFiles, commandLine, sampleRow } from './proc-reader.js';
import { GC_FIELDS, GC_RING, Slot, loadSamplerBinding } from './heap-sampler.js';

export interface SamplerWorkerData {
  buffer: SharedArrayBuffer;
  native: boolean;
  intervalS: number;
  out: string;
  /** Seconds between USS/PSS reads (0: never). */
  smapsIntervalS: number;
  /** process.hrtime.bigint() at the start of the log, as a number of ns: time_s counts from there. */
  startNs: number;
}

export type SamplerMessage = { type: 'label'; text: string } | { type: 'stop' };

const data = workerData as SamplerWorkerData;
const values = new Float64Array(data.buffer);
const binding = data.native ? loadSamplerBinding() : null;
const writer = new ProcessCsvWriter(data.out, true, true);
const command = commandLine(process.pid, 'node');
const files = new ProcFiles(process.pid, command);
let smapsAt = Number.NEGATIVE_INFINITY;
const labels: string[] = [];
const intervalNs = data.intervalS * 1e9;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const GC_KINDS: Record<number, GcKind> = { 1: 'minor', 2: 'major', 3: 'incremental', 4: 'weak' };
let gcRead = 0;
let ticks = 0;
let timer: NodeJS.Timeout | undefined;

const now = (): number => Number(process.hrtime.bigint());
const seconds = (ns: number): number => (ns - data.startNs) / 1e9;

/** Asks the main thread for its heap figures (native); returns the request's number, or 0. */
function requestHeap(): number {
  return binding?.requestSample() ? values[Slot.Requested] : 0;
}

/**
 * Whether the heap figures in the buffer answer `request`, waiting for them up to 0.9 of the interval
 * after `requestedAt` (V8 serves no interrupt during a GC, and a loaded machine may not run the main
 * thread for a while; the row is then written that much later). Pure JS: whether the main thread's
 * timer wrote them lately.
 */
function heapAnswered(request: number, requestedAt: number): boolean {
  if (!binding) return now() - values[Slot.SampleTimeNs] < 2 * intervalNs + 5e6;
  if (request === 0) return false;
  const deadline = requestedAt + Math.min(intervalNs * 0.9, 100e6);
  while (values[Slot.Done] < request) {
    if (now() > deadline) return false;
    Atomics.wait(sleeper, 0, 0, 0.1);
  }
  return true;
}

function gcRows(ppid: number): ProcessRow[] {
  const written = values[Slot.GcWritten];
  const rows: ProcessRow[] = [];
  // A ring: GCs more than GC_RING behind are gone (a thousand GCs in one interval).
  for (let i = Math.max(gcRead, written - GC_RING); i < written; i++) {
    const at = Slot.GcHeaderEnd + (i % GC_RING) * GC_FIELDS;
    const before = values[at + 3];
    const after = values[at + 4];
    rows.push({
      ...emptyRow(seconds(values[at + 1]), process.pid, ppid, command),
      gcKind: GC_KINDS[values[at]] ?? 'weak',
      gcDurationS: values[at + 2] / 1e9,
      gcBefore: Number.isNaN(before) ? null : before,
      gcAfter: Number.isNaN(after) ? null : after,
    });
  }
  gcRead = written;
  return rows;
}

function sample(): void {
  // The heap is asked for first and waited for last, so the /proc reads happen meanwhile.
  const timeNs = now();
  const request = requestHeap();
  const smaps = data.smapsIntervalS > 0 && timeNs - smapsAt >= data.smapsIntervalS * 0.999e9;
  if (smaps) smapsAt = timeNs;
  const proc = files.sample(smaps);
  const ppid = proc?.ppid ?? process.ppid;
  const row = proc ? sampleRow(seconds(timeNs), proc) : emptyRow(seconds(timeNs), process.pid, ppid, command);
  row.label = labels.splice(0).join('; ');
  if (heapAnswered(request, timeNs)) {
    row.heapUsed = values[Slot.HeapUsed];
    row.heapTotal = values[Slot.HeapTotal];
    row.external = values[Slot.External];
    row.arrayBuffers = values[Slot.ArrayBuffers];
  }
  writer.write([...gcRows(ppid), row]);
}

function schedule(): void {
  const elapsed = now() - data.startNs;
  ticks = Math.max(ticks + 1, Math.ceil(elapsed / intervalNs));
  timer = setTimeout(
    () => {
      sample();
      schedule();
    },
    Math.max(0, (ticks * intervalNs - elapsed) / 1e6),
  );
}

parentPort!.on('message', (message: SamplerMessage) => {
  if (message.type === 'label') {
    labels.push(message.text);
  } else {
    clearTimeout(timer);
    sample();
    writer.close();
    parentPort!.close();
  }
});
schedule();
parentPort!.postMessage('ready');
