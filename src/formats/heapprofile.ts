/**
 * `.heapprofile`: Chrome DevTools' SamplingHeapProfile as JSON ({ head, samples }), what
 * `node --heap-prof` writes and DevTools' Memory panel loads. memtrace writes it with memtrace's and
 * the inspector's own subtrees taken out and positions mapped to the original source (the file URL
 * and 0-based line and column of where each function starts).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { TraceFileError } from '../errors.js';
import type { FrameResolver } from '../alloc/frames.js';
import type { SamplingHeapProfile, SamplingHeapProfileNode } from '../alloc/sampler.js';

/** The profile as memtrace writes it: own subtrees out, original positions. */
export function compensatedHeapProfile(profile: SamplingHeapProfile, resolver: FrameResolver): SamplingHeapProfile {
  const kept = new Set<number>();
  const copy = (node: SamplingHeapProfileNode): SamplingHeapProfileNode | undefined => {
    const frame = resolver.resolve(node.callFrame);
    if (frame.kind === 'memtrace' || frame.kind === 'profiler') return undefined;
    kept.add(node.id);
    const url = frame.kind === 'js' && isAbsolute(frame.file) ? pathToFileURL(frame.file).href : node.callFrame.url;
    return {
      callFrame: {
        ...node.callFrame,
        url,
        lineNumber: frame.line === null ? node.callFrame.lineNumber : frame.line - 1,
        columnNumber: frame.column === null ? node.callFrame.columnNumber : frame.column - 1,
      },
      selfSize: node.selfSize,
      id: node.id,
      children: node.children.map(copy).filter((child): child is SamplingHeapProfileNode => child !== undefined),
    };
  };
  const head = copy(profile.head)!;
  return { head, samples: profile.samples.filter((s) => kept.has(s.nodeId)) };
}

export function formatHeapProfile(profile: SamplingHeapProfile): string {
  return JSON.stringify(profile);
}

function isNode(value: unknown): value is SamplingHeapProfileNode {
  const node = value as SamplingHeapProfileNode;
  return typeof node === 'object' && node !== null && typeof node.id === 'number' && typeof node.selfSize === 'number'
    && typeof node.callFrame === 'object' && node.callFrame !== null && typeof node.callFrame.functionName === 'string'
    && Array.isArray(node.children);
}

/** Reads and checks a .heapprofile (the whole tree: a node without callFrame, id or selfSize is an error). */
export function readHeapProfile(path: string): SamplingHeapProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TraceFileError(path, code ? `cannot read: ${code}` : `not a .heapprofile (not JSON: ${(error as Error).message})`);
  }
  const profile = parsed as SamplingHeapProfile;
  if (typeof profile !== 'object' || profile === null || !isNode(profile.head)) {
    throw new TraceFileError(path, 'not a .heapprofile (expected a SamplingHeapProfile: { head: { callFrame, selfSize, id, children }, samples })');
  }
  const stack: unknown[] = [profile.head];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isNode(node)) throw new TraceFileError(path, 'not a .heapprofile (a node lacks callFrame, selfSize, id or children)');
    stack.push(...node.children);
  }
  if (profile.samples !== undefined && !Array.isArray(profile.samples)) throw new TraceFileError(path, 'not a .heapprofile (samples is not an array)');
  return { head: profile.head, samples: profile.samples ?? [] };
}
