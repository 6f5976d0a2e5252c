/** Axis ticks a person reads easily: 1, 2 or 5 times a power of ten (seconds) or of 1024 units (bytes). */

import { BYTE_UNITS } from '../shared/units.js';

export interface Axis {
  max: number;
  ticks: number[];
  /** Formats a tick value for the axis. */
  format(value: number): string;
  title: string;
}

function niceStep(range: number, targetTicks: number): number {
  const rough = range / targetTicks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough)!;
  return step;
}

function ticksTo(max: number, step: number): number[] {
  const ticks: number[] = [];
  for (let value = 0; value <= max + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

export function timeAxis(endS: number): Axis {
  const range = endS > 0 ? endS : 1;
  const step = niceStep(range, 8);
  const max = Math.ceil(range / step - 1e-9) * step;
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return { max, ticks: ticksTo(max, step), format: (value) => value.toFixed(digits), title: 'time (s)' };
}

export function bytesAxis(maxBytes: number): Axis {
  const top = maxBytes > 0 ? maxBytes * 1.05 : 1024;
  let unit = 0;
  while (top / 1024 ** unit >= 1024 * 2 && unit < BYTE_UNITS.length - 1) unit++;
  const scale = 1024 ** unit;
  const step = niceStep(top / scale, 6);
  const max = Math.ceil(top / scale / step - 1e-9) * step;
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return {
    max: max * scale,
    ticks: ticksTo(max, step).map((tick) => tick * scale),
    format: (value) => (value / scale).toFixed(digits),
    title: `memory (${BYTE_UNITS[unit]})`,
  };
}
