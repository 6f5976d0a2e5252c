/**
 * One process's figures from Linux's /proc: what `memtrace process` logs per process per sample.
 * Sizes in bytes, times in seconds. Reads are synchronous and small (a few hundred bytes each);
 * smaps_rollup is the costly one (the kernel walks every mapping), so it is read less often.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { emptyRow, type ProcessRow } from '../formats/process-csv.js';

export interface ProcSample {
  pid: number;
  ppid: number;
  command: string;
  rss: number;
  /** Private (unshared) resident bytes; null where smaps_rollup was not read or is not readable. */
  uss: number | null;
  /** Proportional set size; null where smaps_rollup was not read or is not readable. */
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

/** Bytes per page of statm: the kernel's page size (4 KiB on x86-64; 4, 16 or 64 KiB on arm64). */
let pageBytes = 0;

/** The page size, found once from this process's RSS as statm (pages) and status (kB) both give it. */
function pageSize(): number {
  if (pageBytes > 0) return pageBytes;
  pageBytes = 4096;
  const pages = Number(readOrNull('/proc/self/statm')?.split(' ')[1]);
  const bytes = kilobyteField(readOrNull('/proc/self/status') ?? '', 'VmRSS');
  if (pages > 0 && bytes !== null) pageBytes = 2 ** Math.round(Math.log2(bytes / pages));
  return pageBytes;
}

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

/** One buffer for every pread: the files are read and parsed one at a time. */
const scratch = Buffer.alloc(64 * 1024);

/**
 * The /proc files of one process, kept open and read again with pread at each sample (a fifth of the
 * cost of opening them each time). Its fds refer to this process only: once it exits, reads fail,
 * even if its pid is reused.
 */
export class ProcFiles {
  private readonly fds = new Map<string, number>();
  private command: string | undefined;
  private comm: string | undefined;
  private closed = false;

  constructor(
    readonly pid: number,
    command?: string,
  ) {
    this.command = command;
  }

  private read(name: string): string | null {
    if (this.closed) return null;
    try {
      let fd = this.fds.get(name);
      if (fd === undefined) {
        fd = openSync(`/proc/${this.pid}/${name}`, 'r');
        this.fds.set(name, fd);
      }
      let length = 0;
      for (;;) {
        const n = readSync(fd, scratch, length, scratch.length - length, length);
        if (n === 0) break;
        length += n;
        if (length === scratch.length) break;
      }
      return scratch.toString('latin1', 0, length);
    } catch {
      return null;
    }
  }

  /**
   * The figures now, or null if the process is exiting or gone (a zombie included). `smaps` adds
   * USS/PSS from smaps_rollup, for which the kernel walks every mapping (milliseconds for a node
   * process, holding its memory-map lock): the loggers read it less often than the rest.
   */
  sample(smaps: boolean): ProcSample | null {
    const statText = this.read('stat');
    if (statText === null) return null;
    const stat = parseStat(statText);
    if (stat.state === 'Z' || stat.state === 'X' || (stat.flags & PF_EXITING) !== 0) return null;
    let fds: number | null = null;
    try {
      fds = readdirSync(`/proc/${this.pid}/fd`).length;
    } catch {
      // another user's process, or it exited between the reads
    }
    // RSS from statm (the counters status prints as VmRSS, without formatting forty other lines).
    // Read after the fds: an exiting process drops its memory map (statm then reads all zeros)
    // before it closes its files, so a process whose files were already closed shows no RSS here.
    const statm = this.read('statm');
    const residentPages = statm === null ? 0 : Number(statm.split(' ')[1]);
    if (!(residentPages > 0)) return null;
    const rss = residentPages * pageSize();
    let uss: number | null = null;
    let pss: number | null = null;
    if (smaps) {
      const rollup = this.read('smaps_rollup');
      if (rollup) {
        pss = kilobyteField(rollup, 'Pss');
        const clean = kilobyteField(rollup, 'Private_Clean');
        const dirty = kilobyteField(rollup, 'Private_Dirty');
        uss = clean === null || dirty === null ? null : clean + dirty + (kilobyteField(rollup, 'Private_Hugetlb') ?? 0);
      }
    }
    // The command line changes only at exec, which also changes the name in stat.
    if (this.command === undefined || (this.comm !== undefined && this.comm !== stat.comm)) this.command = commandLine(this.pid, stat.comm);
    this.comm = stat.comm;
    return {
      pid: this.pid,
      ppid: stat.ppid,
      command: this.command,
      rss,
      uss,
      pss,
      pageFaults: stat.minorFaults + stat.majorFaults,
      cpuUserS: stat.utimeTicks / TICKS_PER_SECOND,
      cpuSysS: stat.stimeTicks / TICKS_PER_SECOND,
      threads: stat.threads,
      fds,
    };
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.closed = true;
  }
}

/** The figures of one process now (a one-off ProcFiles read, smaps_rollup included). */
export function readProc(pid: number, options: { smaps?: boolean; command?: string } = {}): ProcSample | null {
  const files = new ProcFiles(pid, options.command);
  try {
    return files.sample(options.smaps !== false);
  } finally {
    files.close();
  }
}

/** Whether a process with this pid exists now. */
export function processExists(pid: number): boolean {
  return readOrNull(`/proc/${pid}/stat`) !== null;
}

/** A process-CSV row of a sample (the heap and GC cells left empty). */
export function sampleRow(timeS: number, proc: ProcSample): ProcessRow {
  return {
    ...emptyRow(timeS, proc.pid, proc.ppid, proc.command),
    rss: proc.rss,
    uss: proc.uss,
    pss: proc.pss,
    pageFaults: proc.pageFaults,
    cpuUserS: proc.cpuUserS,
    cpuSysS: proc.cpuSysS,
    threads: proc.threads,
    fds: proc.fds,
  };
}
