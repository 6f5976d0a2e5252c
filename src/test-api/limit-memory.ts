/**
 * limitMemory(limit, fn, options): runs a block and fails when its memory went over a limit
 * (pytest-memray's limit_memory). Three figures, by `options.measure`:
 * - 'peak' (default): the highest program memory (V8 heap less JIT code, plus external memory)
 *   during the block, above what it was at the start (memory-reading.ts says how the highest point
 *   is seen). A young-generation collection first, so garbage made before the block and collected
 *   during it does not hide the block's own growth.
 * - 'allocated': bytes the block allocated on the V8 heap, collected or not, with the tracer's
 *   GC-corrected counters (used heap plus what GCs freed).
 * - 'retained': program memory still alive after the block, each side after a full collection.
 * The allocation sampler runs during the block for the failure message (attribution.ts).
 */
import { InvalidArgumentError, MemoryLimitError } from '../shared/errors.js';
import { formatBytes } from '../shared/units.js';
import { parseBytes } from '../shared/sizes.js';
import { allocatedSoFar, memoryCounters } from '../runtime/counters.js';
import { fullGc, minorGc } from '../runtime/force-gc.js';
import { startAttribution } from './attribution.js';
import { PeakWatch, readProgramMemory } from './memory-reading.js';

export type Measure = 'peak' | 'allocated' | 'retained';

export interface LimitMemoryOptions {
  /** Which figure is held to the limit (default 'peak'). */
  measure?: Measure;
  /** Sample allocations during the block to say where the memory came from (default true). */
  attribution?: boolean;
}

const MEASURES: readonly Measure[] = ['peak', 'allocated', 'retained'];

const DESCRIPTIONS: Record<Measure, string> = {
  peak: 'peak: the highest V8 heap + external memory during the block, above the start',
  allocated: 'allocated: bytes allocated on the V8 heap during the block, collected or not',
  retained: 'retained: V8 heap + external memory still alive after the block, each side after a full GC',
};

/** A limit as bytes: a number, or a size such as '32 MiB' or '512 KB' (shared/sizes.ts parseBytes). */
export function limitBytes(functionName: string, limit: unknown): number {
  const bytes = typeof limit === 'number' ? limit : typeof limit === 'string' ? parseBytes(limit) : undefined;
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) {
    throw new InvalidArgumentError(
      functionName,
      `the limit ${JSON.stringify(limit)} is not a size: give bytes (a number) or a string such as '32 MiB' or '512 KB'`,
    );
  }
  return bytes;
}

function checkMeasure(measure: unknown): Measure {
  if (!MEASURES.includes(measure as Measure)) {
    throw new InvalidArgumentError(
      'limitMemory',
      `measure ${JSON.stringify(measure)} is not one of ${MEASURES.map((m) => `'${m}'`).join(', ')}`,
    );
  }
  return measure as Measure;
}

/** One block measured: its result and its figure in bytes. */
interface Measured<T> {
  value: T;
  bytes: number;
  note: string;
}

async function measureBlock<T>(measure: Measure, fn: () => T | Promise<T>): Promise<Measured<Awaited<T>>> {
  if (measure === 'allocated') {
    const counters = memoryCounters();
    const before = allocatedSoFar(counters);
    const value = await fn();
    const bytes = allocatedSoFar(counters) - before;
    return { value, bytes, note: `${counters.kind} counters` };
  }
  if (measure === 'retained') {
    fullGc();
    const before = readProgramMemory();
    const value = await fn();
    fullGc();
    const after = readProgramMemory();
    return { value, bytes: after.total - before.total, note: externalNote(after.external - before.external) };
  }
  minorGc();
  const watch = new PeakWatch();
  const before = readProgramMemory();
  watch.start();
  let value: Awaited<T>;
  try {
    value = await fn();
  } finally {
    watch.stop();
  }
  const gcs = `${watch.collections} ${watch.collections === 1 ? 'GC' : 'GCs'} during the block`;
  return {
    value,
    bytes: watch.highest.total - before.total,
    note: `${gcs}${externalNote(watch.highest.external - before.external, '; ')}`,
  };
}

/** How much of a figure was external memory, where that is worth saying. */
function externalNote(external: number, separator = ''): string {
  return external >= 1024
    ? `${separator}${formatBytes(external)} of it external memory (Buffer and ArrayBuffer contents), which the sampler does not see`
    : '';
}

/**
 * Runs `fn` (sync or async) and returns its result; rejects with a MemoryLimitError when the block's
 * memory (options.measure) went over `limit`. An error thrown by `fn` passes through unchanged.
 */
export async function limitMemory<T>(
  limit: number | string,
  fn: () => T | Promise<T>,
  options: LimitMemoryOptions = {},
): Promise<Awaited<T>> {
  const bytesLimit = limitBytes('limitMemory', limit);
  if (typeof fn !== 'function') throw new InvalidArgumentError('limitMemory', `the block must be a function, not ${typeof fn}`);
  const measure = checkMeasure(options.measure ?? 'peak');
  const attribution = options.attribution === false ? undefined : await startAttribution(measure === 'retained' ? 'live' : 'total');
  let measured: Measured<Awaited<T>>;
  try {
    measured = await measureBlock(measure, fn);
  } catch (error) {
    attribution?.end(false);
    throw error;
  }
  const over = measured.bytes > bytesLimit;
  attribution?.end(over);
  if (!over) return measured.value;
  const head = `memtrace limitMemory: the block used ${formatBytes(measured.bytes)} (${measured.bytes} B), over the limit of ${formatBytes(bytesLimit)} (${DESCRIPTIONS[measure]}${measured.note ? `; ${measured.note}` : ''})`;
  const where = attribution ? await attribution.describe(measure === 'peak' ? 0 : measured.bytes) : '';
  throw new MemoryLimitError(where ? `${head}\n${where}` : head, bytesLimit, measured.bytes, measure);
}
