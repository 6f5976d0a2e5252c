/**
 * The memory a block is charged with, read around it: the program's V8 heap (used heap less V8's
 * compiled code, as the tracer counts it: src/runtime/native-counters.ts) plus external memory
 * (ArrayBuffer and Buffer contents, strings held outside the heap, what addons report to V8).
 *
 * The peak of a block: the used heap only goes down in a garbage collection, so its highest point
 * is either now or the moment just before one of the collections during the block. v8.GCProfiler
 * records the heap statistics V8 gives its GC prologue for every collection, from C++, so a
 * synchronous block that never yields is seen as well as an async one (sampling on a timer would
 * see neither). External memory is read at the same moments: a rise and fall of external memory
 * between two collections (an addon that reports memory and gives it back before V8 collects) is
 * not seen.
 */
import v8 from 'node:v8';
import { CODE_SPACES, programHeap } from '../runtime/native-counters.js';

/** Program memory now: the heap and external parts, and their sum. */
export interface MemoryReading {
  heap: number;
  external: number;
  total: number;
}

export function readProgramMemory(): MemoryReading {
  const heap = programHeap();
  const external = v8.getHeapStatistics().external_memory;
  return { heap, external, total: heap + external };
}

/** Program heap plus external memory now. */
export function programMemory(): number {
  return readProgramMemory().total;
}

/** The shape of one entry of GCProfiler.stop().statistics, as far as it is read here. */
interface GcEntry {
  beforeGC: {
    heapStatistics: { usedHeapSize: number; externalMemory: number };
    heapSpaceStatistics: Array<{ spaceName: string; spaceUsedSize: number }>;
  };
}

function beforeGcMemory(entry: GcEntry): MemoryReading {
  const { heapStatistics, heapSpaceStatistics } = entry.beforeGC;
  let code = 0;
  for (const space of heapSpaceStatistics) if (CODE_SPACES.has(space.spaceName)) code += space.spaceUsedSize;
  const heap = heapStatistics.usedHeapSize - code;
  return { heap, external: heapStatistics.externalMemory, total: heap + heapStatistics.externalMemory };
}

/** Follows the highest program memory from start() to stop(). */
export class PeakWatch {
  private readonly profiler = new v8.GCProfiler();
  private running = false;
  /** Collections seen, and the highest program memory, by the last stop(). */
  collections = 0;
  highest: MemoryReading = { heap: 0, external: 0, total: 0 };

  start(): void {
    this.profiler.start();
    this.running = true;
  }

  /** The highest program memory since start(): now, or just before one of the collections. */
  stop(): MemoryReading {
    const now = readProgramMemory();
    if (!this.running) return now;
    this.running = false;
    const entries = (this.profiler.stop()?.statistics ?? []) as GcEntry[];
    this.collections = entries.length;
    let highest = now;
    for (const entry of entries) {
      const reading = beforeGcMemory(entry);
      if (reading.total > highest.total) highest = reading;
    }
    this.highest = highest;
    return highest;
  }
}
