/**
 * A disk cache of instrumented modules, keyed by a hash of the source, the file name, memtrace's
 * version and the settings that change the output (as babel-register and nyc do), so a second run skips
 * parsing. Entries are written whole (temporary file, then rename); a failing cache only costs speed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TransformCache {
  private ready = false;

  constructor(private readonly directory: string = join(tmpdir(), 'memtrace-cache')) {}

  key(source: string, ...parts: string[]): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part).update('\0');
    return hash.update(source).digest('hex').slice(0, 40);
  }

  get(key: string): string | undefined {
    try {
      return readFileSync(join(this.directory, `${key}.js`), 'utf8');
    } catch {
      return undefined;
    }
  }

  set(key: string, code: string): void {
    try {
      if (!this.ready) {
        mkdirSync(this.directory, { recursive: true });
        this.ready = true;
      }
      const path = join(this.directory, `${key}.js`);
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, code);
      renameSync(temporary, path);
    } catch {
      // Read-only or full disk: run without the cache.
    }
  }
}

let fingerprint: string | undefined;

/** A hash of the transform's own code, so a cache never hands out output of another build. */
export function transformFingerprint(): string {
  if (fingerprint) return fingerprint;
  const directory = new URL('./', import.meta.url);
  const hash = createHash('sha256');
  for (const name of readdirSync(directory)
    .filter((n) => n.endsWith('.js'))
    .sort())
    hash.update(readFileSync(new URL(name, directory)));
  fingerprint = hash.digest('hex').slice(0, 16);
  return fingerprint;
}
