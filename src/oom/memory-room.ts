/**
 * How much memory the process may still take: its cgroup's limit (cgroup v2 memory.max or v1
 * memory.limit_in_bytes, as libuv finds them through /proc/self/cgroup and /proc/self/mountinfo:
 * process.constrainedMemory()) and what the machine or the cgroup has left (process.availableMemory(),
 * Node 20.13+: the smaller of the machine's available memory and the cgroup's limit less its usage).
 *
 * MEMTRACE_TEST_CGROUP_LIMIT (bytes) stands in for the cgroup's limit, for tests on machines where a
 * cgroup cannot be made: the rest (RSS, the room left under it) is then computed as under a real one.
 */
import { freemem } from 'node:os';
import { parseBytes } from '../shared/sizes.js';
import { SettingError } from '../shared/errors.js';

/** libuv reports "no limit" as a huge number (a cgroup v1 "unlimited" is 2^63 less a page). */
const NO_LIMIT_FROM = 2 ** 60;

/** The cgroup's memory limit in bytes, or undefined where there is none. */
export function cgroupMemoryLimit(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const injected = env.MEMTRACE_TEST_CGROUP_LIMIT;
  if (injected !== undefined && injected !== '') {
    const bytes = parseBytes(injected);
    if (bytes === undefined || bytes <= 0) throw new SettingError('MEMTRACE_TEST_CGROUP_LIMIT', injected, 'a size such as 256MiB');
    return bytes;
  }
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  return constrained !== undefined && constrained > 0 && constrained < NO_LIMIT_FROM ? constrained : undefined;
}

/** Bytes the process could still take: the machine's available memory, and under a cgroup limit at most what it leaves. */
export function availableMemory(rss: number, limit: number | undefined): number {
  const reported = (process as { availableMemory?: () => number }).availableMemory?.() ?? freemem();
  return limit === undefined ? reported : Math.max(0, Math.min(reported, limit - rss));
}
