/**
 * Turns a process's native-raw.bin (what the tracker recorded, src/formats/native-raw.ts) into
 * native-allocations.csv, native-stacks.csv, native.pb.gz (pprof) and native.json in its trace directory, and deletes the raw
 * file once they are written. `memtrace run --native` does it as each run ends, whether the program
 * exited or was killed (then only the records the tracker had written count, and "live at exit" is what
 * was live at the last of them); `memtrace report` does it for a directory where it was not done.
 *
 * The samples are summed per JS function × native stack × thread: rows are few (sites, not
 * allocations), however long the record.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { encodePprof } from '../formats/pprof.js';
import { nativePprofOf, NATIVE_PPROF_FILE } from '../formats/native-pprof.js';
import { join } from 'node:path';
import {
  FUNCTION_NONE,
  FUNCTION_START_UP,
  readNativeRaw,
  RAW_FILE,
  type RawBlock,
  type RawFunction,
  type RawSymbol,
} from '../formats/native-raw.js';
import {
  formatNativeAllocationsCsv,
  formatNativeStacksCsv,
  JS_FRAME_PREFIX,
  NATIVE_ALLOCATIONS_FILE,
  NATIVE_STACKS_FILE,
  NATIVE_SUMMARY_FILE,
  type NativeAllocationRow,
  type NativeStackRow,
  type NativeSummary,
} from '../formats/native-csv.js';

interface Site {
  stack: number;
  function: number;
  tid: number;
  allocatedBytes: number;
  allocatedCount: number;
  freedBytes: number;
  /** Allocated by samples whose frees cannot be matched. */
  untrackedBytes: number;
  samples: number;
}

/** What native-allocations.csv's function column says of the main thread's start-up (no file, no line). */
export const START_UP = '(start-up)';

/** The name libuv (1.50, Node 22 and later) gives its threadpool's threads. */
export const POOL_THREAD_NAME = 'libuv-worker';

/**
 * The JS function a site is shown under. On a thread other than the main one, the tracker records the
 * function that queued every threadpool request of Node's then in flight (native/preload/
 * memtrace-native.c, "The threadpool's owner"). That is whose work the allocation was only on a pool
 * thread, which is known by its name, and only when the work is not an addon's: an addon's async work
 * is not among the requests counted, and its stack runs through the addon's `.node` object. V8's
 * threads, workers' and Node 20's (all named `node`) keep no function.
 */
function siteFunction(
  site: Site,
  pid: number,
  threadNames: ReadonlyMap<number, string>,
  frames: readonly bigint[],
  symbols: ReadonlyMap<bigint, RawSymbol>,
): number {
  if (site.tid === pid) return site.function;
  if (site.function < 0 || threadNames.get(site.tid) !== POOL_THREAD_NAME) return FUNCTION_NONE;
  return frames.some((address) => symbols.get(address)?.object.endsWith('.node')) ? FUNCTION_NONE : site.function;
}

/** The frame as native-stacks.csv shows it: `symbol+0x1f (object)`, or the object and offset where there is no symbol. */
export function describeFrame(address: bigint, symbol: RawSymbol | undefined): string {
  if (!symbol) return `0x${address.toString(16)}`;
  const object = symbol.object.slice(symbol.object.lastIndexOf('/') + 1) || '?';
  if (symbol.symbol) return `${symbol.symbol}+0x${symbol.symbolOffset.toString(16)} (${object})`;
  return `${object}+0x${symbol.objectOffset.toString(16)}`;
}

/**
 * A stack's native frames, innermost first, up to the first that no loaded object holds: the JIT code
 * of V8 (the tracker's frame-pointer walk goes through it to main()); past it, the stack is the JS
 * calls, which the row's JS function stands for. Without symbols (a killed run) nothing is cut.
 */
function nativeFrames(frames: readonly bigint[], symbols: ReadonlyMap<bigint, RawSymbol>): readonly bigint[] {
  if (symbols.size === 0) return frames;
  const jit = frames.findIndex((address) => !symbols.has(address));
  return jit < 0 ? frames : frames.slice(0, jit);
}

/** Sums the raw records of `rawPath`. */
function summarise(rawPath: string) {
  const sites = new Map<string, Site>();
  const stacks = new Map<number, bigint[]>();
  const functions = new Map<number, RawFunction>();
  const symbols = new Map<bigint, RawSymbol>();
  const threadNames = new Map<number, string>();
  let pid = 0;
  let interval = 0;
  let reachedExit = false;
  let untracked = 0;
  const siteOf = (b: RawBlock): Site => {
    const key = `${b.stack}:${b.function}:${b.tid}`;
    let site = sites.get(key);
    if (!site) {
      site = {
        stack: b.stack,
        function: b.function,
        tid: b.tid,
        allocatedBytes: 0,
        allocatedCount: 0,
        freedBytes: 0,
        untrackedBytes: 0,
        samples: 0,
      };
      sites.set(key, site);
    }
    return site;
  };
  readNativeRaw(rawPath, {
    start(start) {
      pid = start.pid;
      interval = start.interval;
    },
    stack(id, frames) {
      stacks.set(id, frames);
    },
    alloc(block) {
      if (reachedExit) return;
      const site = siteOf(block);
      site.allocatedBytes += block.weight;
      site.allocatedCount += block.size > 0 ? block.weight / block.size : 1;
      site.samples++;
      // A block the table had no room for can never be matched to its free: not counted as live.
      if (block.untracked) {
        untracked++;
        site.untrackedBytes += block.weight;
      }
    },
    free(block) {
      if (!reachedExit) siteOf(block).freedBytes += block.weight;
    },
    function(fn) {
      functions.set(fn.id, fn);
    },
    symbol(symbol) {
      symbols.set(symbol.address, symbol);
    },
    exit() {
      reachedExit = true;
    },
    thread(tid, name) {
      threadNames.set(tid, name);
    },
  });
  return { sites: [...sites.values()], stacks, functions, symbols, threadNames, pid, interval, reachedExit, untracked };
}

/**
 * Converts `directory`'s native-raw.bin (or `rawPath`) into the CSVs; returns the summary, or undefined
 * when there is no raw record to convert. Throws TraceFileError for a raw file that is not one.
 */
export function convertNativeRecord(directory: string, rawPath = join(directory, RAW_FILE)): NativeSummary | undefined {
  if (!existsSync(rawPath)) return undefined;
  const { sites, stacks, functions, symbols, threadNames, pid, interval, reachedExit, untracked } = summarise(rawPath);
  // One stack id per stack as shown (native frames, then the JS function): raw stacks that differ only
  // past the JIT boundary are one; their rows are summed.
  const stackIds = new Map<string, number>();
  const stackRows: NativeStackRow[] = [];
  const rowsByKey = new Map<string, NativeAllocationRow>();
  for (const site of sites) {
    const rawFrames = stacks.get(site.stack) ?? [];
    const functionId = siteFunction(site, pid, threadNames, rawFrames, symbols);
    const fn = functionId >= 0 ? functions.get(functionId) : undefined;
    const frames = nativeFrames(rawFrames, symbols).map((address) => describeFrame(address, symbols.get(address)));
    if (fn) frames.push(`${JS_FRAME_PREFIX}${fn.name} (${fn.file}:${fn.line})`);
    const shown = frames.join('\n');
    let nativeStackId = stackIds.get(shown);
    if (nativeStackId === undefined) {
      nativeStackId = stackRows.length + 1;
      stackIds.set(shown, nativeStackId);
      stackRows.push({ nativeStackId, frames });
    }
    const name = fn?.name ?? (functionId === FUNCTION_START_UP ? START_UP : '');
    const key = `${nativeStackId}\0${name}\0${site.tid}`;
    const row = rowsByKey.get(key) ?? {
      function: name,
      file: fn?.file ?? '',
      line: fn ? fn.line : null,
      nativeStackId,
      thread: site.tid === pid ? 'main' : String(site.tid),
      threadName: threadNames.get(site.tid) ?? '',
      allocatedBytes: 0,
      allocatedCount: 0,
      freedBytes: 0,
      liveBytesAtExit: 0,
      samples: 0,
    };
    row.allocatedBytes += site.allocatedBytes;
    row.allocatedCount += site.allocatedCount;
    row.freedBytes += site.freedBytes;
    row.liveBytesAtExit += Math.max(0, site.allocatedBytes - site.freedBytes - site.untrackedBytes);
    row.samples += site.samples;
    rowsByKey.set(key, row);
  }
  const rows = [...rowsByKey.values()];
  rows.sort((a, b) => b.liveBytesAtExit - a.liveBytesAtExit || b.allocatedBytes - a.allocatedBytes);
  const summary: NativeSummary = {
    pid,
    interval,
    samples: rows.reduce((sum, r) => sum + r.samples, 0),
    reachedExit,
    untracked,
    allocatedBytes: Math.round(rows.reduce((sum, r) => sum + r.allocatedBytes, 0)),
    freedBytes: Math.round(rows.reduce((sum, r) => sum + r.freedBytes, 0)),
    liveBytesAtExit: Math.round(rows.reduce((sum, r) => sum + r.liveBytesAtExit, 0)),
  };
  // Written beside and renamed into place: a reader never sees half a file.
  const files: Array<[string, string | Buffer]> = [
    [NATIVE_PPROF_FILE, encodePprof(nativePprofOf(rows, stackRows, interval))],
    [NATIVE_STACKS_FILE, formatNativeStacksCsv(stackRows)],
    [NATIVE_ALLOCATIONS_FILE, formatNativeAllocationsCsv(rows)],
    [NATIVE_SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`],
  ];
  for (const [name, text] of files) {
    writeFileSync(join(directory, `${name}.tmp`), text);
    renameSync(join(directory, `${name}.tmp`), join(directory, name));
  }
  rmSync(rawPath, { force: true });
  return summary;
}
