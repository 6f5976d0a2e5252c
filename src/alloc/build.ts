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
import type { Frame } from './frames.js';
import { FrameResolver } from './frames.js';
import type { AllocationTrace, Compensation, LineMethod, SnapshotData, StackNode } from './model.js';
import type { SamplingHeapProfile, SamplingHeapProfileNode } from '../formats/heap-profile.js';

export interface BuildOptions {
  kind: 'total' | 'live';
  samplingInterval: number;
  stackDepth: number;
  resolver: FrameResolver;
  /** Per-line byte counts of the traced functions over the same period, when line probes ran. */
  lineTotals?: readonly LineTotal[];
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
  self: number[];
  callee: number[];
}

export function buildSnapshot(profile: SamplingHeapProfile, options: BuildOptions): SnapshotData {
  const frames: Frame[] = [];
  const frameIndex = new Map<Frame, number>();
  const stacks: StackNode[] = [];
  const stackIndex = new Map<string, number>();
  const nodes = new Map<number, NodeInfo>();

  const internFrame = (frame: Frame): number => {
    let index = frameIndex.get(frame);
    if (index === undefined) {
      index = frames.push(frame) - 1;
      frameIndex.set(frame, index);
    }
    return index;
  };
  const internStack = (parent: number, frame: number): number => {
    const key = `${parent}:${frame}`;
    let id = stackIndex.get(key);
    if (id === undefined) {
      id = stacks.push({ frame, parent }) - 1;
      stackIndex.set(key, id);
    }
    return id;
  };

  // Walk the tree keeping the path of resolved frames. A sample is memtrace's own (subtracted) when
  // the nearest frame with source above it is memtrace's or the inspector session's: the program's
  // code called from traceAllocations() stays the program's. memtrace's frames are not shown in
  // stacks, nor V8's pseudo-frames; builtin leaves fold into their caller's site.
  const walk = (node: SamplingHeapProfileNode, path: Frame[], own: boolean, sourceAbove: boolean): void => {
    const frame = options.resolver.resolve(node.callFrame);
    const isOwn = frame.kind === 'memtrace' || frame.kind === 'profiler' ? true : frame.kind === 'js' && !options.resolver.isRuntimeDependency(frame) ? false : own;
    const shown = frame.kind === 'vm' || frame.kind === 'memtrace' || frame.kind === 'profiler' ? path : [...path, frame];
    const withSource = sourceAbove || frame.kind === 'js' || frame.kind === 'node';
    let site = -1;
    let siteFrame: Frame | undefined;
    if (!isOwn) {
      // The site: this frame unless it is a builtin called from a frame with source (then the
      // builtins at the end of the path fold into the nearest frame with source).
      let end = shown.length;
      if (withSource) while (end > 1 && shown[end - 1]!.kind === 'builtin') end--;
      const sitePath = shown.slice(Math.max(0, end - options.stackDepth), end);
      for (const f of sitePath) site = internStack(site, internFrame(f));
      siteFrame = sitePath[sitePath.length - 1];
    }
    nodes.set(node.id, { site, siteFrame });
    for (const child of node.children) walk(child, shown, isOwn, withSource);
  };
  walk(profile.head, [], false, false);

  // Samples as V8 counts them for its own selfSize: a sample's size is the bytes it stands for (V8
  // 11-13 record about one sampling interval per sample, so the sizes add up to the bytes allocated).
  const bySite = new Map<number, { bytes: number; count: number }>();
  const compensation: Compensation = { bytes: 0, count: 0, what: "samples whose stack holds memtrace's own code or the inspector session (node:inspector)" };
  const after = options.afterOrdinal ?? -1;
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

  // V8's sample sizes add up to more than was allocated where objects are not small against the
  // interval (+15-20 % for 8 KiB objects at 16 KiB here): where the exact figure is known, the samples
  // only share it out.
  let scale = 1;
  const sampled = compensation.bytes + [...bySite.values()].reduce((sum, s) => sum + s.bytes, 0);
  if (options.exactBytes !== undefined && options.exactBytes > 0 && sampled > 0) {
    scale = options.exactBytes / sampled;
    compensation.bytes *= scale;
    for (const sum of bySite.values()) sum.bytes *= scale;
  }

  const weights = lineWeights(options.lineTotals);
  const traces: AllocationTrace[] = [];
  for (const [stack, sum] of bySite) {
    const w = weightsFor(weights, { frames, stacks }, stack);
    const selfTotal = w ? w.self.reduce((a, b) => a + b, 0) : 0;
    if (!w || selfTotal <= 0) {
      traces.push({ stack, line: null, bytes: sum.bytes, count: sum.count, calleeShare: 1 });
      continue;
    }
    const calleeTotal = w.callee.reduce((a, b) => a + b, 0);
    w.lines.forEach((line, i) => {
      const share = w.self[i]! / selfTotal;
      if (share <= 0) return;
      traces.push({ stack, line, bytes: sum.bytes * share, count: sum.count * share, calleeShare: calleeTotal > 0 ? w.callee[i]! / calleeTotal : share });
    });
  }
  // Sites with callees but no samples of their own still need their lines' callee shares (for the
  // inclusive figures): they appear with zero self bytes.
  for (let stack = 0; stack < stacks.length; stack++) {
    if (bySite.has(stack)) continue;
    const w = weightsFor(weights, { frames, stacks }, stack);
    const calleeTotal = w ? w.callee.reduce((a, b) => a + b, 0) : 0;
    if (!w || calleeTotal <= 0) continue;
    w.lines.forEach((line, i) => {
      if (w.callee[i]! > 0) traces.push({ stack, line, bytes: 0, count: 0, calleeShare: w.callee[i]! / calleeTotal });
    });
  }

  const lines: LineMethod = options.lineTotals
    ? { method: 'line-probes' }
    : { method: 'none', reason: options.noLinesReason ?? 'no line probes ran: only functions are known' };
  return {
    kind: options.kind,
    samplingInterval: options.samplingInterval,
    stackDepth: options.stackDepth,
    frames,
    stacks,
    traces,
    lines,
    compensation,
    scale,
    takenAt: new Date().toISOString(),
  };
}

/** Per function: its lines' bytes under each nearest measured caller, and under all callers (key ALL). */
const ALL = -2;

function lineWeights(totals: readonly LineTotal[] | undefined): Map<number, Map<number, LineWeights>> {
  const byFunction = new Map<number, Map<number, LineWeights>>();
  const add = (byCaller: Map<number, LineWeights>, caller: number, total: LineTotal): void => {
    let w = byCaller.get(caller);
    if (!w) byCaller.set(caller, (w = { lines: [], self: [], callee: [] }));
    let at = w.lines.indexOf(total.line);
    if (at < 0) {
      at = w.lines.push(total.line) - 1;
      w.self.push(0);
      w.callee.push(0);
    }
    w.self[at]! += Math.max(0, total.selfBytes);
    w.callee[at]! += Math.max(0, total.calleeBytes);
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
function weightsFor(weights: Map<number, Map<number, LineWeights>>, data: { frames: Frame[]; stacks: StackNode[] }, stack: number): LineWeights | undefined {
  const frame = data.frames[data.stacks[stack]!.frame]!;
  const byCaller = frame.functionId === undefined ? undefined : weights.get(frame.functionId);
  if (!byCaller) return undefined;
  for (let at = data.stacks[stack]!.parent; at >= 0; at = data.stacks[at]!.parent) {
    const caller = data.frames[data.stacks[at]!.frame]!.functionId;
    if (caller === undefined) continue;
    const w = byCaller.get(caller);
    if (w) return w;
  }
  return byCaller.get(ALL);
}

/** Per-line totals over a period: `after` less `before` (both cumulative, from lineTotalsSoFar()). */
export function lineTotalsBetween(before: readonly LineTotal[], after: readonly LineTotal[]): LineTotal[] {
  const start = new Map(before.map((t) => [`${t.functionId}:${t.callerId}:${t.line}`, t]));
  return after.map((t) => {
    const b = start.get(`${t.functionId}:${t.callerId}:${t.line}`);
    return b ? { ...t, selfBytes: t.selfBytes - b.selfBytes, calleeBytes: t.calleeBytes - b.calleeBytes } : t;
  });
}
