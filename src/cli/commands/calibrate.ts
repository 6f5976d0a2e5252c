import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { printCalibration } from '../calibrate.js';

export const calibrateCommand: Command = {
  name: 'calibrate',
  usage: `calibrate                           print what the probes cost per call on this machine`,
  run(args) {
    parseArgs({ args, options: {} });
    printCalibration();
    return 0;
  },
};
