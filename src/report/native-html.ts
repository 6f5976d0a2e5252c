/**
 * report.html's sections on native memory (`memtrace run --native`): a flame graph of the sampled
 * native allocations, JS function at the root and native frames above it (from native-stacks.csv),
 * and the table of what each owner still held at exit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  JS_FRAME_PREFIX,
  NATIVE_ALLOCATIONS_FILE,
  NATIVE_STACKS_FILE,
  NATIVE_SUMMARY_FILE,
  readNativeAllocationsCsv,
  readNativeStacksCsv,
  type NativeAllocationRow,
  type NativeStackRow,
  type NativeSummary,
} from '../formats/native-csv.js';
import type { FlameNode } from './flame-tree.js';
import { renderFlameGraphSections } from './flamegraph-html.js';
import type { PageSection } from './html/page.js';
import { renderDataTable } from './html/table.js';
import { nativeOwners } from './native-owners.js';
import { formatBytes } from '../shared/units.js';

/** A frame of native-stacks.csv as a flame graph node's name, file and line. */
export function frameParts(frame: string): { name: string; file: string; line: number } {
  if (frame.startsWith(JS_FRAME_PREFIX)) {
    const match = /^js: (.*) \((.*):(\d+)\)$/.exec(frame);
    if (match) return { name: match[1], file: match[2], line: Number(match[3]) };
  }
  const symbol = /^(.*)\+0x[0-9a-f]+ \((.*)\)$/.exec(frame);
  if (symbol) return { name: symbol[1], file: symbol[2], line: 0 };
  const object = /^(.*)\+0x[0-9a-f]+$/.exec(frame);
  return object ? { name: frame, file: object[1], line: 0 } : { name: frame, file: '', line: 0 };
}

/** Allocated bytes by stack: a root per JS function (or thread), native frames outermost first up to the allocator's caller. */
export function nativeFlameTree(rows: readonly NativeAllocationRow[], stacks: readonly NativeStackRow[]): FlameNode {
  const root: FlameNode = { name: '(all native allocations)', file: '', line: 0, column: 0, selfBytes: 0, totalBytes: 0, children: [] };
  const framesById = new Map(stacks.map((s) => [s.nativeStackId, s.frames]));
  const childOf = (parent: FlameNode, name: string, file: string, line: number): FlameNode => {
    let child = parent.children.find((c) => c.name === name && c.file === file && c.line === line);
    if (!child) parent.children.push((child = { name, file, line, column: 0, selfBytes: 0, totalBytes: 0, children: [] }));
    return child;
  };
  for (const row of rows) {
    const frames = [...(framesById.get(row.nativeStackId) ?? [])].reverse();
    let node = root;
    if (!frames[0]?.startsWith(JS_FRAME_PREFIX)) {
      node = childOf(
        node,
        row.function
          ? row.function
          : row.thread === 'main'
            ? '(main thread, no measured JS function)'
            : `(thread ${row.thread}${row.threadName ? ` ${row.threadName}` : ''})`,
        '',
        0,
      );
    }
    node.totalBytes += row.allocatedBytes;
    for (const frame of frames) {
      const { name, file, line } = frameParts(frame);
      node = childOf(node, name, file, line);
      node.totalBytes += row.allocatedBytes;
    }
    node.selfBytes += row.allocatedBytes;
    root.totalBytes += row.allocatedBytes;
  }
  const sort = (node: FlameNode): void => {
    node.children.sort((a, b) => b.totalBytes - a.totalBytes);
    node.children.forEach(sort);
  };
  sort(root);
  return root;
}

/** The sections for trace `directory`, or [] when it has no native allocations. */
export function nativeReportSections(directory: string): PageSection[] {
  if (!existsSync(join(directory, NATIVE_ALLOCATIONS_FILE))) return [];
  const rows = readNativeAllocationsCsv(join(directory, NATIVE_ALLOCATIONS_FILE));
  const stacks = existsSync(join(directory, NATIVE_STACKS_FILE)) ? readNativeStacksCsv(join(directory, NATIVE_STACKS_FILE)) : [];
  let summary: NativeSummary | undefined;
  try {
    summary = JSON.parse(readFileSync(join(directory, NATIVE_SUMMARY_FILE), 'utf8')) as NativeSummary;
  } catch {
    summary = undefined;
  }
  const how = summary
    ? summary.interval > 0
      ? `sampled every ~${formatBytes(summary.interval)} (${summary.samples.toLocaleString('en')} samples)`
      : 'every allocation'
    : 'sampled';
  const [flame] = renderFlameGraphSections(nativeFlameTree(rows, stacks), {
    id: 'native',
    title: 'Native allocations by stack',
    description: `Bytes allocated through malloc, ${how}, by memtrace run --native; the JS function at the root, native frames above it`,
  });
  const table = renderDataTable({
    id: 'native-owners',
    columns: [
      { label: 'live at exit', kind: 'bytes', title: 'estimated bytes still allocated when the program ended' },
      { label: 'allocated', kind: 'bytes' },
      { label: 'freed', kind: 'bytes' },
      { label: 'thread', kind: 'text' },
      { label: 'function', kind: 'function' },
      { label: 'where', kind: 'where' },
    ],
    rows: nativeOwners(rows).map((o) => [o.liveBytesAtExit, o.allocatedBytes, o.freedBytes, o.thread, o.owner, o.where]),
    sortColumn: 0,
  });
  const held: PageSection = {
    id: 'native-held',
    title: 'Native memory held at exit',
    hint: `From native-allocations.csv, by JS function and thread: estimated bytes still allocated at the program's end${summary && !summary.reachedExit ? ' (the process was killed: at its last record)' : ''}, allocated and freed. Click a header to sort.`,
    html: table,
  };
  return [held, ...(flame ? [flame] : [])];
}
