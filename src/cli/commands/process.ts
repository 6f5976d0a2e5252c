import { defineCommand, UsageError } from '../command.js';
import { SettingError } from '../../shared/errors.js';
import { LabelFifo } from '../../process/label-fifo.js';
import { LiveView } from '../../process/live-view.js';
import { watchCommand, watchPid } from '../../process/run-watched.js';
import type { WatchOptions } from '../../process/watcher.js';
import { parseIntervalSetting, parseSmapsInterval } from '../../process/settings.js';

export const processCommand = defineCommand({
  name: 'process',
  summary: 'memory of a command and its children, or of a running process, over time, to CSV',
  synopsis: ['[options] -- CMD ARGS...', '[options] --pid N'],
  details:
    "One row per process and sample: RSS, USS/PSS, page faults, CPU time, threads and open files, with each process's parent. The CSV plots with memtrace plot; docs/process.md.",
  options: {
    interval: { type: 'string', value: 'S', default: '0.1', description: 'seconds between samples' },
    out: { type: 'string', value: 'FILE', default: 'memtrace-process-<pid>.csv', description: 'the CSV to write' },
    pid: { type: 'string', value: 'N', description: 'watch a running process instead of starting a command' },
    labels: { type: 'string', value: 'PATH', description: 'a FIFO (created if missing): each line written to it labels the next sample' },
    live: { type: 'boolean', description: 'a table of the latest sample on stderr (plain lines when not a terminal)' },
    'smaps-interval': {
      type: 'string',
      value: 'S',
      default: '1; 0: none',
      description: 'seconds between USS/PSS reads: smaps_rollup costs milliseconds per node process, so other rows leave uss/pss empty',
    },
  },
  examples: [
    'memtrace process --out memory.csv -- node app.js',
    'memtrace process --interval 1 --live --out memory.csv -- node app.js',
    'memtrace process --pid 4242 --out memory.csv',
  ],
  async run(values, positionals) {
    const intervalS = parseIntervalSetting(values.interval, '--interval');
    let pid: number | undefined;
    if (values.pid !== undefined) {
      pid = Number(values.pid);
      if (!Number.isInteger(pid) || pid <= 0) throw new SettingError('--pid', values.pid, 'a process id (a positive whole number)');
      if (positionals.length > 0) throw new UsageError('memtrace process: give either --pid N or -- CMD ARGS..., not both');
    } else if (positionals.length === 0) {
      throw new UsageError('memtrace process: name a command (memtrace process -- CMD ARGS...) or a running process (--pid N)');
    }
    const labels = values.labels === undefined ? undefined : new LabelFifo(values.labels);
    const live = values.live ? new LiveView(process.stderr) : undefined;
    const options: WatchOptions = {
      intervalS,
      out: values.out ?? `memtrace-process-${pid ?? process.pid}.csv`,
      smapsIntervalS: parseSmapsInterval(values['smaps-interval'], '--smaps-interval'),
      onSample: live ? (rows) => live.update(rows) : undefined,
      takeLabels: labels ? () => labels.take() : undefined,
    };
    try {
      return pid === undefined ? await watchCommand(positionals, options) : await watchPid(pid, options);
    } finally {
      labels?.close();
    }
  },
});
