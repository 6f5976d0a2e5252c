/**
 * The measured calls still running (on the shadow stack), with their figures so far: what an OOM
 * report needs of calls that never return (a loop filling a Map is in no functions.csv row). Off the
 * hot path: it may run from an interrupt between two steps of a probe, so it reads the counters into
 * the shared readings and puts back what the probe had read.
 */
import { Frame, Global, Int } from '../shared/layouts.js';
import { HEAP, FREED, TIME } from './counters.js';
import { counters, frames, globals, ints, readings, stack } from './probe-state.js';

export interface OpenCall {
  functionId: number;
  /** Bytes allocated since the call started (its measured callees included; not calibrated). */
  allocatedBytes: number;
  /** allocatedBytes less what its measured callees allocated. */
  selfAllocatedBytes: number;
  /** The used heap now, or at its highest during the call, less at its start. */
  heapGrowthBytes: number;
  elapsedNs: number;
}

const saved = new Float64Array(8);

/** The calls on the shadow stack, outermost first. */
export function openCalls(): OpenCall[] {
  const depth = ints[Int.DEPTH];
  if (depth === 0 || !counters) return [];
  const kept = Math.min(readings.length, saved.length);
  saved.set(readings.subarray(0, kept));
  counters.read();
  const allocatedNow = Math.max(readings[HEAP] + readings[FREED] + globals[Global.ALLOC_CORRECTION], globals[Global.ALLOC_LAST]);
  const heapNow = readings[HEAP];
  const timeNow = readings[TIME];
  readings.set(saved.subarray(0, kept));
  const calls: OpenCall[] = [];
  let aboveSegment = 0;
  for (let i = depth - 1; i >= 0; i--) {
    const b = stack[i] * Frame.SIZE;
    const segment = allocatedNow - frames[b + Frame.SEGMENT_START_ALLOCATED];
    const allocated = frames[b + Frame.SUM_ALLOCATED] + segment;
    calls.push({
      functionId: frames[b + Frame.FUNCTION_ID],
      allocatedBytes: allocated,
      // The call above this one has not ended its segment: its bytes so far are not in its callees' sum yet.
      selfAllocatedBytes: allocated - frames[b + Frame.CALLEES_ALLOCATED] - aboveSegment,
      heapGrowthBytes: Math.max(frames[b + Frame.MAX_HEAP], heapNow) - frames[b + Frame.START_HEAP],
      elapsedNs: frames[b + Frame.SUM_NS] + timeNow - frames[b + Frame.SEGMENT_START_NS],
    });
    aboveSegment = segment;
  }
  return calls.reverse();
}
