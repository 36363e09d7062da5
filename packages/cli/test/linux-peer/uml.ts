/**
 * A Linux kernel with ESP for the IPsec peer test, wherever the machine's own kernel has none.
 *
 * The test wants the Linux kernel's `esp4` with `rfc4106(gcm(aes))` on the other end. When the running
 * kernel has them ({@link hostKernelHasEsp}: an SA is added in a throw-away namespace), the test uses it
 * directly in a network namespace. Many CI kernels are built without `CONFIG_INET_ESP` and cannot load
 * modules (a Firecracker guest, for one); there the test boots Debian's **User-Mode Linux** kernel
 * (package `user-mode-linux`, a real Linux 6.1 running as a process) inside the Linux namespace:
 *
 * - its root file system is the machine's own, read through `hostfs` — the guest runs the same `ip`,
 *   `ping` and `node` binaries, and the test's scripts and result files are in a shared temporary directory;
 * - its modules (`esp4`, `xfrm_user`, `vxlan`, and the crypto templates the kernel asks for on demand
 *   through `/proc/sys/kernel/modprobe`) are loaded from `/usr/lib/uml/modules` by a `modprobe -d` wrapper;
 * - its `eth0` is the namespace's `tap0` (`eth0=tuntap,tap0`), bridged to the veth, so the guest kernel
 *   owns the Linux underlay address and makes the VXLAN and the ESP itself.
 *
 * The script runs as the guest's init, then the guest powers off; `runUml` returns what it printed.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runIn } from './netns.js';

/** The Debian package of User-Mode Linux (amd64 only), with the one needed to load its modules. */
export const UML_PACKAGES: Record<string, string> = { 'linux.uml': 'user-mode-linux', modprobe: 'kmod' };
const UML_MODULES = '/usr/lib/uml/modules';

/** Whether the running kernel can make an ESP `rfc4106(gcm(aes))` SA (probed in a throw-away namespace). */
export function hostKernelHasEsp(): boolean {
  const sa = ['xfrm', 'state', 'add', 'src', '192.0.2.1', 'dst', '192.0.2.2', 'proto', 'esp', 'spi', '0x100'];
  const aead = ['mode', 'transport', 'aead', 'rfc4106(gcm(aes))', `0x${'00'.repeat(20)}`, '128'];
  return spawnSync('unshare', ['--net', 'ip', ...sa, ...aead], { stdio: 'ignore' }).status === 0;
}

/** Why no User-Mode Linux can be had here (null: it can, installing `UML_PACKAGES` if missing). */
export function cannotRunUml(): string | null {
  if (process.arch !== 'x64')
    return `this kernel has no ESP and Debian's user-mode-linux is amd64 only (${process.arch})`;
  if (existsSync('/usr/bin/linux.uml')) return null;
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) {
    return 'this kernel has no ESP and there is no apt-get to install user-mode-linux';
  }
  return null;
}

/**
 * Prepares `dir` for the guest: `dir/lib/modules/<version>` pointing at the UML modules, and a `modprobe`
 * wrapper for the kernel's on-demand loading. Returns the lines the guest's init runs first.
 */
export function umlPrelude(dir: string): string {
  const versions = readdirSync(UML_MODULES);
  if (versions.length !== 1)
    throw new Error(`expected one kernel version in ${UML_MODULES}, found ${versions.join(', ')}`);
  mkdirSync(join(dir, 'lib', 'modules'), { recursive: true });
  symlinkSync(join(UML_MODULES, versions[0]), join(dir, 'lib', 'modules', versions[0]));
  const modprobe = join(dir, 'modprobe');
  writeFileSync(modprobe, `#!/bin/sh\nexec /usr/sbin/modprobe -d ${dir} "$@"\n`);
  chmodSync(modprobe, 0o755);
  return [
    'export PATH=/usr/sbin:/usr/bin:/sbin:/bin',
    'mount -t proc proc /proc',
    'mount -t sysfs sys /sys',
    `echo ${modprobe} > /proc/sys/kernel/modprobe`,
    `for m in xfrm_user esp4 vxlan; do ${modprobe} $m || echo "modprobe $m failed"; done`,
    'ip link set lo up',
  ].join('\n');
}

/**
 * Boots User-Mode Linux inside namespace `ns` with `init` (a script on the shared file system) as its
 * init and `tap0` as its `eth0`. Resolves when the guest has powered off (killed after `timeout` ms), with
 * what its console printed.
 */
export function runUml(ns: string, init: string, timeout: number): Promise<{ status: number | null; output: string }> {
  const args = ['mem=256M', 'quiet', 'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'rw'];
  args.push(`init=${init}`, 'con0=fd:0,fd:1', 'con=null', 'eth0=tuntap,tap0');
  return runIn(ns, ['linux.uml', ...args], timeout);
}
