/**
 * From V8's sampling heap profile to a snapshot: frames resolved to original positions, memtrace's
 * and the profiler's own samples taken out (and counted), builtins folded into the statement that
 * called them, and each site's sampled bytes split over its statements by the tracer's exact
 * per-line byte counts where the function was traced with line probes.
 *
 * Why the split: V8 samples a stack of functions whose positions are where the functions start; it
 * never says which statement allocated. The line probes count, exactly, the bytes each statement of
 * a traced function allocated itself (callees left out). A site's samples are shared among its
 * statements in proportion to those counts; a function with no probe data keeps `line: null`.
 */
import type { LineTotal } from '../runtime/line-totals.js';
import type { Frame } from '../formats/allocation-model.js';
import type { FrameResolver } from './frames.js';
import type { AllocationTrace, Compensation, LineMethod, SnapshotData, StackNode } from '../formats/allocation-model.js';
import type { SamplingHeapProfile, SamplingHeapProfileNode } from '../formats/heap-profile.js';

export interface BuildOptions {
  kind: 'total' | 'live';
  samplingInterval: number;
  stackDepth: number;
  resolver: FrameResolver;
  /** Per-line byte counts of the traced functions over the same period, when line probes ran. */
  lineTotals?: readonly LineTotal[];
  /** The line totals come from sampled statements (`--alloc` without `--lines`). */
  sampledLines?: boolean;
  /** Why there are no line totals (said in the snapshot). */
  noLinesReason?: string;
  /** Only samples with a larger ordinal (those taken after a moment). */
  afterOrdinal?: number;
  /**
   * Bytes allocated over the same period, exactly (memtrace's allocation counter; 'total' snapshots
   * only): the sampled sizes are scaled to add up to it.
   */
  exactBytes?: number;
}

interface NodeInfo {
  /** Site stack id, or -1 for a node whose samples are memtrace's own. */
  site: number;
  /** The site's frame (for the line split). */
  siteFrame: Frame | undefined;
}

interface LineWeights {
  lines: number[];
  /** The statements' columns, beside their lines. */
  columns: number[];
  self: number[];
  callee: number[];
}

export function buildSnapshot(profile: SamplingHeapProfile, options: BuildOptions): SnapshotData {
  const sites = new SiteTable();
  const nodes = siteOfEveryNode(profile, options, sites);
  const { bySite, compensation } = sumSamplesBySite(profile, nodes, options.afterOrdinal ?? -1);
  const scale = scaleToExactBytes(bySite, compensation, options.exactBytes);
  const traces = splitOverLines(bySite, sites, lineWeights(options.lineTotals));
  const lines: LineMethod = options.lineTotals
    ? { method: options.sampledLines ? 'sampled-line-probes' : 'line-probes' }
    : { method: 'none', reason: options.noLinesReason ?? 'no line probes ran: only functions are known' };
  return {
    kind: options.kind,
    samplingInterval: options.samplingInterval,
    stackDepth: options.stackDepth,
    frames: sites.frames,
    stacks: sites.stacks,
    traces,
    lines,
    compensation,
    scale,
    takenAt: new Date().toISOString(),
  };
}

/** The frames and site stacks of a snapshot, each stored once. */
class SiteTable {
  readonly frames: Frame[] = [];
  readonly stacks: StackNode[] = [];
  private readonly frameIndex = new Map<Frame, number>();
  private readonly stackIndex = new Map<string, number>();

  frame(frame: Frame): number {
    let index = this.frameIndex.get(frame);
    if (index === undefined) {
      index = this.frames.push(frame) - 1;
      this.frameIndex.set(frame, index);
    }
    return index;
  }

  /** The stack of `frame` called from stack `parent` (-1: a root). */
  stack(parent: number, frame: number): number {
    const key = `${parent}:${frame}`;
    let id = this.stackIndex.get(key);
    if (id === undefined) {
      id = this.stacks.push({ frame, parent }) - 1;
      this.stackIndex.set(key, id);
    }
    return id;
  }
}

/**
 * The site of every node of the profile's tree, walked keeping the path of resolved frames. A sample
 * is memtrace's own (subtracted) when the nearest frame with source above it is memtrace's or the
 * inspector session's: the program's code called from traceAllocations() stays the program's.
 * memtrace's frames are not shown in stacks, nor V8's pseudo-frames; builtin leaves fold into their
 * caller's site.
 */
function siteOfEveryNode(profile: SamplingHeapProfile, options: BuildOptions, sites: SiteTable): Map<number, NodeInfo> {
  const nodes = new Map<number, NodeInfo>();
  const walk = (node: SamplingHeapProfileNode, path: Frame[], own: boolean, sourceAbove: boolean): void => {
    const frame = options.resolver.resolve(node.callFrame);
    const isOwn =
      frame.kind === 'memtrace' || frame.kind === 'profiler'
        ? true
        : frame.kind === 'js' && !options.resolver.isRuntimeDependency(frame)
          ? false
          : own;
    const shown = frame.kind === 'vm' || frame.kind === 'memtrace' || frame.kind === 'profiler' ? path : [...path, frame];
    const withSource = sourceAbove || frame.kind === 'js' || frame.kind === 'node';
    let site = -1;
    let siteFrame: Frame | undefined;
    if (!isOwn) {
      // The site: this frame unless it is a builtin called from a frame with source (then the
      // builtins at the end of the path fold into the nearest frame with source).
      let end = shown.length;
      if (withSource) while (end > 1 && shown[end - 1].kind === 'builtin') end--;
      const sitePath = shown.slice(Math.max(0, end - options.stackDepth), end);
      for (const f of sitePath) site = sites.stack(site, sites.frame(f));
      siteFrame = sitePath[sitePath.length - 1];
    }
    nodes.set(node.id, { site, siteFrame });
    for (const child of node.children) walk(child, shown, isOwn, withSource);
  };
  walk(profile.head, [], false, false);
  return nodes;
}

interface SiteSum {
  bytes: number;
  count: number;
}

/**
 * Samples as V8 counts them for its own selfSize: a sample's size is the bytes it stands for (V8
 * 11-13 record about one sampling interval per sample, so the sizes add up to the bytes allocated).
 * memtrace's own samples go to the compensation; only samples after `after` (an ordinal) count.
 */
function sumSamplesBySite(
  profile: SamplingHeapProfile,
  nodes: Map<number, NodeInfo>,
  after: number,
): { bySite: Map<number, SiteSum>; compensation: Compensation } {
  const bySite = new Map<number, SiteSum>();
  const compensation: Compensation = {
    bytes: 0,
    count: 0,
    what: "samples whose stack holds memtrace's own code or the inspector session (node:inspector)",
  };
  for (const sample of profile.samples) {
    if (sample.ordinal <= after) continue;
    const info = nodes.get(sample.nodeId);
    if (!info) continue;
    if (info.site < 0) {
      compensation.bytes += sample.size;
      compensation.count++;
      continue;
    }
    const sum = bySite.get(info.site) ?? { bytes: 0, count: 0 };
    sum.bytes += sample.size;
    sum.count++;
    bySite.set(info.site, sum);
  }
  return { bySite, compensation };
}

/**
 * V8's sample sizes add up to more than was allocated where objects are not small against the
 * interval (+15-20 % for 8 KiB objects at 16 KiB here): where the exact figure is known, the samples
 * only share it out. Scales the sums in place; returns the factor (1 when nothing is known).
 */
function scaleToExactBytes(bySite: Map<number, SiteSum>, compensation: Compensation, exactBytes: number | undefined): number {
  const sampled = compensation.bytes + [...bySite.values()].reduce((sum, s) => sum + s.bytes, 0);
  if (exactBytes === undefined || exactBytes <= 0 || sampled <= 0) return 1;
  const scale = exactBytes / sampled;
  compensation.bytes *= scale;
  for (const sum of bySite.values()) sum.bytes *= scale;
  return scale;
}

/**
 * A trace per site and statement: a site's bytes shared among its statements in proportion to their
 * exact per-line counts (`line: null` where the function had no line probes). Sites with callees but
 * no samples of their own still get their lines' callee shares (for the inclusive figures), with zero
 * self bytes.
 */
function splitOverLines(bySite: Map<number, SiteSum>, sites: SiteTable, weights: Map<number, Map<number, LineWeights>>): AllocationTrace[] {
  const table = { frames: sites.frames, stacks: sites.stacks };
  const traces: AllocationTrace[] = [];
  for (const [stack, sum] of bySite) {
    const w = weightsFor(weights, table, stack);
    const selfTotal = w ? w.self.reduce((a, b) => a + b, 0) : 0;
    if (!w || selfTotal <= 0) {
      traces.push({ stack, line: null, column: null, bytes: sum.bytes, count: sum.count, calleeShare: 1 });
      continue;
    }
    const calleeTotal = w.callee.reduce((a, b) => a + b, 0);
    w.lines.forEach((line, i) => {
      const share = w.self[i] / selfTotal;
      if (share <= 0) return;
      traces.push({
        stack,
        line,
        column: w.columns[i],
        bytes: sum.bytes * share,
        count: sum.count * share,
        calleeShare: calleeTotal > 0 ? w.callee[i] / calleeTotal : share,
      });
    });
  }
  for (let stack = 0; stack < sites.stacks.length; stack++) {
    if (bySite.has(stack)) continue;
    const w = weightsFor(weights, table, stack);
    const calleeTotal = w ? w.callee.reduce((a, b) => a + b, 0) : 0;
    if (!w || calleeTotal <= 0) continue;
    w.lines.forEach((line, i) => {
      if (w.callee[i] > 0) traces.push({ stack, line, column: w.columns[i], bytes: 0, count: 0, calleeShare: w.callee[i] / calleeTotal });
    });
  }
  return traces;
}

/** Per function: its lines' bytes under each nearest measured caller, and under all callers (key ALL). */
const ALL = -2;

function lineWeights(totals: readonly LineTotal[] | undefined): Map<number, Map<number, LineWeights>> {
  const byFunction = new Map<number, Map<number, LineWeights>>();
  const add = (byCaller: Map<number, LineWeights>, caller: number, total: LineTotal): void => {
    let w = byCaller.get(caller);
    if (!w) byCaller.set(caller, (w = { lines: [], columns: [], self: [], callee: [] }));
    let at = w.lines.findIndex((line, i) => line === total.line && w!.columns[i] === total.column);
    if (at < 0) {
      at = w.lines.push(total.line) - 1;
      w.columns.push(total.column);
      w.self.push(0);
      w.callee.push(0);
    }
    w.self[at] += Math.max(0, total.selfBytes);
    w.callee[at] += Math.max(0, total.calleeBytes);
  };
  for (const total of totals ?? []) {
    let byCaller = byFunction.get(total.functionId);
    if (!byCaller) byFunction.set(total.functionId, (byCaller = new Map()));
    add(byCaller, total.callerId, total);
    add(byCaller, ALL, total);
  }
  return byFunction;
}

/**
 * The line weights for a site: those recorded under the nearest traced caller in its stack that the
 * probes saw calling it (the probes know measured callers only), else those of every caller.
 */
function weightsFor(
  weights: Map<number, Map<number, LineWeights>>,
  data: { frames: Frame[]; stacks: StackNode[] },
  stack: number,
): LineWeights | undefined {
  const frame = data.frames[data.stacks[stack].frame];
  const byCaller = frame.functionId === undefined ? undefined : weights.get(frame.functionId);
  if (!byCaller) return undefined;
  for (let at = data.stacks[stack].parent; at >= 0; at = data.stacks[at].parent) {
    const caller = data.frames[data.stacks[at].frame].functionId;
    if (caller === undefined) continue;
    const w = byCaller.get(caller);
    if (w) return w;
  }
  return byCaller.get(ALL);
}

/** Per-line totals over a period: `after` less `before` (both cumulative, from lineTotalsSoFar()). */
export function lineTotalsBetween(before: readonly LineTotal[], after: readonly LineTotal[]): LineTotal[] {
  const key = (t: LineTotal): string => `${t.functionId}:${t.callerId}:${t.line}:${t.column}`;
  const start = new Map(before.map((t) => [key(t), t]));
  return after.map((t) => {
    const b = start.get(key(t));
    return b ? { ...t, selfBytes: t.selfBytes - b.selfBytes, calleeBytes: t.calleeBytes - b.calleeBytes } : t;
  });
}
