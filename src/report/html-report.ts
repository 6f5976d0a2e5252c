/**
 * Which HTML report a path gets: a trace directory gets the tracer's report (with its allocations,
 * if any); a directory of allocation profiles, `--alloc`, or a `.heapprofile` file gets the flame graph page.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findHeapProfiles, loadAllocations } from './allocation-profiles.js';
import { topLines } from './flame-tree.js';
import { renderFlameGraphPage } from './flamegraph-html.js';
import { writeTraceReport } from './trace-html.js';
import { allocationLinesOf } from './allocation-lines.js';
import { writeReport } from './write-report.js';
import type { CsvReadOptions } from '../formats/csv-rows.js';

export interface HtmlReportOptions {
  /** Only the allocations (flame graph and top lines), even in a tracer's trace directory. */
  alloc?: boolean;
  /** Where to write; default DIR/report.html (DIR/allocations.html with alloc, FILE.html for a profile). */
  out?: string;
  /** Progress and truncation callbacks for reading events.csv. */
  reading?: CsvReadOptions;
}

/** Writes the HTML report for `path` and returns the file written. */
export async function writeHtmlReport(path: string, options: HtmlReportOptions = {}): Promise<string> {
  const isDirectory = existsSync(path) && statSync(path).isDirectory();
  if (isDirectory && !options.alloc && (existsSync(join(path, 'meta.json')) || findHeapProfiles(path).length === 0)) {
    return writeTraceReport(path, options.out, options.reading);
  }
  const out = options.out ?? (isDirectory ? join(path, options.alloc ? 'allocations.html' : 'report.html') : `${path}.html`);
  const tree = loadAllocations(path);
  const lines = allocationLinesOf(path) ?? topLines(tree);
  writeReport(out, renderFlameGraphPage(tree, path, { description: "Sampled by V8's sampling heap profiler", lines }));
  return out;
}
