/**
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json): one 'sampled'
 * profile in bytes, a stack per allocation site and statement weighted by its bytes. The innermost
 * frame of each stack is the allocating statement (its line), callers are where their functions start.
 */
import { readFileSync } from 'node:fs';
import { TraceFileError } from '../shared/errors.js';
import { framesOf, type SnapshotData } from './allocation-model.js';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  unit: 'bytes';
  startValue: number;
  endValue: number;
  /** Frame indexes, outermost first. */
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA;
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name?: string;
  activeProfileIndex?: number;
  exporter?: string;
}

export function speedscopeOf(data: SnapshotData, name: string, exporter: string): SpeedscopeFile {
  const frames: SpeedscopeFrame[] = [];
  const index = new Map<string, number>();
  const intern = (frame: SpeedscopeFrame): number => {
    const key = `${frame.name}\0${frame.file}\0${frame.line}\0${frame.col}`;
    let at = index.get(key);
    if (at === undefined) {
      at = frames.push(frame) - 1;
      index.set(key, at);
    }
    return at;
  };
  const samples: number[][] = [];
  const weights: number[] = [];
  for (const trace of data.traces) {
    const bytes = Math.round(trace.bytes);
    if (bytes <= 0) continue;
    const stack = framesOf(data, trace.stack).reverse();
    samples.push(
      stack.map((f, i) => {
        const leaf = i === stack.length - 1;
        const line = leaf && trace.line !== null ? trace.line : f.line;
        return intern({
          name: leaf && trace.line !== null ? `${f.function} :${trace.line}` : f.function,
          ...(f.file ? { file: f.file } : {}),
          ...(line !== null ? { line } : {}),
          ...(!(leaf && trace.line !== null) && f.column !== null ? { col: f.column } : {}),
        });
      }),
    );
    weights.push(bytes);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    $schema: SPEEDSCOPE_SCHEMA,
    shared: { frames },
    profiles: [{ type: 'sampled', name, unit: 'bytes', startValue: 0, endValue: total, samples, weights }],
    name,
    activeProfileIndex: 0,
    exporter,
  };
}

export function formatSpeedscope(file: SpeedscopeFile): string {
  return JSON.stringify(file);
}

/** Reads a speedscope file memtrace wrote (checks the schema URL and the sampled profiles' shape). */
export function readSpeedscope(path: string): SpeedscopeFile {
  let parsed: SpeedscopeFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as SpeedscopeFile;
  } catch (error) {
    throw new TraceFileError(path, `not a speedscope file (${(error as Error).message})`);
  }
  if (parsed?.$schema !== SPEEDSCOPE_SCHEMA || !Array.isArray(parsed.shared?.frames) || !Array.isArray(parsed.profiles)) {
    throw new TraceFileError(path, `not a speedscope file (expected $schema ${SPEEDSCOPE_SCHEMA}, shared.frames and profiles)`);
  }
  for (const profile of parsed.profiles) {
    if (profile.type !== 'sampled' || profile.samples.length !== profile.weights.length) {
      throw new TraceFileError(path, 'a speedscope profile that is not a sampled profile with one weight per sample');
    }
  }
  return parsed;
}
