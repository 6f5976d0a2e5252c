import { defineCommand, UsageError } from '../command.js';
import type { Classifier } from '../../heap/classify.js';
import { CLASSIFIERS } from '../../heap/classify.js';
import { diffSnapshots } from '../../heap/diff.js';
import { progressBar } from '../../heap/progress.js';
import { diffCsv, diffTable, growthCsv, pathsCsv, pathsTable, summaryCsv, summaryTable, topCsv, topTable } from '../../heap/report.js';
import type { HeapSnapshot } from '../../heap/heap-snapshot.js';
import { readSnapshot } from '../../heap/heap-snapshot.js';

/** The output flags every action takes. */
const OUTPUT = {
  json: { type: 'boolean', description: 'JSON instead of a table (sizes in bytes)' },
  csv: { type: 'boolean', description: 'CSV instead of a table (sizes in bytes)' },
} as const;

/**
 * Reads a snapshot with a progress bar on a terminal; dominators are computed here too, under the bar,
 * unless the command has no use for them (diff's earlier snapshots: only their ids and classes count).
 */
async function load(file: string, dominators = true): Promise<HeapSnapshot> {
  const bar = progressBar(process.stderr, `reading ${file}`);
  const snapshot = await readSnapshot(file, { onProgress: bar ? (done, total) => bar.update(done, total) : undefined });
  if (dominators) {
    bar?.phase('dominators and retained sizes');
    snapshot.dominators();
  }
  bar?.phase();
  return snapshot;
}

function usageError(action: string, message: string): UsageError {
  return new UsageError(`memtrace heap ${action}: ${message} (see memtrace heap ${action} --help)`);
}

/** A positive whole number from --limit or --max, or the fallback when not given. */
function count(action: string, flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw usageError(action, `--${flag} takes a positive whole number (not ${JSON.stringify(text)})`);
  return value;
}

function outputFormat(action: string, values: { json?: boolean; csv?: boolean }): 'json' | 'csv' | 'table' {
  if (values.json && values.csv) throw usageError(action, 'give --json or --csv, not both');
  return values.json ? 'json' : values.csv ? 'csv' : 'table';
}

const out = (text: string) => process.stdout.write(text);
const json = (value: unknown) => out(`${JSON.stringify(value, null, 2)}\n`);

const summaryCommand = defineCommand({
  name: 'summary',
  summary: 'objects by kind: count, self and retained size',
  synopsis: ['FILE... [--by constructor|type|via] [--limit N] [--json | --csv]'],
  options: {
    by: { type: 'string', value: 'KIND', default: 'constructor', description: `group objects by ${CLASSIFIERS.join(', ')}` },
    limit: { type: 'string', value: 'N', default: '30', description: 'rows in the table' },
    ...OUTPUT,
  },
  examples: ['memtrace heap summary app.heapsnapshot', 'memtrace heap summary app.heapsnapshot --by type --limit 10'],
  async run(values, positionals) {
    if (positionals.length === 0) throw usageError('summary', 'name a snapshot file');
    const format = outputFormat('summary', values);
    const by = (values.by ?? 'constructor') as Classifier;
    if (!CLASSIFIERS.includes(by)) throw usageError('summary', `--by takes ${CLASSIFIERS.join(', ')} (not ${JSON.stringify(values.by)})`);
    const limit = count('summary', 'limit', values.limit, 30);
    const results = [];
    for (const file of positionals) {
      const rows = (await load(file)).summary({ by });
      results.push({ file, by, rows });
      if (format === 'csv') out(summaryCsv(rows, by));
      else if (format === 'table') out(`${positionals.length > 1 ? `${file}:\n` : ''}${summaryTable(rows, by, limit)}`);
    }
    if (format === 'json') json(results.length === 1 ? results[0] : results);
    return 0;
  },
});

const pathsCommand = defineCommand({
  name: 'paths',
  summary: 'shortest retainer paths from the GC roots to the objects of a constructor, or to one object',
  synopsis: ['FILE (--constructor NAME | --id N) [--max N] [--internals] [--json | --csv]'],
  options: {
    constructor: { type: 'string', value: 'NAME', description: 'paths to objects made by this constructor (class name)' },
    id: { type: 'string', value: 'N', description: 'the path to the object with this node id' },
    max: { type: 'string', value: 'N', default: '5', description: 'paths shown' },
    internals: { type: 'boolean', description: "paths may go through V8's internals (hidden classes, code) as readily as user references" },
    ...OUTPUT,
  },
  examples: ['memtrace heap paths app.heapsnapshot --constructor Session', 'memtrace heap paths app.heapsnapshot --id 12345 --json'],
  async run(values, positionals) {
    if (positionals.length !== 1) throw usageError('paths', 'name one snapshot file');
    const format = outputFormat('paths', values);
    if ((values.constructor === undefined) === (values.id === undefined)) throw usageError('paths', 'give --constructor NAME or --id N');
    const id = values.id === undefined ? undefined : Number(values.id);
    if (id !== undefined && !Number.isInteger(id)) throw usageError('paths', `--id takes a node id (not ${JSON.stringify(values.id)})`);
    const max = count('paths', 'max', values.max, 5);
    const snapshot = await load(positionals[0]);
    const paths = snapshot.paths({ className: values.constructor, id, max, internals: values.internals });
    if (format === 'json') json({ file: snapshot.file, paths });
    else if (format === 'csv') out(pathsCsv(paths));
    else out(pathsTable(paths));
    return 0;
  },
});

const diffCommand = defineCommand({
  name: 'diff',
  summary: 'what grew between snapshots A and B; with C, the objects new in B still alive in C (the leak)',
  synopsis: ['A B [C] [--limit N] [--growth] [--json | --csv]'],
  options: {
    limit: { type: 'string', value: 'N', default: '20', description: 'rows in the table' },
    growth: { type: 'boolean', description: 'with --csv: the growth by constructor rather than the new objects' },
    ...OUTPUT,
  },
  examples: [
    'memtrace heap diff before.heapsnapshot after.heapsnapshot',
    'memtrace heap diff a.heapsnapshot b.heapsnapshot c.heapsnapshot --limit 10',
  ],
  async run(values, positionals) {
    if (positionals.length < 2 || positionals.length > 3) throw usageError('diff', 'takes two or three snapshot files: A B [C]');
    const format = outputFormat('diff', values);
    const limit = count('diff', 'limit', values.limit, 20);
    const snapshots: HeapSnapshot[] = [];
    for (const [i, file] of positionals.entries()) snapshots.push(await load(file, i === positionals.length - 1));
    const diff = diffSnapshots(snapshots[0], snapshots[1], snapshots[2]);
    if (format === 'json') json(diff);
    else if (format === 'csv') out(values.growth ? growthCsv(diff) : diffCsv(diff));
    else out(diffTable(diff, limit));
    return 0;
  },
});

const topCommand = defineCommand({
  name: 'top',
  summary: 'the objects that retain most, with their retainer paths',
  synopsis: ['FILE... [--limit N] [--json | --csv]'],
  options: {
    limit: { type: 'string', value: 'N', default: '20', description: 'objects shown' },
    ...OUTPUT,
  },
  examples: ['memtrace heap top app.heapsnapshot', 'memtrace heap top app.heapsnapshot --limit 5 --csv'],
  async run(values, positionals) {
    if (positionals.length === 0) throw usageError('top', 'name a snapshot file');
    const format = outputFormat('top', values);
    const limit = count('top', 'limit', values.limit, 20);
    const results = [];
    for (const file of positionals) {
      const rows = (await load(file)).top({ limit });
      results.push({ file, rows });
      if (format === 'csv') out(topCsv(rows));
      else if (format === 'table') out(`${positionals.length > 1 ? `${file}:\n` : ''}${topTable(rows)}`);
    }
    if (format === 'json') json(results.length === 1 ? results[0] : results);
    return 0;
  },
});

export const heapCommand = defineCommand({
  name: 'heap',
  summary: 'analyse V8 heap snapshots: what is alive, what retains it, what grew',
  synopsis: ['summary|paths|diff|top FILE... [options]'],
  details: 'Snapshots are read streaming, with a progress bar on a terminal; docs/heap-snapshots.md.',
  options: {},
  examples: [
    'memtrace heap summary app.heapsnapshot',
    'memtrace heap diff a.heapsnapshot b.heapsnapshot c.heapsnapshot',
    'memtrace heap top --help',
  ],
  subcommands: [summaryCommand, pathsCommand, diffCommand, topCommand],
});
