/**
 * native.pb.gz: the native allocations of a `memtrace run --native` as a pprof heap profile
 * (profile.proto, gzipped, through pprof-format), for `pprof`, speedscope and the like. Sample types
 * as Go's heap profiles: alloc_objects/count, alloc_space/bytes, inuse_space/bytes (live at exit).
 * One location per frame of native-stacks.csv (the JS function last, as `js: name`), one sample per
 * row of native-allocations.csv.
 */
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { JS_FRAME_PREFIX, type NativeAllocationRow, type NativeStackRow } from './native-csv.js';

export const NATIVE_PPROF_FILE = 'native.pb.gz';

export function nativePprofOf(rows: readonly NativeAllocationRow[], stacks: readonly NativeStackRow[], interval: number): Profile {
  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const locationIds = new Map<string, number>();
  const locationOf = (frame: string): number => {
    let id = locationIds.get(frame);
    if (id === undefined) {
      id = locations.length + 1;
      const js = frame.startsWith(JS_FRAME_PREFIX);
      // `js: name (file:line)`; a native frame is its own name (symbol+offset and object).
      const match = js ? /^js: (.*) \((.*):(\d+)\)$/.exec(frame) : null;
      const name = match ? match[1] : frame;
      functions.push(
        new PprofFunction({
          id,
          name: strings.dedup(name),
          systemName: strings.dedup(frame),
          filename: strings.dedup(match ? match[2] : ''),
          startLine: match ? Number(match[3]) : 0,
        }),
      );
      locations.push(new Location({ id, line: [new Line({ functionId: id, line: match ? Number(match[3]) : 0 })] }));
      locationIds.set(frame, id);
    }
    return id;
  };
  const framesById = new Map(stacks.map((s) => [s.nativeStackId, s.frames]));
  const samples = rows.map(
    (row) =>
      new Sample({
        locationId: (framesById.get(row.nativeStackId) ?? []).map(locationOf),
        value: [Math.round(row.allocatedCount), Math.round(row.allocatedBytes), Math.round(row.liveBytesAtExit)],
        label: [],
      }),
  );
  const type = (t: string, unit: string) => new ValueType({ type: strings.dedup(t), unit: strings.dedup(unit) });
  return new Profile({
    sampleType: [type('alloc_objects', 'count'), type('alloc_space', 'bytes'), type('inuse_space', 'bytes')],
    periodType: type('space', 'bytes'),
    period: interval,
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    defaultSampleType: strings.dedup('inuse_space'),
  });
}
