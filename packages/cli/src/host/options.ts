/**
 * Parsing of the options `ifnet host` and `ifnet ping` share: which NIC, which address, which tunnel.
 * Every bad value is a {@link UsageError} naming the option (one line, exit status 2).
 *
 * @module
 */
import { parsePrefix, parseAddr } from '@ifnet/inet';
import { type XfrmPolicySpec, type XfrmStateSpec, parseXfrmPolicy, parseXfrmState } from '@ifnet/ipsec';
import { type Encapsulation, type UdpEndpoint, parseUdpEndpoint, qemuDgram, vxlan } from '@ifnet/tunnel';
import type { Command } from 'commander';
import { UsageError, parseNumberOption } from '../usage-error.js';
import { NICS } from './nics.js';

/** The default VNI when `--vxlan` gives none (match it with `id 42` on Linux). */
export const DEFAULT_VNI = 42;

/** What a tunnel host is made of, validated. */
export interface TunnelHostConfig {
  nic: string;
  /** `a.b.c.d/len`. */
  ip: string;
  gw?: string;
  mac: string;
  mtu?: number;
  local: UdpEndpoint;
  remote: UdpEndpoint;
  encapsulation: Encapsulation;
  /** Path, `-` for stdout, or undefined. */
  pcap?: string;
  /** `--xfrm-state` (ESP security associations, `ip xfrm state add` words), in order. */
  xfrmStates: XfrmStateSpec[];
  /** `--xfrm-policy` (`ip xfrm policy add` words), in order. */
  xfrmPolicies: XfrmPolicySpec[];
  /** `--xfrm-policy-default in block|accept` (`ip xfrm policy setdefault`). */
  xfrmDefaultIn?: 'block' | 'accept';
}

/** Raw commander values of the shared options. */
export interface RawHostOptions {
  nic: string;
  ip?: string;
  gw?: string;
  mac?: string;
  mtu?: string;
  vxlan?: string;
  qemu?: string;
  pcap?: string;
  xfrmState?: string[];
  xfrmPolicy?: string[];
  xfrmPolicyDefault?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds the shared options to a command. */
export function addHostOptions(cmd: Command): Command {
  return cmd
    .option('--nic <kind>', `network card: ${Object.keys(NICS).join(', ')}`, 'e1000')
    .option('--ip <addr/len>', 'IPv4 address and prefix length of the NIC, e.g. 192.0.2.2/24')
    .option('--gw <addr>', 'default gateway')
    .option('--mac <mac>', 'link address (default: 02:00 followed by the IPv4 address)')
    .option('--mtu <bytes>', 'interface MTU (default: what fits the tunnel, 1450 for VXLAN)')
    .option('--vxlan <spec>', 'VXLAN tunnel LOCAL_IP:PORT,REMOTE_IP:PORT[,vni=N] (Linux vxlan interfaces)')
    .option('--qemu <spec>', 'QEMU dgram tunnel LOCAL_IP:PORT,REMOTE_IP:PORT (-netdev dgram / socket,udp=)')
    .option('--pcap <file|->', 'write a pcap of the NIC link to a file, or to stdout with -')
    .option(
      '--xfrm-state <args>',
      "an ESP security association in `ip xfrm state add` words (repeatable), e.g. 'src A dst B proto esp spi 0x100 reqid 1 mode transport aead rfc4106(gcm(aes)) 0x<key+salt> 128 replay-window 32 [flag esn] [replay-seq[-hi] N] [replay-oseq[-hi] N]'",
      collect,
    )
    .option(
      '--xfrm-policy <args>',
      "a security policy in `ip xfrm policy add` words (repeatable), e.g. 'src A dst B dir out tmpl src A dst B proto esp reqid 1 mode transport'",
      collect,
    )
    .option('--xfrm-policy-default <in:action>', 'ip xfrm policy setdefault: in:block or in:accept (default)');
}

/** Parses the `--xfrm-*` options (grammar only; key lengths and SPI ranges are checked when the SA is made). */
function xfrmOptions(o: RawHostOptions): Pick<TunnelHostConfig, 'xfrmStates' | 'xfrmPolicies' | 'xfrmDefaultIn'> {
  const each = <T>(option: string, list: string[] | undefined, parse: (s: string) => T): T[] =>
    (list ?? []).map((a) => {
      try {
        return parse(a);
      } catch (e) {
        throw new UsageError(`${option}: ${(e as Error).message}`);
      }
    });
  const r: ReturnType<typeof xfrmOptions> = {
    xfrmStates: each('--xfrm-state', o.xfrmState, parseXfrmState),
    xfrmPolicies: each('--xfrm-policy', o.xfrmPolicy, parseXfrmPolicy),
  };
  if (o.xfrmPolicyDefault !== undefined) {
    const m = /^in:(block|accept)$/.exec(o.xfrmPolicyDefault);
    if (m === null)
      throw new UsageError(`--xfrm-policy-default: expected in:block or in:accept, got '${o.xfrmPolicyDefault}'`);
    r.xfrmDefaultIn = m[1] as 'block' | 'accept';
  }
  return r;
}

function endpoint(option: string, spec: string): UdpEndpoint {
  try {
    return parseUdpEndpoint(spec);
  } catch (e) {
    throw new UsageError(`${option}: ${(e as Error).message}`);
  }
}

/** Parses `LOCAL,REMOTE[,vni=N]`. */
function tunnelSpec(option: '--vxlan' | '--qemu', spec: string) {
  const parts = spec.split(',');
  if (parts.length < 2 || parts.length > (option === '--vxlan' ? 3 : 2)) {
    throw new UsageError(
      `${option}: expected LOCAL_IP:PORT,REMOTE_IP:PORT${option === '--vxlan' ? '[,vni=N]' : ''}, got '${spec}'`,
    );
  }
  const local = endpoint(option, parts[0]);
  const remote = endpoint(option, parts[1]);
  if (local.family !== remote.family) throw new UsageError(`${option}: local and remote are of different families`);
  if (option === '--qemu') return { local, remote, encapsulation: qemuDgram() };
  let vni = DEFAULT_VNI;
  if (parts[2] !== undefined) {
    const m = /^vni=(.*)$/.exec(parts[2]);
    if (m === null) throw new UsageError(`${option}: expected vni=N, got '${parts[2]}'`);
    vni = parseNumberOption(`${option} vni`, m[1], { integer: true, min: 0, max: 0xffffff });
  }
  return { local, remote, encapsulation: vxlan(vni) };
}

/** The default link address: locally administered 02:00 followed by the four bytes of the IPv4 address. */
export function macFor(ip: number): string {
  const b = [2, 0, ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Validates the shared options. */
export function parseHostOptions(o: RawHostOptions): TunnelHostConfig {
  if (!Object.hasOwn(NICS, o.nic))
    throw new UsageError(`--nic: unknown NIC '${o.nic}' (have: ${Object.keys(NICS).join(', ')})`);
  if (o.ip === undefined) throw new UsageError('--ip: required (e.g. --ip 192.0.2.2/24)');
  let addr: number;
  try {
    const p = parsePrefix(o.ip);
    if (!o.ip.includes('/') || p.len === 0) throw new Error('no prefix length');
    addr = p.addr;
  } catch {
    throw new UsageError(`--ip: expected ADDRESS/LEN, got '${o.ip}'`);
  }
  if (o.gw !== undefined) {
    try {
      parseAddr(o.gw);
    } catch {
      throw new UsageError(`--gw: not an IPv4 address: '${o.gw}'`);
    }
  }
  if ((o.vxlan === undefined) === (o.qemu === undefined)) {
    throw new UsageError('give exactly one tunnel: --vxlan LOCAL_IP:PORT,REMOTE_IP:PORT[,vni=N] or --qemu ...');
  }
  const tunnel = o.vxlan !== undefined ? tunnelSpec('--vxlan', o.vxlan) : tunnelSpec('--qemu', o.qemu!);
  const mac = o.mac ?? macFor(addr);
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac))
    throw new UsageError(`--mac: expected xx:xx:xx:xx:xx:xx, got '${mac}'`);
  if ((Number.parseInt(mac.slice(0, 2), 16) & 1) !== 0) throw new UsageError(`--mac: ${mac} is a group address`);
  const mtu =
    o.mtu === undefined ? undefined : parseNumberOption('--mtu', o.mtu, { integer: true, min: 68, max: 9000 });
  return { nic: o.nic, ip: o.ip, gw: o.gw, mac, mtu, ...tunnel, pcap: o.pcap, ...xfrmOptions(o) };
}
