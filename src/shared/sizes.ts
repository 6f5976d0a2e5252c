/**
 * Sizes as people write them, for every flag and setting that takes one. At the bottom of the layers:
 * the tracer's settings read it, and so does the CLI. (Printing sizes is src/shared/units.ts.)
 */

const SIZE_FACTORS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/**
 * `4096`, `64KiB`, `512 KB`, `1.5 GiB`: KB/MB/GB are powers of 1000, KiB/MiB/GiB and the bare K/M/G of
 * Node's own flags powers of 1024; case and a space before the unit do not matter. Undefined when
 * `text` is not one.
 */
export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const factor = match[2] === '' ? 1 : SIZE_FACTORS[match[2].toLowerCase()];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}
