/**
 * The plain data of an allocation snapshot: frames, the call tree of allocation sites, and the
 * sampled bytes of each site by allocating statement. Serialisable; AllocationSnapshot
 * (alloc/allocation-snapshot.ts) wraps it, and the allocation files (allocations.csv, stacks.csv, pprof,
 * speedscope) are written from it and read back into it.
 */

/**
 * `js`: a function with a source file. `builtin`: V8's own (Map.prototype.set, Array.prototype.push).
 * `node`: Node's internals (node:…). `vm`: V8's pseudo-frames ((root), (program), (garbage collector)).
 * `memtrace`: memtrace's own code; `profiler`: the inspector session's (both left out of the figures).
 */
export type FrameKind = 'js' | 'builtin' | 'node' | 'vm' | 'memtrace' | 'profiler';

export interface Frame {
  function: string;
  /** Absolute path for files, the URL for node: modules, '' for builtins. */
  file: string;
  /** Where the function starts (original source, 1-based); null where V8 gives no position. */
  line: number | null;
  column: number | null;
  kind: FrameKind;
  /** The tracer's function id (only where the tracer instruments the function). */
  functionId?: number;
}

/** A node of the call tree: a frame under its caller (parent -1 at the top). */
export interface StackNode {
  frame: number;
  parent: number;
}

/**
 * Sampled allocations at one site (the innermost frame with source, builtins it called folded into
 * it) and one statement of it.
 */
export interface AllocationTrace {
  /** The site's node in `stacks`. */
  stack: number;
  /** The allocating statement (original source line), or null where no line is known. */
  line: number | null;
  /** The statement's column (1-based, original source), where its line is known. */
  column: number | null;
  /** Estimated bytes: the sizes V8 gives its samples, added up (as V8's own selfSize). */
  bytes: number;
  /** Samples (fractional where a site's samples are shared among its statements). */
  count: number;
  /**
   * The part of the bytes this site's callees allocated that the statement's calls account for (0-1;
   * from the line probes; for a trace without a line, 1).
   */
  calleeShare: number;
}

/** How statements were found. */
export interface LineMethod {
  /**
   * 'line-probes': exact per-statement byte counts of traced functions split each site's samples
   * (`--lines`); 'sampled-line-probes': the same counts from a sample of the statements that ran, in
   * the functions seen allocating (`--alloc`; docs/allocations.md gives the error); 'none': no split.
   */
  method: 'line-probes' | 'sampled-line-probes' | 'none';
  /** Why lines are missing, when they are. */
  reason?: string;
}

/** What was left out of the figures as memtrace's own (or the profiler's) allocations. */
export interface Compensation {
  bytes: number;
  count: number;
  /** In words: which frames' samples were subtracted. */
  what: string;
}

export interface SnapshotData {
  /** 'total': every sampled allocation (collected ones kept); 'live': those still alive when taken. */
  kind: 'total' | 'live';
  samplingInterval: number;
  stackDepth: number;
  frames: Frame[];
  stacks: StackNode[];
  traces: AllocationTrace[];
  lines: LineMethod;
  compensation: Compensation;
  /**
   * Factor applied to V8's sample sizes so they add up to the exact bytes allocated (memtrace's
   * allocation counter, where the snapshot covers a known period: a block, a whole run); 1 otherwise.
   */
  scale: number;
  takenAt: string;
}

/** The frames of a stack node, innermost first. */
export function framesOf(data: Pick<SnapshotData, 'frames' | 'stacks'>, stack: number): Frame[] {
  const frames: Frame[] = [];
  for (let at = stack; at >= 0; at = data.stacks[at].parent) frames.push(data.frames[data.stacks[at].frame]);
  return frames;
}
