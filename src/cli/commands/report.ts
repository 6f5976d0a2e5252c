import { statSync } from 'node:fs';
import { defineCommand, UsageError } from '../command.js';
import { readTrace } from '../../formats/trace-directory.js';
import { renderTopFunctions } from '../../report/top-functions.js';
import { renderTopLines } from '../../report/top-lines.js';
import { writeHtmlReport } from '../../report/html-report.js';
import { loadAllocations } from '../../report/allocation-profiles.js';
import { topLines } from '../../report/flame-tree.js';
import { allocationLinesOf } from '../../report/allocation-lines.js';
import { formatBytes } from '../../shared/units.js';
import { writeTraceJson } from '../../report/trace-json.js';
import { Reading } from '../reading.js';
import { oomNote } from '../../report/oom-note.js';
import { convertNativeRecord } from '../../native/convert.js';
import { renderNativeOwners } from '../../report/native-owners.js';

const SYNOPSIS =
  'memtrace report DIR|FILE.heapprofile [--html] [--trace-json [--from A] [--to B] [--function GLOB]] [--out FILE] [--alloc] [--top N]';

export const reportCommand = defineCommand({
  name: 'report',
  summary: 'the functions that allocated most; an HTML report; a trace.json for Perfetto',
  synopsis: [
    'DIR... [--top N]',
    'DIR --html [--alloc] [--out FILE]',
    'DIR --trace-json [--from A] [--to B] [--function GLOB] [--out FILE]',
    'FILE.heapprofile [--html] [--top N]',
  ],
  details: 'Exit status 1 when a file ended mid-row (a killed process): the outputs are made from the whole rows.',
  options: {
    top: { type: 'string', value: 'N', default: '20', description: 'rows in the table' },
    html: { type: 'boolean', description: 'write DIR/report.html: charts, tables, and the allocation flame graph if recorded' },
    alloc: { type: 'boolean', description: "allocations only (a .heapprofile or DIR's profiles): top lines, or with --html a flame graph" },
    'trace-json': { type: 'boolean', description: 'write DIR/trace.json (Chrome trace-event format) for Perfetto or Chrome DevTools' },
    from: {
      type: 'string',
      value: 'A',
      description: 'with --trace-json: start of the window, in seconds since the tracer started or a label name',
    },
    to: { type: 'string', value: 'B', description: 'with --trace-json: end of the window, as --from' },
    function: {
      type: 'string',
      value: 'GLOB',
      description: 'with --trace-json: only the calls of matching functions (and memory at their rows)',
    },
    out: { type: 'string', value: 'FILE', description: 'where --html or --trace-json writes (one DIR only)' },
  },
  examples: [
    'memtrace report trace/memtrace-*',
    'memtrace report trace/memtrace-* --html',
    'memtrace report trace/memtrace-* --trace-json --function "handle*"',
    'memtrace report trace/memtrace-* --alloc --top 10',
  ],
  async run(values, positionals) {
    if (positionals.length === 0) throw new UsageError(`memtrace report: name a trace directory: ${SYNOPSIS}`);
    if (values.out && positionals.length > 1) throw new UsageError('memtrace report: --out takes one DIR');
    if (values.out && values.html && values['trace-json'])
      throw new UsageError('memtrace report: --out names one file: give --html or --trace-json, not both');
    if (!values['trace-json'] && (values.from !== undefined || values.to !== undefined || values.function !== undefined)) {
      throw new UsageError('memtrace report: --from, --to and --function cut the window of --trace-json: add --trace-json');
    }
    const top = Number(values.top ?? 20);
    if (!Number.isInteger(top) || top <= 0) throw new UsageError(`memtrace report: --top ${values.top} is not a positive whole number`);
    const wrote = (file: string) => process.stdout.write(`memtrace: wrote ${file} (${formatBytes(statSync(file).size)})\n`);
    const reading = new Reading();
    for (const path of positionals) {
      if (values['trace-json']) {
        const options = reading.options(`trace.json from ${path}`);
        const onWarning = (line: string) => process.stderr.write(`${line}\n`);
        wrote(
          await writeTraceJson(path, {
            out: values.out,
            from: values.from,
            to: values.to,
            function: values.function,
            reading: options,
            onWarning,
          }).finally(options.done),
        );
      }
      if (values.html) {
        const options = reading.options(`report.html from ${path}`);
        wrote(await writeHtmlReport(path, { alloc: values.alloc, out: values.out, reading: options }).finally(options.done));
      } else if (values['trace-json']) {
        continue;
      } else if (values.alloc || path.endsWith('.heapprofile')) {
        process.stdout.write(renderTopLines(allocationLinesOf(path) ?? topLines(loadAllocations(path)), path, top));
      } else {
        process.stdout.write(renderTopFunctions(readTrace(path), top));
        // A --native run's record that `memtrace run` did not get to convert (it was killed itself).
        convertNativeRecord(path);
        const native = renderNativeOwners(path, top);
        if (native) process.stdout.write(`\n${native}`);
      }
      const oom = oomNote(path);
      if (oom) process.stdout.write(`${oom}\n`);
    }
    // The outputs are written from the whole rows; the status says they are incomplete.
    return reading.truncated ? 1 : 0;
  },
});
