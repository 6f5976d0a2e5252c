import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import type { Classifier } from '../../heap/classify.js';
import { CLASSIFIERS } from '../../heap/classify.js';
import { diffSnapshots } from '../../heap/diff.js';
import { progressBar } from '../../heap/progress.js';
import { diffCsv, diffTable, growthCsv, pathsCsv, pathsTable, summaryCsv, summaryTable, topCsv, topTable } from '../../heap/report.js';
import type { HeapSnapshot } from '../../heap/snapshot.js';
import { readSnapshot } from '../../heap/snapshot.js';

const USAGE = `heap summary|paths|diff|top FILE...  analyse V8 heap snapshots (.heapsnapshot)
    summary FILE... [--by constructor|type|via] [--limit N]   objects by kind: count, self and retained size
    paths FILE (--constructor NAME | --id N) [--max N]        shortest retainer paths from the GC roots
      [--internals]  paths may go through V8's internals (hidden classes, code) as readily as user references
    diff A B [C] [--limit N] [--growth]                         what grew; objects new since A still alive
    top FILE... [--limit N]                                     the objects that retain most, with their paths
    --json | --csv   machine-readable output (sizes in bytes) instead of a table`;

function usageError(message: string): UsageError {
  return new UsageError(`memtrace heap: ${message} (see memtrace --help)`);
}

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

export const heapCommand: Command = {
  name: 'heap',
  usage: USAGE,
  async run(args) {
    const [action, ...rest] = args;
    // `constructor` cannot be a key of parseArgs' typed options (it is every object's), so --constructor is read as --class.
    const renamed = rest.map((arg) => arg.replace(/^--constructor(?=$|=)/, '--class'));
    const { values, positionals } = parseArgs({
      args: renamed,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
        by: { type: 'string' },
        limit: { type: 'string' },
        max: { type: 'string' },
        class: { type: 'string' },
        id: { type: 'string' },
        growth: { type: 'boolean' },
        internals: { type: 'boolean' },
      },
    });
    const number = (flag: 'limit' | 'max', fallback: number) => {
      const text = values[flag];
      if (text === undefined) return fallback;
      const value = Number(text);
      if (!Number.isInteger(value) || value <= 0) throw usageError(`--${flag} takes a positive whole number (not ${JSON.stringify(text)})`);
      return value;
    };
    if (values.json && values.csv) throw usageError('give --json or --csv, not both');
    const format = values.json ? 'json' : values.csv ? 'csv' : 'table';
    const out = (text: string) => process.stdout.write(text);
    const json = (value: unknown) => out(`${JSON.stringify(value, null, 2)}\n`);
    switch (action) {
      case 'summary': {
        if (positionals.length === 0) throw usageError('summary needs a snapshot file');
        const by = (values.by ?? 'constructor') as Classifier;
        if (!CLASSIFIERS.includes(by)) throw usageError(`--by takes ${CLASSIFIERS.join(', ')} (not ${JSON.stringify(values.by)})`);
        const limit = number('limit', 30);
        const results = [];
        for (const file of positionals) {
          const rows = (await load(file)).summary({ by });
          results.push({ file, by, rows });
          if (format === 'csv') out(summaryCsv(rows, by));
          else if (format === 'table') out(`${positionals.length > 1 ? `${file}:\n` : ''}${summaryTable(rows, by, limit)}`);
        }
        if (format === 'json') json(results.length === 1 ? results[0] : results);
        return 0;
      }
      case 'paths': {
        if (positionals.length !== 1) throw usageError('paths takes one snapshot file');
        if ((values.class === undefined) === (values.id === undefined)) throw usageError('paths needs --constructor NAME or --id N');
        const id = values.id === undefined ? undefined : Number(values.id);
        if (id !== undefined && !Number.isInteger(id)) throw usageError(`--id takes a node id (not ${JSON.stringify(values.id)})`);
        const snapshot = await load(positionals[0]!);
        const paths = snapshot.paths({ className: values.class, id, max: number('max', 5), internals: values.internals });
        if (format === 'json') json({ file: snapshot.file, paths });
        else if (format === 'csv') out(pathsCsv(paths));
        else out(pathsTable(paths));
        return 0;
      }
      case 'diff': {
        if (positionals.length < 2 || positionals.length > 3) throw usageError('diff takes two or three snapshot files: A B [C]');
        const snapshots: HeapSnapshot[] = [];
        for (const [i, file] of positionals.entries()) snapshots.push(await load(file, i === positionals.length - 1));
        const diff = diffSnapshots(snapshots[0]!, snapshots[1]!, snapshots[2]);
        if (format === 'json') json(diff);
        else if (format === 'csv') out(values.growth ? growthCsv(diff) : diffCsv(diff));
        else out(diffTable(diff, number('limit', 20)));
        return 0;
      }
      case 'top': {
        if (positionals.length === 0) throw usageError('top needs a snapshot file');
        const results = [];
        for (const file of positionals) {
          const rows = (await load(file)).top({ limit: number('limit', 20) });
          results.push({ file, rows });
          if (format === 'csv') out(topCsv(rows));
          else if (format === 'table') out(`${positionals.length > 1 ? `${file}:\n` : ''}${topTable(rows)}`);
        }
        if (format === 'json') json(results.length === 1 ? results[0] : results);
        return 0;
      }
      default:
        throw usageError(action ? `unknown action ${JSON.stringify(action)} (summary, paths, diff, top)` : 'name an action: summary, paths, diff or top');
    }
  },
};
