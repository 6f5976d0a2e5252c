/**
 * `.heapprofile`: V8's sampling heap profile as JSON, the file `node --heap-prof` writes and Chrome
 * DevTools opens (the `HeapProfiler.SamplingHeapProfile` of the DevTools protocol), and the one set of
 * types for it: the file's shape (ids and samples optional) and the in-process sampler's (both there).
 * memtrace run --alloc writes one per run (src/alloc/compensated-profile.ts); the reports read them.
 */
import { readFileSync } from 'node:fs';
import { TraceFileError } from '../shared/errors.js';

/** Where a node's function is (the DevTools protocol's Runtime.CallFrame). */
export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  /** 0-based; the function's start (V8's `(` of its parameters), not the allocating line. */
  lineNumber: number;
  columnNumber: number;
}

export interface HeapProfileNode {
  callFrame: CallFrame;
  /** Bytes of the samples taken in this function itself. */
  selfSize: number;
  id?: number;
  children: HeapProfileNode[];
}

export interface HeapProfileSample {
  /** The allocation's size in bytes (one sample, not scaled). */
  size: number;
  nodeId: number;
  /** Order of the sample in the run: later samples have larger ordinals. */
  ordinal: number;
}

/** A profile as a file holds it: node ids and samples may be missing (older writers leave them out). */
export interface HeapProfile {
  head: HeapProfileNode;
  samples?: HeapProfileSample[];
}

/** A profile as V8's sampler returns it in process (src/alloc/sampler.ts): every id and sample there. */
export interface SamplingHeapProfileNode extends HeapProfileNode {
  id: number;
  children: SamplingHeapProfileNode[];
}

export interface SamplingHeapProfile extends HeapProfile {
  head: SamplingHeapProfileNode;
  samples: HeapProfileSample[];
}

export function readHeapProfile(path: string): HeapProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TraceFileError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let profile: unknown;
  try {
    profile = JSON.parse(text);
  } catch (error) {
    throw new TraceFileError(path, `not a heap profile: not JSON (${(error as Error).message})`);
  }
  const problem = heapProfileProblem(profile);
  if (problem) throw new TraceFileError(path, `not a heap profile: ${problem}`);
  return profile as HeapProfile;
}

export function formatHeapProfile(profile: HeapProfile): string {
  return JSON.stringify(profile);
}

/** What makes `value` not a sampling heap profile, or undefined. Checks every node (iteratively). */
export function heapProfileProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('head' in value)) return 'no "head" node';
  const pending: unknown[] = [value.head];
  while (pending.length > 0) {
    const node = pending.pop() as Record<string, unknown> | null;
    if (typeof node !== 'object' || node === null) return 'a node is not an object';
    const frame = node.callFrame as Record<string, unknown> | undefined;
    if (
      typeof frame !== 'object' ||
      frame === null ||
      typeof frame.functionName !== 'string' ||
      typeof frame.url !== 'string' ||
      typeof frame.lineNumber !== 'number' ||
      typeof frame.columnNumber !== 'number'
    ) {
      return 'a node has no callFrame {functionName, url, lineNumber, columnNumber}';
    }
    if (typeof node.selfSize !== 'number') return 'a node has no selfSize';
    if (node.id !== undefined && typeof node.id !== 'number') return "a node's id is not a number";
    if (!Array.isArray(node.children)) return 'a node has no children list';
    for (const child of node.children as unknown[]) pending.push(child);
  }
  const samples = (value as { samples?: unknown }).samples;
  if (samples === undefined) return undefined;
  if (!Array.isArray(samples)) return '"samples" is not a list';
  for (const sample of samples as unknown[]) {
    const { size, nodeId } = (sample ?? {}) as Record<string, unknown>;
    if (typeof size !== 'number' || typeof nodeId !== 'number') return 'a sample has no {size, nodeId}';
  }
  return undefined;
}
