/**
 * The plumbing of the Linux-peer tests: what they need from Debian, and two network namespaces joined by a
 * veth pair, with a Linux `vxlan` interface in one of them pointed at the other, where the ifnet host runs.
 *
 * ```text
 *   netns <linux>                                   netns <ifnet>
 *   vx0 192.0.2.1/24 (vxlan id 42, mtu 1450)         ifnet host: wm0 192.0.2.2/24 (mtu 1450)
 *     |  VXLAN, UDP 4789 <-> 4789                      |  UDP tunnel socket bound to 198.51.100.2:4789
 *   vl 198.51.100.1/24  ======== veth ========  vi 198.51.100.2/24
 * ```
 *
 * {@link buildPeerNetwork} takes other names, addresses, VNI and port ({@link PeerNetworkOptions}), so that
 * several test files run at once without colliding, and a `guest` Linux end: instead of an address and a
 * `vxlan` interface in the Linux namespace, a bridge joining the veth to a tap device, on which a Linux
 * kernel of its own (User-Mode Linux, see `uml.ts`) has its Ethernet interface and makes the VXLAN itself.
 *
 * Only the documentation ranges are used, inside namespaces of their own: nothing is reachable from the
 * machine's real networks, and the ifnet process sees only its underlay address and its loopback.
 *
 * @module
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian packages and the command each provides (what every Linux-peer test needs). */
export const NEEDED: Record<string, string> = {
  ip: 'iproute2',
  ping: 'iputils-ping',
  tshark: 'tshark',
  nc: 'netcat-openbsd',
  ethtool: 'ethtool',
};

/** Why the tests cannot run here at all (null: they can). Checked without installing anything. */
export function cannotRun(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root (network namespaces need it)';
  if (!existsSync('/proc/self/ns/net')) return 'no network namespace support in this kernel';
  const probe = spawnSync('unshare', ['--net', 'true'], { stdio: 'ignore' });
  if (probe.error === undefined && probe.status !== 0)
    return 'cannot create a network namespace (unshare --net failed)';
  return null;
}

export function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs what is missing from Debian (apt-get update once, then install), non-interactively, with
 * tshark's setuid question answered "no": {@link NEEDED} and `extra` (command → package). Returns what was
 * installed and how long it took.
 */
export function installDebianPackages(extra: Record<string, string> = {}): { installed: string[]; seconds: number } {
  const needed = { ...NEEDED, ...extra };
  const missing = Object.keys(needed).filter((c) => !has(c));
  const t0 = performance.now();
  if (missing.length > 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const opts = { env, stdio: ['pipe', 'pipe', 'pipe'] as ('pipe' | 'ignore')[], timeout: 240_000 };
    execFileSync('debconf-set-selections', [], {
      ...opts,
      input: 'wireshark-common wireshark-common/install-setuid boolean false\n',
    });
    const lock = ['-o', 'DPkg::Lock::Timeout=120'];
    // Test files run in parallel and may install at once: apt's list lock does not wait, so take turns.
    const apt = has('flock') ? ['flock', '-w', '240', '/tmp/ifnet-linux-peer-apt.lock', 'apt-get'] : ['apt-get'];
    execFileSync(apt[0], [...apt.slice(1), ...lock, 'update', '-q'], opts);
    execFileSync(apt[0], [...apt.slice(1), ...lock, 'install', '-y', '-q', ...missing.map((c) => needed[c])], opts);
  }
  return { installed: missing.map((c) => needed[c]), seconds: (performance.now() - t0) / 1000 };
}

/** Runs a command, throwing with its output when it fails. */
export function sh(cmd: string, args: string[], options: { timeout?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: options.timeout ?? 30_000 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** Runs `args` inside namespace `ns`. */
export function inNs(ns: string, args: string[], options: { timeout?: number } = {}): string {
  return sh('ip', ['netns', 'exec', ns, ...args], options);
}

/** Runs `cmd` in namespace `ns` without blocking; resolves with its exit status and output. */
export function runIn(ns: string, cmd: string[], timeout: number): Promise<{ status: number | null; output: string }> {
  const p = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  p.stdout.on('data', (d) => (output += d));
  p.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
  return new Promise((resolve) =>
    p.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    }),
  );
}

export interface PeerNetwork {
  /** Namespace of the Linux peer (vx0 192.0.2.1). */
  linux: string;
  /** Namespace the ifnet host runs in (198.51.100.2). */
  ifnet: string;
  /** Deletes both namespaces (and with them the veth pair and the vxlan interface). Idempotent. */
  destroy(): void;
}

/** Names, addresses and VXLAN parameters of one peer network (defaults: the constants below). */
export interface PeerNetworkOptions {
  /** Namespace names are `<prefix>-l<pid>` and `<prefix>-i<pid>`. */
  prefix: string;
  linuxUnderlay: string;
  ifnetUnderlay: string;
  /** The Linux end's overlay address with its prefix length (`vx0`). */
  linuxAddr: string;
  vni: number;
  port: number;
  /**
   * `vxlan`: the Linux namespace has the underlay address and `vx0` (the machine's kernel is the peer).
   * `guest`: it has a bridge `br0` joining the veth `vl` and a tap `tap0` (no address): a guest kernel on
   * `tap0` owns the underlay address and makes `vx0` itself.
   */
  linuxEnd: 'vxlan' | 'guest';
}

export const LINUX_UNDERLAY = '198.51.100.1';
export const IFNET_UNDERLAY = '198.51.100.2';
export const LINUX_ADDR = '192.0.2.1';
export const IFNET_ADDR = '192.0.2.2';
export const VNI = 42;
export const VXLAN_PORT = 4789;

const DEFAULTS: PeerNetworkOptions = {
  prefix: 'ifnet-peer',
  linuxUnderlay: LINUX_UNDERLAY,
  ifnetUnderlay: IFNET_UNDERLAY,
  linuxAddr: `${LINUX_ADDR}/24`,
  vni: VNI,
  port: VXLAN_PORT,
  linuxEnd: 'vxlan',
};

/**
 * The `ip link add vx0 type vxlan ...` arguments of the Linux end (source port pinned to `port`: the tunnel
 * accepts one peer port), for the namespace or for a guest kernel's own shell.
 */
export function vxlanLinkArgs(
  o: Pick<PeerNetworkOptions, 'vni' | 'linuxUnderlay' | 'ifnetUnderlay' | 'port'>,
  dev: string,
): string[] {
  const port = String(o.port);
  return [
    'link',
    'add',
    'vx0',
    'type',
    'vxlan',
    'id',
    String(o.vni),
    'local',
    o.linuxUnderlay,
    'remote',
    o.ifnetUnderlay,
  ].concat(['dstport', port, 'srcport', port, String(o.port + 1), 'dev', dev]);
}

/**
 * Deletes namespaces left by an earlier run that was killed before its clean-up (names carry the pid of
 * the run that made them; only those whose process is gone are touched).
 */
function removeStaleNamespaces(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const m of list.matchAll(/^(ifnet-(?:peer|esp)-[li](\d+))\b/gm)) {
    let alive = true;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      alive = false;
    }
    if (!alive) spawnSync('ip', ['netns', 'del', m[1]], { stdio: 'ignore' });
  }
}

/** Builds the two namespaces. Names carry the pid, so parallel runs do not collide. */
export function buildPeerNetwork(options: Partial<PeerNetworkOptions> = {}): PeerNetwork {
  const o = { ...DEFAULTS, ...options };
  removeStaleNamespaces();
  const tag = `${process.pid}`;
  const linux = `${o.prefix}-l${tag}`;
  const ifnet = `${o.prefix}-i${tag}`;
  const net: PeerNetwork = {
    linux,
    ifnet,
    destroy() {
      for (const ns of [linux, ifnet]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    },
  };
  try {
    sh('ip', ['netns', 'add', linux]);
    sh('ip', ['netns', 'add', ifnet]);
    sh('ip', ['link', 'add', 'vl', 'netns', linux, 'type', 'veth', 'peer', 'name', 'vi', 'netns', ifnet]);
    const ends: [string, string, string | null][] = [
      [linux, 'vl', o.linuxEnd === 'vxlan' ? o.linuxUnderlay : null],
      [ifnet, 'vi', o.ifnetUnderlay],
    ];
    for (const [ns, dev, addr] of ends) {
      inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
      if (addr !== null) inNs(ns, ['ip', 'addr', 'add', `${addr}/24`, 'dev', dev]);
      inNs(ns, ['ip', 'link', 'set', dev, 'up']);
      // A veth leaves checksums to an offload that never happens: have the kernel compute them.
      inNs(ns, ['ethtool', '-K', dev, 'tx', 'off']);
    }
    if (o.linuxEnd === 'guest') {
      // A switch between the veth and the guest kernel's tap: the guest is the Linux end of the segment.
      inNs(linux, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
      inNs(linux, ['ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap']);
      for (const dev of ['vl', 'tap0']) inNs(linux, ['ip', 'link', 'set', dev, 'master', 'br0']);
      for (const dev of ['tap0', 'br0']) inNs(linux, ['ip', 'link', 'set', dev, 'up']);
      return net;
    }
    inNs(linux, ['ip', ...vxlanLinkArgs(o, 'vl')]);
    inNs(linux, ['ip', 'addr', 'add', o.linuxAddr, 'dev', 'vx0']);
    inNs(linux, ['ip', 'link', 'set', 'vx0', 'up']);
    return net;
  } catch (e) {
    net.destroy();
    throw e;
  }
}
