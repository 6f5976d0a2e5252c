import { defineCommand } from '../command.js';
import { printCalibration } from '../print-calibration.js';

export const calibrateCommand = defineCommand({
  name: 'calibrate',
  summary: 'what the probes cost per call on this machine (what the tracer subtracts)',
  synopsis: [''],
  options: {},
  examples: ['memtrace calibrate', 'MEMTRACE_COUNTERS=js memtrace calibrate'],
  run() {
    printCalibration();
    return 0;
  },
});
