// Real small or read-only file systems for the write-fault tests: tmpfs mounts, which need root
// (or CAP_SYS_ADMIN). `mountSupport` says why they cannot be made here, for the skip line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function tryMount(options) {
  const dir = mkdtempSync(join(tmpdir(), 'memtrace-mount-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { error: (mount.stderr || mount.error?.message || 'mount failed').trim().split('\n')[0] };
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Why tmpfs cannot be mounted here (undefined where it can). */
export const mountSupport = (() => {
  if (process.platform !== 'linux') return 'tmpfs mounts are a Linux test';
  const probe = tryMount('size=64k');
  if (probe.error) return `cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): ${probe.error}`;
  probe.unmount();
  return undefined;
})();

/** A tmpfs of `kib` KiB (`readOnly`: mounted read-only), unmounted at the test's end. */
export function mountSmallDisk(t, kib, { readOnly = false } = {}) {
  const mounted = tryMount(`size=${kib}k${readOnly ? ',ro' : ''}`);
  if (mounted.error) throw new Error(mounted.error);
  t.teardown(mounted.unmount);
  return mounted.dir;
}
