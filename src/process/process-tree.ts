/**
 * The descendants of a process, found by parent pid. This kernel (like many) has no
 * /proc/PID/task/TID/children, so each sample lists /proc and reads the stat line only of pids it
 * has not seen before (a pid that disappears is forgotten, so a reused pid is read again).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseStat } from './proc-reader.js';

interface Known {
  ppid: number;
}

export class ProcessTree {
  private readonly known = new Map<number, Known>();
  /**
   * Every process found below the root so far. One whose parent exits is re-parented (to init or a
   * subreaper) but stays watched: a daemon started by a shell script is still the run's process.
   */
  private readonly seen = new Set<number>();

  constructor(readonly root: number) {}

  /** The root and every process below it now, parents before children. */
  members(): number[] {
    const children = new Map<number, number[]>();
    const alive = new Set<number>();
    for (const name of readdirSync('/proc')) {
      const code = name.charCodeAt(0);
      if (code < 48 || code > 57) continue;
      const pid = Number(name);
      alive.add(pid);
      let entry = this.known.get(pid);
      if (!entry) {
        entry = this.readParent(pid);
        if (!entry) continue;
        this.known.set(pid, entry);
      }
      const list = children.get(entry.ppid);
      if (list) list.push(pid);
      else children.set(entry.ppid, [pid]);
    }
    for (const pid of this.known.keys()) if (!alive.has(pid)) this.known.delete(pid);
    for (const pid of this.seen) if (!alive.has(pid)) this.seen.delete(pid);
    const members: number[] = [];
    const add = (pid: number): void => {
      if (members.includes(pid)) return;
      members.push(pid);
      this.seen.add(pid);
    };
    if (alive.has(this.root)) add(this.root);
    for (const pid of this.seen) if (!members.includes(pid)) add(pid);
    for (let i = 0; i < members.length; i++) for (const child of children.get(members[i]!) ?? []) add(child);
    return members;
  }

  private readParent(pid: number): Known | undefined {
    try {
      const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
      return { ppid: stat.ppid };
    } catch {
      return undefined;
    }
  }
}
