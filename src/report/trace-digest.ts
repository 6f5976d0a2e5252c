/**
 * What the HTML report shows of events.csv, gathered in one streaming pass in bounded memory: memory
 * over time as min/max time buckets (timeline.ts), the labels (the first MAX_LABELS), and the calls
 * that allocated most (a top-N kept while reading). The row counts behind each view go with it, so
 * the page can say how much data a chart stands for.
 */
import type { EventRow } from '../formats/events-csv.js';
import { CallMatcher, type MatchedCall } from '../formats/call-matcher.js';
import { MinMaxTimeline } from './timeline.js';

export interface LargestCall {
  function: string;
  file: string;
  line: number | null;
  asyncId: number;
  startNs: number;
  durationNs: number;
  allocatedBytes: number;
  threw: boolean;
}

export interface TraceDigest {
  /** Rows read, labels included. */
  rows: number;
  /** Memory over time, one timeline per column (rss, external and array buffers only where read). */
  heapUsed: MinMaxTimeline;
  allocated: MinMaxTimeline;
  rss: MinMaxTimeline;
  external: MinMaxTimeline;
  arrayBuffers: MinMaxTimeline;
  /** The first labels, and how many there were in all. */
  labels: Array<{ timeNs: number; text: string }>;
  labelCount: number;
  /** `allocated` at the last row (NaN without rows). */
  lastAllocated: number;
  /** Whole calls (call and return rows both there), and the largest of them by bytes, largest first. */
  calls: number;
  largestCalls: LargestCall[];
}

export interface DigestOptions {
  /** Time buckets of the memory timelines (default 2000). */
  buckets?: number;
  /** How many of the largest calls to keep (default 100). */
  topCalls?: number;
}

const MAX_LABELS = 1000;

/** Feed rows in file order with add(); digest() gives the result. */
export class EventDigester {
  private readonly result: TraceDigest;
  private readonly matcher = new CallMatcher();
  private readonly topCalls: number;
  /** Index of the smallest kept call once the list is full. */
  private smallest = -1;

  constructor(options: DigestOptions = {}) {
    const buckets = options.buckets ?? 2000;
    this.topCalls = options.topCalls ?? 100;
    this.result = {
      rows: 0,
      heapUsed: new MinMaxTimeline(buckets),
      allocated: new MinMaxTimeline(buckets),
      rss: new MinMaxTimeline(buckets),
      external: new MinMaxTimeline(buckets),
      arrayBuffers: new MinMaxTimeline(buckets),
      labels: [],
      labelCount: 0,
      lastAllocated: Number.NaN,
      calls: 0,
      largestCalls: [],
    };
  }

  add(row: EventRow): void {
    const r = this.result;
    r.rows++;
    if (row.event === 'label') {
      if (r.labelCount++ < MAX_LABELS) r.labels.push({ timeNs: row.timeNs, text: detached(row.function) });
      return;
    }
    r.heapUsed.add(row.timeNs, row.heapUsed);
    r.allocated.add(row.timeNs, row.allocated);
    if (row.rss !== null) r.rss.add(row.timeNs, row.rss);
    if (row.external !== null) r.external.add(row.timeNs, row.external);
    if (row.arrayBuffers !== null) r.arrayBuffers.add(row.timeNs, row.arrayBuffers);
    r.lastAllocated = row.allocated;
    const matched = this.matcher.add(row);
    if (!matched) return;
    r.calls++;
    this.keepIfLarge(matched);
  }

  digest(): TraceDigest {
    this.result.largestCalls.sort((a, b) => b.allocatedBytes - a.allocatedBytes || a.startNs - b.startNs);
    this.smallest = -1;
    return this.result;
  }

  private keepIfLarge(matched: MatchedCall): void {
    const kept = this.result.largestCalls;
    const full = kept.length === this.topCalls;
    if (full && matched.allocatedBytes <= kept[this.smallest].allocatedBytes) return;
    const { end } = matched;
    const call: LargestCall = {
      function: detached(end.function),
      file: detached(end.file),
      line: end.line,
      asyncId: end.asyncId,
      startNs: matched.startNs,
      durationNs: end.timeNs - matched.startNs,
      allocatedBytes: matched.allocatedBytes,
      threw: end.event === 'throw',
    };
    if (full) kept[this.smallest] = call;
    else kept.push(call);
    if (kept.length === this.topCalls) this.smallest = indexOfSmallest(kept);
  }
}

/**
 * A copy of a row's string that does not keep the file's chunk alive: V8 makes the cells of a split
 * line slices of the whole chunk (1 MiB), so a kept cell would keep its chunk (100 kept calls, 100 MiB).
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function indexOfSmallest(calls: readonly LargestCall[]): number {
  let at = 0;
  for (let i = 1; i < calls.length; i++) if (calls[i].allocatedBytes < calls[at].allocatedBytes) at = i;
  return at;
}

/** Digests every batch of rows (as readEventBatches gives them). */
export async function digestEvents(batches: AsyncIterable<EventRow[]>, options: DigestOptions = {}): Promise<TraceDigest> {
  const digester = new EventDigester(options);
  for await (const batch of batches) for (const row of batch) digester.add(row);
  return digester.digest();
}
