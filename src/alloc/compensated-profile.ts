/**
 * The sampled profile as memtrace writes it to allocations.heapprofile: memtrace's and the inspector's
 * own subtrees taken out, positions mapped to the original source (the file URL and 0-based line and
 * column of where each function starts).
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { FrameResolver } from './frames.js';
import type { SamplingHeapProfile, SamplingHeapProfileNode } from '../formats/heap-profile.js';

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
