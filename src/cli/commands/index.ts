/** Every `memtrace` command, in the order `memtrace --help` lists them: the table main.ts dispatches on and the help is made from. */
import type { Command } from '../command.js';
import { runCommand } from './run.js';
import { reportCommand } from './report.js';
import { calibrateCommand } from './calibrate.js';
import { heapCommand } from './heap.js';
import { processCommand } from './process.js';
import { plotCommand } from './plot.js';
import { checkCommand } from './check.js';
import { queryCommand } from './query.js';
import { exportCommand } from './export.js';

export const COMMANDS: readonly Command[] = [
  runCommand,
  reportCommand,
  queryCommand,
  exportCommand,
  processCommand,
  plotCommand,
  heapCommand,
  checkCommand,
  calibrateCommand,
];
