/**
 * pprof (profile.proto, gzipped), through the pprof-format package: sample types `samples/count` and
 * `space/bytes`; a location per function and line, so `pprof -list` and `-lines` show the allocating
 * statement where it is known (the innermost location of a sample), the function's start elsewhere.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { TraceFileError } from '../shared/errors.js';
import { framesOf, type SnapshotData } from './allocation-model.js';

export function pprofOf(data: SnapshotData, startTime: Date): Profile {
  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const functionIds = new Map<string, number>();
  const locations: Location[] = [];
  const locationIds = new Map<string, number>();
  const functionId = (name: string, file: string, startLine: number): number => {
    const key = `${name}\0${file}\0${startLine}`;
    let id = functionIds.get(key);
    if (id === undefined) {
      id = functions.length + 1;
      functions.push(
        new PprofFunction({ id, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup(file), startLine }),
      );
      functionIds.set(key, id);
    }
    return id;
  };
  const locationId = (fn: number, line: number): number => {
    const key = `${fn}:${line}`;
    let id = locationIds.get(key);
    if (id === undefined) {
      id = locations.length + 1;
      locations.push(new Location({ id, line: [new Line({ functionId: fn, line })] }));
      locationIds.set(key, id);
    }
    return id;
  };
  const samples: Sample[] = [];
  for (const trace of data.traces) {
    const bytes = Math.round(trace.bytes);
    if (bytes <= 0) continue;
    const frames = framesOf(data, trace.stack);
    const ids = frames.map((f, i) => {
      const fn = functionId(f.function, f.file, f.line ?? 0);
      return locationId(fn, i === 0 && trace.line !== null ? trace.line : (f.line ?? 0));
    });
    samples.push(new Sample({ locationId: ids, value: [Math.max(1, Math.round(trace.count)), bytes] }));
  }
  return new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup('space'), unit: strings.dedup('bytes') }),
    ],
    periodType: new ValueType({ type: strings.dedup('space'), unit: strings.dedup('bytes') }),
    period: data.samplingInterval,
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: BigInt(startTime.getTime()) * 1_000_000n,
    defaultSampleType: strings.dedup('space'),
  });
}

export function encodePprof(profile: Profile): Buffer {
  return gzipSync(profile.encode());
}

/** Reads a pprof file (gzipped or not) with pprof-format's decoder. */
export function readPprof(path: string): Profile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new TraceFileError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
    const profile = Profile.decode(raw);
    if (profile.sampleType.length === 0) throw new Error('no sample types');
    return profile;
  } catch (error) {
    throw new TraceFileError(path, `not a pprof profile (${(error as Error).message})`);
  }
}
