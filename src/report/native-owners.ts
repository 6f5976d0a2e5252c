/**
 * The text report's section on native memory (`memtrace run --native`): the JS functions (and, for
 * other threads, the thread) whose native allocations were still live at exit or allocated most.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NATIVE_ALLOCATIONS_FILE,
  NATIVE_SUMMARY_FILE,
  readNativeAllocationsCsv,
  type NativeAllocationRow,
  type NativeSummary,
} from '../formats/native-csv.js';
import { renderTable } from '../shared/text-table.js';
import { formatBytes } from '../shared/units.js';

export interface NativeOwner {
  /** The JS function, or what stands for it where none is known. */
  owner: string;
  where: string;
  thread: string;
  allocatedBytes: number;
  freedBytes: number;
  liveBytesAtExit: number;
}

/** Rows summed per owner (JS function and thread), most live first, then most allocated. */
export function nativeOwners(rows: readonly NativeAllocationRow[]): NativeOwner[] {
  const owners = new Map<string, NativeOwner>();
  for (const row of rows) {
    const owner =
      row.function || (row.thread === 'main' ? '(no measured JS function)' : `(thread${row.threadName ? ` ${row.threadName}` : ''})`);
    const where = row.file ? `${row.file}:${row.line ?? ''}` : '';
    const key = `${owner}\0${where}\0${row.thread}`;
    let entry = owners.get(key);
    if (!entry) owners.set(key, (entry = { owner, where, thread: row.thread, allocatedBytes: 0, freedBytes: 0, liveBytesAtExit: 0 }));
    entry.allocatedBytes += row.allocatedBytes;
    entry.freedBytes += row.freedBytes;
    entry.liveBytesAtExit += row.liveBytesAtExit;
  }
  return [...owners.values()].sort((a, b) => b.liveBytesAtExit - a.liveBytesAtExit || b.allocatedBytes - a.allocatedBytes);
}

/** The section for trace `directory`, or '' when it has no native allocations. */
export function renderNativeOwners(directory: string, top: number): string {
  const path = join(directory, NATIVE_ALLOCATIONS_FILE);
  if (!existsSync(path)) return '';
  const owners = nativeOwners(readNativeAllocationsCsv(path)).slice(0, top);
  let summary: NativeSummary | undefined;
  try {
    summary = JSON.parse(readFileSync(join(directory, NATIVE_SUMMARY_FILE), 'utf8')) as NativeSummary;
  } catch {
    summary = undefined;
  }
  const how = summary
    ? `${summary.interval > 0 ? `sampled every ~${formatBytes(summary.interval)}` : 'every allocation'}, ${summary.samples} samples` +
      `${summary.reachedExit ? '' : '; the process did not reach its end: "live" is live at its last record'}`
    : '';
  const table = renderTable(
    ['live at exit', 'allocated', 'freed', 'thread', 'owner', 'where'],
    owners.map((o) => [
      formatBytes(o.liveBytesAtExit),
      formatBytes(o.allocatedBytes),
      formatBytes(o.freedBytes),
      o.thread,
      o.owner,
      o.where,
    ]),
    [true, true, true, false, false, false],
  );
  return `native memory (malloc)${how ? `: ${how}` : ''}\n${table}`;
}
