/**
 * limitLeaks' second stage: what accumulates and why it is kept. Three heap snapshots of this thread
 * with one round of calls between each; the objects allocated between the first and the second and
 * still alive in the third (src/heap/diff.ts, as `memtrace heap diff a b c`) grouped by retainer
 * path. The snapshots go to the temporary directory and are deleted once read. Loaded only when the
 * first stage sees growth: snapshots stop the thread while V8 walks the heap.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '../shared/units.js';
import { diffSnapshots, type LeakGroup } from '../heap/diff.js';
import { readSnapshot } from '../heap/heap-snapshot.js';
import { writeSnapshot } from '../heap/live/write-snapshot.js';

export interface Accumulation {
  /** Self size of the objects one round made and kept. */
  bytes: number;
  /** The groups, as lines of the failure message. */
  text: string;
}

const GROUPS_SHOWN = 3;

function snapshotFile(n: number): string {
  return join(tmpdir(), `memtrace-limit-leaks-${process.pid}-${Date.now()}-${n}.heapsnapshot`);
}

function describeGroup(group: LeakGroup, calls: number, rank: number): string {
  const perCall = group.count / calls;
  const rate = perCall >= 0.95 ? `${Number(perCall.toFixed(perCall < 10 ? 1 : 0))} per call` : `1 per ${Math.round(1 / perCall)} calls`;
  const classes =
    group.classes
      .slice(0, 3)
      .map((c) => `${c.count} ${c.name}`)
      .join(', ') + (group.classes.length > 3 ? ', …' : '');
  return [
    `  #${rank} ${group.count} objects from ${calls} calls (${rate}), ${formatBytes(group.selfSize)} (${formatBytes(group.selfSize / calls)} per call): ${classes}`,
    `     held by ${group.path}`,
  ].join('\n');
}

/**
 * A group grows with the calls when it holds at least one object per MAX_CALLS_PER_OBJECT calls (and
 * more than a handful): the few objects of whatever was in flight at a snapshot (a pending promise's
 * reaction, a string being built) are not counted.
 */
const MAX_CALLS_PER_OBJECT = 20;
const FEWEST_OBJECTS = 4;

function accumulates(group: LeakGroup, calls: number): boolean {
  return group.count >= FEWEST_OBJECTS && group.count * MAX_CALLS_PER_OBJECT >= calls;
}

/** Runs `round` twice between three snapshots; what the first of those rounds left alive. */
export async function findAccumulation(round: () => Promise<void>, calls: number): Promise<Accumulation> {
  const files = [snapshotFile(1), snapshotFile(2), snapshotFile(3)];
  try {
    writeSnapshot(files[0]);
    await round();
    writeSnapshot(files[1]);
    await round();
    writeSnapshot(files[2]);
    const [a, b, c] = [await readSnapshot(files[0]), await readSnapshot(files[1]), await readSnapshot(files[2])];
    const diff = diffSnapshots(a, b, c);
    const growing = diff.leaks.filter((group) => accumulates(group, calls));
    const bytes = growing.reduce((sum, group) => sum + group.selfSize, 0);
    const shown = growing.slice(0, GROUPS_SHOWN).map((group, i) => describeGroup(group, calls, i + 1));
    const more =
      growing.length > GROUPS_SHOWN
        ? [`  … ${growing.length - GROUPS_SHOWN} more groups (memtrace heap diff on your own snapshots shows all)`]
        : [];
    return {
      bytes,
      text: [`  objects made by ${calls} calls and still alive after ${calls} more, by retainer path:`, ...shown, ...more].join('\n'),
    };
  } finally {
    await Promise.all(files.map((file) => rm(file, { force: true })));
  }
}
