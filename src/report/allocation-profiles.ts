/**
 * Finding and loading the allocation profiles of a trace directory: `.heapprofile` files (V8's sampling
 * heap profile, as `memtrace run --alloc` and `node --heap-prof` write them) in the directory itself
 * or its `allocations/` folder, merged into one flame tree.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { TraceFileError } from '../shared/errors.js';
import { basename, join } from 'node:path';
import { readHeapProfile } from '../formats/heap-profile.js';
import { flameTreeFromHeapProfile, mergeFlameTrees, type FlameNode } from './flame-tree.js';

export const HEAP_PROFILE_EXTENSION = '.heapprofile';

/** The `.heapprofile` files of `directory` and of `directory/allocations`, sorted by name. */
export function findHeapProfiles(directory: string): string[] {
  const found: string[] = [];
  for (const folder of [directory, join(directory, 'allocations')]) {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder).sort()) {
      if (name.endsWith(HEAP_PROFILE_EXTENSION)) found.push(join(folder, name));
    }
  }
  return found;
}

/** One tree of every profile; with several, each is a child of the root named by its file. */
export function loadAllocationTree(paths: readonly string[]): FlameNode {
  return mergeFlameTrees(
    paths.map((path) => ({ label: basename(path, HEAP_PROFILE_EXTENSION), tree: flameTreeFromHeapProfile(readHeapProfile(path)) })),
  );
}

/** The allocation profiles a path names: a `.heapprofile` file, or those of a directory. */
export function allocationProfilesOf(path: string): string[] {
  if (!existsSync(path)) throw new TraceFileError(path, 'no such file or directory');
  if (!statSync(path).isDirectory()) {
    if (!path.endsWith(HEAP_PROFILE_EXTENSION)) throw new TraceFileError(path, `not a trace directory or a ${HEAP_PROFILE_EXTENSION} file`);
    return [path];
  }
  const profiles = findHeapProfiles(path);
  if (profiles.length === 0)
    throw new TraceFileError(
      path,
      `no allocation profiles (*${HEAP_PROFILE_EXTENSION} here or in allocations/); record them with memtrace run --alloc`,
    );
  return profiles;
}

export function loadAllocations(path: string): FlameNode {
  return loadAllocationTree(allocationProfilesOf(path));
}
