import { appendFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand, UsageError } from '../command.js';
import { MemtraceError } from '../../shared/errors.js';
import { BASELINE_FORMAT, BASELINE_VERSION, readBaseline, writeBaseline } from '../../formats/baseline.js';
import { functionFigures } from '../../check/figures.js';
import { type CheckMetric, compareWithBaseline, METRIC_FIELD } from '../../check/compare.js';
import { renderGithubAnnotations, renderJunit, renderMarkdownSummary, renderText } from '../../check/render.js';
import { formatBytes } from '../../shared/units.js';
import { parseBytes } from '../../shared/sizes.js';
import { VERSION } from '../../shared/version.js';

const SYNOPSIS = 'memtrace check DIR --baseline FILE | --write-baseline FILE';

/** A trace that cannot be read is bad input for a gate: exit status 2, not the regression status 1. */
class CheckInputError extends MemtraceError {
  override readonly exitCode = 2;
}

function tolerance(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!match) throw new UsageError(`memtrace check: --tolerance ${JSON.stringify(text)} is not a percentage (10%) or a fraction (0.1)`);
  return match[2] ? Number(match[1]) / 100 : Number(match[1]);
}

/** Writes an output file, or says in one line why it could not. */
function writeOutput(file: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    throw new CheckInputError(`memtrace check: cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export const checkCommand = defineCommand({
  name: 'check',
  summary: 'a memory gate for CI: exit 1 when a function allocates more than a baseline allows',
  synopsis: ['DIR --baseline FILE [options]', 'DIR --write-baseline FILE [--root DIR]'],
  details:
    'DIR is a trace directory or the --out directory of one `memtrace run`. Exit status: 0 within the baseline, 1 on a regression, 2 on bad input.',
  options: {
    baseline: { type: 'string', value: 'FILE', description: "compare DIR's per-function figures with FILE (written by --write-baseline)" },
    'write-baseline': {
      type: 'string',
      value: 'FILE',
      description: "record DIR's per-function figures as FILE (JSON, meant to be committed)",
    },
    tolerance: { type: 'string', value: 'PCT', default: '10%', description: 'growth allowed over the baseline figure (10% or 0.1)' },
    'min-bytes': { type: 'string', value: 'SIZE', default: '64KiB', description: 'growth below SIZE never fails' },
    metric: {
      type: 'string',
      value: 'M',
      default: 'allocated',
      description: 'allocated (inclusive), self, or peak (heap growth during a call)',
    },
    root: { type: 'string', value: 'DIR', default: 'the current directory', description: 'files are recorded relative to DIR' },
    format: {
      type: 'string',
      value: 'F',
      default: 'text',
      description: 'text, or github (annotations, and a summary to $GITHUB_STEP_SUMMARY)',
    },
    junit: { type: 'string', value: 'FILE', description: 'also write the comparison as JUnit XML' },
  },
  examples: [
    'memtrace check trace --write-baseline memory-baseline.json',
    'memtrace check trace --baseline memory-baseline.json',
    'memtrace check trace --baseline memory-baseline.json --tolerance 20% --junit memory.xml',
  ],
  run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError(`memtrace check: name one trace directory: ${SYNOPSIS}`);
    if (!values.baseline === !values['write-baseline'])
      throw new UsageError(`memtrace check: give --baseline FILE or --write-baseline FILE: ${SYNOPSIS}`);
    const metric = (values.metric ?? 'allocated') as CheckMetric;
    if (!(metric in METRIC_FIELD))
      throw new UsageError(`memtrace check: --metric ${JSON.stringify(values.metric)} is not allocated, self or peak`);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'github')
      throw new UsageError(`memtrace check: --format ${JSON.stringify(format)} is not text or github`);
    const minBytes = parseBytes(values['min-bytes'] ?? '64KiB');
    if (minBytes === undefined)
      throw new UsageError(`memtrace check: --min-bytes ${JSON.stringify(values['min-bytes'])} is not a size (65536, 64KiB, 1MB)`);
    const root = resolve(values.root ?? '.');

    let current;
    try {
      current = functionFigures(positionals[0], root);
    } catch (error) {
      if (error instanceof MemtraceError && !(error instanceof UsageError)) throw new CheckInputError(error.message);
      throw error;
    }

    if (values['write-baseline']) {
      const file = values['write-baseline'];
      // Functions that allocated under a KiB stay out: they cannot fail a check at the default floor,
      // and a baseline is read in code review.
      const functions = [...current.values()].filter((f) => f.totalAllocBytes >= 1024 || f.maxHeapGrowthBytes >= 1024);
      writeOutput(file, () =>
        writeBaseline(file, {
          format: BASELINE_FORMAT,
          version: BASELINE_VERSION,
          memtrace: VERSION,
          node: process.version,
          created: new Date().toISOString(),
          functions,
        }),
      );
      process.stdout.write(
        `memtrace: wrote ${file} (${functions.length} functions, ${formatBytes(functions.reduce((sum, f) => sum + f.totalAllocBytes, 0))} allocated in all)\n`,
      );
      return 0;
    }

    const baseline = readBaseline(values.baseline!);
    const result = compareWithBaseline(baseline.functions, current, { tolerance: tolerance(values.tolerance ?? '10%'), minBytes, metric });
    if (format === 'github') {
      process.stdout.write(renderGithubAnnotations(result));
      const summary = renderMarkdownSummary(result);
      if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary);
      else process.stdout.write(summary);
    } else {
      process.stdout.write(renderText(result));
    }
    if (values.junit) writeOutput(values.junit, () => writeFileSync(values.junit!, renderJunit(result)));
    return result.regressions.length > 0 ? 1 : 0;
  },
});
