/**
 * One process's figures from Linux's /proc: what `memtrace process` logs per process per sample.
 * Sizes in bytes, times in seconds. Reads are synchronous and small (a few hundred bytes each);
 * smaps_rollup is the costly one (the kernel walks every mapping), so it can be left out.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcSample {
  pid: number;
  ppid: number;
  command: string;
  rss: number;
  /** Private (unshared) resident bytes; null where smaps_rollup is not readable. */
  uss: number | null;
  /** Proportional set size; null where smaps_rollup is not readable. */
  pss: number | null;
  pageFaults: number;
  cpuUserS: number;
  cpuSysS: number;
  threads: number;
  /** Open file descriptors; null where /proc/PID/fd is not readable (another user's process). */
  fds: number | null;
}

/**
 * /proc/PID/stat counts CPU time in clock ticks of USER_HZ, which the kernel fixes at 100 for every
 * architecture Node runs on (the ABI value `getconf CLK_TCK` prints), whatever its internal HZ.
 */
const TICKS_PER_SECOND = 100;

const PF_EXITING = 0x4;

/** The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
interface StatFields {
  comm: string;
  /** R, S, D, Z (zombie: exited, not yet reaped) ... */
  state: string;
  /** The kernel's PF_* flags of the task. */
  flags: number;
  ppid: number;
  minorFaults: number;
  majorFaults: number;
  utimeTicks: number;
  stimeTicks: number;
  threads: number;
  startTicks: number;
}

export function parseStat(text: string): StatFields {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const field = (n: number): number => Number(rest[n - 3]);
  return {
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '',
    flags: field(9),
    ppid: field(4),
    minorFaults: field(10),
    majorFaults: field(12),
    utimeTicks: field(14),
    stimeTicks: field(15),
    threads: field(20),
    startTicks: field(22),
  };
}

/** `Key:   1234 kB` lines of status and smaps_rollup, in bytes. */
function kilobyteField(text: string, key: string): number | null {
  const at = text.indexOf(`\n${key}:`);
  const start = at >= 0 ? at + key.length + 2 : text.startsWith(`${key}:`) ? key.length + 1 : -1;
  if (start < 0) return null;
  return Number.parseInt(text.slice(start, text.indexOf('\n', start) >>> 0).trim(), 10) * 1024;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

export function commandLine(pid: number, fallback: string): string {
  const cmdline = readOrNull(`/proc/${pid}/cmdline`);
  if (!cmdline) return fallback;
  return cmdline.replace(/\0+$/, '').replaceAll('\0', ' ');
}

export interface ReadOptions {
  /** Read USS/PSS from smaps_rollup (default true). */
  smaps?: boolean;
  /** The command column, if known (saves reading cmdline at every sample). */
  command?: string;
}

/** The figures of one process now, or null if it is exiting or has exited (a zombie included), or was never there. */
export function readProc(pid: number, options: ReadOptions = {}): ProcSample | null {
  const statText = readOrNull(`/proc/${pid}/stat`);
  const status = readOrNull(`/proc/${pid}/status`);
  if (statText === null || status === null) return null;
  const stat = parseStat(statText);
  // A process that is exiting (PF_EXITING) closes its files and drops its command line before it
  // becomes a zombie: half-torn-down figures are no sample.
  if (stat.state === 'Z' || stat.state === 'X' || (stat.flags & PF_EXITING) !== 0) return null;
  let uss: number | null = null;
  let pss: number | null = null;
  if (options.smaps !== false) {
    const rollup = readOrNull(`/proc/${pid}/smaps_rollup`);
    if (rollup) {
      pss = kilobyteField(rollup, 'Pss');
      const clean = kilobyteField(rollup, 'Private_Clean');
      const dirty = kilobyteField(rollup, 'Private_Dirty');
      uss = clean === null || dirty === null ? null : clean + dirty + (kilobyteField(rollup, 'Private_Hugetlb') ?? 0);
    }
  }
  let fds: number | null = null;
  try {
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // another user's process, or it exited between the reads
  }
  // Read last: a process that lost its memory map meanwhile (it is exiting) has no command line.
  const command = options.command ?? commandLine(pid, '');
  if (command === '') return null;
  return {
    pid,
    ppid: stat.ppid,
    command,
    rss: kilobyteField(status, 'VmRSS') ?? 0,
    uss,
    pss,
    pageFaults: stat.minorFaults + stat.majorFaults,
    cpuUserS: stat.utimeTicks / TICKS_PER_SECOND,
    cpuSysS: stat.stimeTicks / TICKS_PER_SECOND,
    threads: stat.threads,
    fds,
  };
}

/** Whether a process with this pid exists now. */
export function processExists(pid: number): boolean {
  return readOrNull(`/proc/${pid}/stat`) !== null;
}
