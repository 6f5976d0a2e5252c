/**
 * One reading of everything heapStats compares: each V8 heap space, the heap totals, code statistics,
 * external and ArrayBuffer memory, and the GC count. A reading is a flat list of named numbers so a
 * difference is a subtraction per name.
 */
import v8 from 'node:v8';
import { loadNativeCounters } from '../runtime/native-counters.js';

/** What one number of a reading is: group 'space' (one per heap space), 'heap', 'code', 'memory' or 'gc'. */
export interface FigureName {
  group: 'space' | 'heap' | 'code' | 'memory' | 'gc';
  name: string;
}

/**
 * Counts the GCs of one measurement: start() before its first reading, stop() after its last. The
 * addon's GC callbacks count exactly; without it a v8.GCProfiler runs for the measurement. (Restarting
 * a profiler between readings would miss a GC that its own report's allocation sets off.)
 */
export interface GcCounter {
  readonly kind: 'native' | 'js';
  start(): void;
  /** GCs since start(). */
  stop(): number;
}

const SPACE_FIELDS = ['space_size', 'space_used_size', 'space_available_size', 'physical_space_size'] as const;
// heap_size_limit never changes; does_zap_garbage is a flag; peak_malloced_memory only grows;
// external_memory is the 'external' of the memory group (process.memoryUsage()).
const HEAP_FIELDS = [
  'total_heap_size',
  'total_heap_size_executable',
  'total_physical_size',
  'total_available_size',
  'used_heap_size',
  'malloced_memory',
  'number_of_native_contexts',
  'number_of_detached_contexts',
  'total_global_handles_size',
  'used_global_handles_size',
] as const;
const CODE_FIELDS = [
  'code_and_metadata_size',
  'bytecode_and_metadata_size',
  'external_script_source_size',
  'cpu_profiler_metadata_size',
] as const;

export function gcCounter(): GcCounter {
  const native = loadNativeCounters();
  if (native) {
    let first = 0;
    return {
      kind: 'native',
      start: () => {
        native.read();
        first = native.values[3];
      },
      stop: () => {
        native.read();
        return native.values[3] - first;
      },
    };
  }
  let profiler: v8.GCProfiler | undefined;
  return {
    kind: 'js',
    start: () => {
      profiler = new v8.GCProfiler();
      profiler.start();
    },
    stop: () => profiler?.stop()?.statistics.length ?? 0,
  };
}

let names: FigureName[] | undefined;

/** The names of a reading's numbers, in order (heap spaces do not change during a run). */
export function figureNames(): readonly FigureName[] {
  if (names) return names;
  names = [];
  for (const space of v8.getHeapSpaceStatistics())
    for (const field of SPACE_FIELDS) names.push({ group: 'space', name: `${space.space_name}.${field}` });
  for (const field of HEAP_FIELDS) names.push({ group: 'heap', name: field });
  for (const field of CODE_FIELDS) names.push({ group: 'code', name: field });
  names.push({ group: 'memory', name: 'external' }, { group: 'memory', name: 'array_buffers' }, { group: 'gc', name: 'gc_count' });
  return names;
}

/**
 * Reads every figure but the GC count now into one Float64Array, in figureNames() order. Its own allocation is kept
 * small (V8's statistics objects and this array, ~3 KiB) since it lands in the next reading's figures.
 */
export function readHeapFigures(): Float64Array {
  const values = new Float64Array(figureNames().length);
  const spaces = v8.getHeapSpaceStatistics();
  const heap = v8.getHeapStatistics() as unknown as Record<string, number>;
  const code = v8.getHeapCodeStatistics() as unknown as Record<string, number>;
  const memory = process.memoryUsage();
  let at = 0;
  for (const space of spaces) for (const field of SPACE_FIELDS) values[at++] = space[field];
  for (const field of HEAP_FIELDS) values[at++] = heap[field] ?? 0;
  for (const field of CODE_FIELDS) values[at++] = code[field] ?? 0;
  values[at++] = memory.external;
  values[at++] = memory.arrayBuffers;
  // values[at] (gc_count) stays 0: a measurement sets its own count in its last reading.
  return values;
}
