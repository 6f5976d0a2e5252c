/**
 * limitLeaks(fn, options): calls a block many times and fails when the memory it leaves behind grows
 * with the number of calls (pytest-memray's limit_leaks).
 *
 * Two stages, so that code that keeps nothing passes:
 * 1. Growth, cheaply: warm-up calls first (lazy caches fill, V8 compiles and its feedback settles),
 *    then rounds of calls, each followed by a full collection and a reading of program memory
 *    (memory-reading.ts). The growth per call is the median of the slopes between every two readings
 *    (Theil-Sen). It looks like a leak only when that slope and the median round are over `allowed`,
 *    memory grew in at least half the rounds, and by more in all than the noise a collection leaves;
 *    and then a second measurement must say so too.
 * 2. Proof and names, only then: three heap snapshots a round apart; the objects allocated in the
 *    round between the first two and still alive in the third are what accumulates (memlab's rule,
 *    src/heap/diff.ts), grouped by their retainer path. It fails only when those objects come to more
 *    than `allowed` per call: growth the snapshots cannot find (V8's own) is not a leak of the block.
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { InvalidArgumentError, MemoryLeakError } from '../shared/errors.js';
import { formatBytes } from '../shared/units.js';
import { fullGc } from '../runtime/force-gc.js';
import { programMemory } from './memory-reading.js';
import { limitBytes } from './limit-memory.js';

export interface LimitLeaksOptions {
  /** Calls measured, after the warm-up (default 800), shared out over the rounds. */
  iterations?: number;
  /** Calls before measuring (default: a quarter of `iterations`, at least 20). */
  warmup?: number;
  /** Bytes per call the block may keep (default 0): a number or a size such as '1 KiB'. */
  allowed?: number | string;
  /** Rounds the measured calls are split into, each ended by a full GC (default 8). */
  rounds?: number;
}

/** What stage 1 measured. */
export interface LeakMeasurement {
  /** Program memory after each round's full GC, the first after the warm-up. */
  readings: number[];
  callsPerRound: number;
  /** Growth per call, bytes (median of pairwise slopes). */
  slope: number;
}

/**
 * Growth a full GC leaves in a clean block's readings (the heap after a collection is not the same to
 * the byte: V8's own bookkeeping, compiled code's data): after the warm-up, clean blocks' rounds
 * differed by 0-3.4 KB here, one at a time; the growth over all rounds must be over this.
 */
const NOISE_BYTES = 4096;
/** The warm-up calls are made in this many rounds, each ended like a measured one. */
const WARMUP_ROUNDS = 6;

function wholeNumber(name: string, value: unknown, fallback: number, least: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < least) {
    throw new InvalidArgumentError('limitLeaks', `${name} ${JSON.stringify(value)} is not a whole number of ${least} or more`);
  }
  return value;
}

/**
 * Growth per call, the Theil-Sen way: the median of the slopes between every two readings. One
 * round's jump (V8 optimising a function, or flushing the bytecode of functions not run lately,
 * which moves the heap by hundreds of KB) moves a least-squares line; it barely moves this.
 */
function slopeOf(readings: readonly number[], callsPerRound: number): number {
  const slopes: number[] = [];
  for (let i = 0; i < readings.length; i++) {
    for (let j = i + 1; j < readings.length; j++) slopes.push((readings[j] - readings[i]) / ((j - i) * callsPerRound));
  }
  return median(slopes);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Stage 1's verdict: the slope and the median round's growth over `allowed` per call, growth in at
 * least half the rounds, and more in all than NOISE_BYTES. The median keeps one round's jump (V8
 * optimising a function, or flushing the bytecode of functions not run lately) from deciding.
 */
export function looksLikeLeak(m: LeakMeasurement, allowed: number): boolean {
  const rounds = m.readings.length - 1;
  const diffs = m.readings.slice(1).map((reading, i) => reading - m.readings[i]);
  const grew = diffs.filter((d) => d > 0).length;
  return (
    m.slope > allowed && median(diffs) > allowed * m.callsPerRound && grew * 2 >= rounds && m.slope * rounds * m.callsPerRound > NOISE_BYTES
  );
}

/**
 * One round: calls `fn` `calls` times, awaiting only what returns a promise (a sync block stays sync),
 * then lets the event loop turn once. That turn runs the async_hooks destroy callbacks of the promises
 * the last GC collected: runners that track async resources (node:test keeps a Map of them) drop
 * their entries there, and without it their Map grew by 6 numbers per call of an async block.
 */
async function callRepeatedly(fn: () => unknown, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) {
    const result = fn() as { then?: unknown } | undefined;
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') await result;
  }
  await nextMacrotask();
}

/**
 * Stage 1: readings after each round. The warm-up runs in rounds of the same shape, its readings
 * dropped, so that this code's own first runs (and V8 compiling it) are over before the first reading.
 */
async function measureGrowth(fn: () => unknown, warmup: number, rounds: number, callsPerRound: number): Promise<LeakMeasurement> {
  const readings: number[] = new Array(rounds + 1).fill(0);
  for (let round = 0; round < WARMUP_ROUNDS; round++) {
    await callRepeatedly(fn, Math.ceil(warmup / WARMUP_ROUNDS));
    fullGc();
    readings[0] = programMemory();
  }
  for (let round = 1; round <= rounds; round++) {
    await callRepeatedly(fn, callsPerRound);
    fullGc();
    readings[round] = programMemory();
  }
  return { readings, callsPerRound, slope: slopeOf(readings, callsPerRound) };
}

/** What the last limitLeaks measured and whether it took snapshots (for bench/test-api.js, not exported by memtrace/test). */
export let lastCheck: { growth: LeakMeasurement; snapshots: boolean; measurements: number } | undefined;

/**
 * Calls `fn` (sync or async) `warmup + iterations` times, and more where it looks like a leak;
 * rejects with a MemoryLeakError when what it keeps grows by more than `allowed` bytes per call.
 * An error thrown by `fn` passes through unchanged.
 */
export async function limitLeaks(fn: () => unknown, options: LimitLeaksOptions = {}): Promise<void> {
  if (typeof fn !== 'function') throw new InvalidArgumentError('limitLeaks', `the block must be a function, not ${typeof fn}`);
  const iterations = wholeNumber('iterations', options.iterations, 800, 2);
  const rounds = wholeNumber('rounds', options.rounds, 8, 2);
  const warmup = wholeNumber('warmup', options.warmup, Math.max(20, Math.floor(iterations / 4)), 0);
  const allowed = options.allowed === undefined ? 0 : limitBytes('limitLeaks', options.allowed);
  const callsPerRound = Math.max(1, Math.ceil(iterations / rounds));

  // Growth that is still settling (a runner's own tables filling as the block first runs under it)
  // looks like a leak once and not again: a leak must show in a second measurement too, which costs
  // far less than the snapshots.
  let growth = await measureGrowth(fn, warmup, rounds, callsPerRound);
  lastCheck = { growth, snapshots: false, measurements: 1 };
  if (!looksLikeLeak(growth, allowed)) return;
  growth = await measureGrowth(fn, 0, rounds, callsPerRound);
  lastCheck = { growth, snapshots: false, measurements: 2 };
  if (!looksLikeLeak(growth, allowed)) return;
  lastCheck.snapshots = true;

  const { findAccumulation } = await import('./leak-snapshots.js');
  const found = await findAccumulation(() => callRepeatedly(fn, callsPerRound), callsPerRound);
  const perCall = found.bytes / callsPerRound;
  if (perCall <= allowed) return;
  const head = `memtrace limitLeaks: the block keeps ${formatBytes(perCall)} per call (allowed ${formatBytes(allowed)}): memory after a full GC grew ${formatBytes(growth.slope)} per call over ${rounds} rounds of ${callsPerRound} calls, after ${warmup} warm-up calls`;
  throw new MemoryLeakError(`${head}\n${found.text}`, perCall, allowed);
}
