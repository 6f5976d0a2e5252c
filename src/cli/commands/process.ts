import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { SettingError } from '../../errors.js';
import { LabelFifo } from '../../process/label-fifo.js';
import { LiveView } from '../../process/live-view.js';
import { watchCommand, watchPid } from '../../process/run-watched.js';
import type { WatchOptions } from '../../process/watcher.js';
import { parseIntervalSetting, parseSmapsInterval } from '../../process/settings.js';

const USAGE = `process [options] -- CMD ARGS...   memory of a command and its children over time, to CSV
      process [options] --pid N         the same for a running process
  --interval S   seconds between samples (default 0.1)
  --out FILE     the CSV to write (default memtrace-process-<pid>.csv)
  --labels PATH  a FIFO (created if missing): each line written to it labels the next sample
  --live         a table of the latest sample on stderr (plain lines when not a terminal)
  --smaps-interval S  seconds between USS/PSS reads (default 1; 0: none): smaps_rollup costs
                 milliseconds per node process, so other rows leave uss/pss empty`;

export const processCommand: Command = {
  name: 'process',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        interval: { type: 'string' },
        out: { type: 'string' },
        pid: { type: 'string' },
        labels: { type: 'string' },
        live: { type: 'boolean' },
        'smaps-interval': { type: 'string' },
      },
    });
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
};
