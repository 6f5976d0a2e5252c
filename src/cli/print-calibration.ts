/** `memtrace calibrate`: what one traced call's probes cost on this machine. */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { settingsFromEnv } from '../shared/settings.js';
import { Tracer } from '../tracer/tracer.js';
import { calibrationTransform } from '../../loader/transform-module.js';

export function printCalibration(): void {
  const settings = { ...settingsFromEnv(), out: tmpdir() };
  const tracer = new Tracer(settings, calibrationTransform(settings)).start();
  tracer.stop();
  rmSync(tracer.directory, { recursive: true, force: true });
  const c = tracer.calibrationFigures;
  const rows: Array<[string, string]> = [
    ['counters', tracer.counterKind],
    ['bytes per measured call (own)', c.selfBytes.toFixed(1)],
    ['bytes per nested measured call', c.nestedBytes.toFixed(1)],
    ['ns per measured call (own)', c.selfNs.toFixed(0)],
    ['ns per nested measured call', c.nestedNs.toFixed(0)],
    ['ns per counted call', c.countedNs.toFixed(1)],
    ['calls run', String(c.samples)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) process.stdout.write(`${key.padEnd(width)}  ${value}\n`);
}
