/**
 * The descendants of a process, found by parent pid. This kernel (like many) has no
 * /proc/PID/task/TID/children, so each sample lists /proc and reads the stat line only of pids it
 * has not seen before (a pid that disappears is forgotten, so a reused pid is read again). Listing
 * /proc costs ~0.3 ms, so it is skipped while no process was created on the machine since the last
 * listing (the last pid the kernel handed out, in /proc/loadavg, is unchanged), except once a second.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
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

  private readonly loadavg = openSync('/proc/loadavg', 'r');
  private readonly buffer = Buffer.alloc(128);
  private lastPid = '';
  private listedAt = 0;
  private previous: number[] = [];

  constructor(readonly root: number) {}

  /**
   * The root and every process below it, parents before children: listed again when a process may
   * have been created since, else the previous list (a member that exited since is then still in it:
   * its read fails and it is left out of the sample).
   */
  members(): number[] {
    const n = readSync(this.loadavg, this.buffer, 0, this.buffer.length, 0);
    const lastPid = this.buffer
      .toString('latin1', 0, n)
      .slice(this.buffer.lastIndexOf(32, n) + 1)
      .trim();
    const now = performance.now();
    if (lastPid === this.lastPid && now - this.listedAt < 1000) return this.previous;
    this.lastPid = lastPid;
    this.listedAt = now;
    this.previous = this.list();
    return this.previous;
  }

  close(): void {
    closeSync(this.loadavg);
  }

  private list(): number[] {
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
    for (let i = 0; i < members.length; i++) for (const child of children.get(members[i]) ?? []) add(child);
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
