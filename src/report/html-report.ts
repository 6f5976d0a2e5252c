/**
 * Which HTML report a path gets: a trace directory gets the tracer's report (with its allocations,
 * if any); a directory of allocation profiles, `--alloc`, or a `.heapprofile` file gets the flame graph page.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceFileError } from '../errors.js';
import { findHeapProfiles, HEAP_PROFILE_EXTENSION, loadAllocationTree } from './allocation-profiles.js';
import type { FlameNode } from './flame-tree.js';
import { renderFlameGraphPage } from './flamegraph-html.js';
import { writeTraceReport } from './trace-html.js';
import { allocationLinesOf } from './allocation-lines.js';

export interface HtmlReportOptions {
  /** Only the allocations (flame graph and top lines), even in a tracer's trace directory. */
  alloc?: boolean;
  /** Where to write; default DIR/report.html (DIR/allocations.html with alloc, FILE.html for a profile). */
  out?: string;
}

/** The allocation profiles a path names: a `.heapprofile` file, or those of a directory. */
export function allocationProfilesOf(path: string): string[] {
  if (!existsSync(path)) throw new TraceFileError(path, 'no such file or directory');
  if (!statSync(path).isDirectory()) {
    if (!path.endsWith(HEAP_PROFILE_EXTENSION)) throw new TraceFileError(path, `not a trace directory or a ${HEAP_PROFILE_EXTENSION} file`);
    return [path];
  }
  const profiles = findHeapProfiles(path);
  if (profiles.length === 0) throw new TraceFileError(path, `no allocation profiles (*${HEAP_PROFILE_EXTENSION} here or in allocations/); record them with memtrace run --alloc`);
  return profiles;
}

export function loadAllocations(path: string): FlameNode {
  return loadAllocationTree(allocationProfilesOf(path));
}

/** Writes the HTML report for `path` and returns the file written. */
export function writeHtmlReport(path: string, options: HtmlReportOptions = {}): string {
  const isDirectory = existsSync(path) && statSync(path).isDirectory();
  if (isDirectory && !options.alloc && (existsSync(join(path, 'meta.json')) || findHeapProfiles(path).length === 0)) {
    return writeTraceReport(path, options.out);
  }
  const out = options.out ?? (isDirectory ? join(path, options.alloc ? 'allocations.html' : 'report.html') : `${path}.html`);
  const lines = allocationLinesOf(path);
  writeFileSync(out, renderFlameGraphPage(loadAllocations(path), path, { description: 'Sampled by V8\'s sampling heap profiler', ...(lines ? { lines } : {}) }));
  return out;
}
