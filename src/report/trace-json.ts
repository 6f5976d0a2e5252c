/** The Perfetto reporter: DIR/trace.json from a trace directory's meta.json and events.csv. */
import { join } from 'node:path';
import { chromeTraceFromEvents, writeChromeTrace } from '../formats/chrome-trace.js';
import { readTrace } from '../formats/trace.js';

/** Writes DIR/trace.json (or `out`) and returns its path. */
export function writeTraceJson(directory: string, out = join(directory, 'trace.json')): string {
  const trace = readTrace(directory);
  writeChromeTrace(out, chromeTraceFromEvents(trace.meta, trace.events()));
  return out;
}
