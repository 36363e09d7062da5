/**
 * Helpers for the ehea tests: a platform with Ethernet, the `ehea` driver and an IPv4 *observer* protocol
 * (registered on ethertype 0x0800 instead of a real IPv4 stack) that records, per packet, the queue, hash
 * and hash type the driver put in the packet header; hosts with one EHEA device; IPv4 frame builders.
 */
import {
  type CostProfile,
  type Host,
  type Ifnet,
  type Mbuf,
  type MitigationPolicyFactory,
  type Platform,
  type Simulation,
  createPlatform,
  m_getByte,
  m_getUint16,
} from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { EheaDevice, type EheaDriver, type EheaOptions, registerEhea } from '../src/index.js';

export const ETHERTYPE_IPV4 = 0x0800;

/** One packet as the observer saw it. */
export interface Seen {
  queue: number;
  hash: number;
  hashType: number;
  /** UDP/TCP source port (the tests' flow id), or -1. */
  sport: number;
  at: number;
}

/** What the IPv4 observer saw on one host. */
export class Observer {
  packets = 0;
  readonly perQueue = new Array<number>(16).fill(0);
  readonly seen: Seen[] = [];
  keep = true;
  /** Extra per-packet work charged to the CPU (layer names of the cost profile). */
  layers: string[] = [];
  /** Called for every packet before it is freed. */
  onPacket: ((m: Mbuf, ifp: Ifnet) => void) | undefined;
}

export interface Setup {
  platform: Platform;
  observers: Map<string, Observer>;
}

/** A platform with Ethernet, `ehea` (with `options`) and the IPv4 observer. */
export function makePlatform(options?: EheaOptions): Setup {
  const platform = createPlatform();
  registerEther(platform);
  registerEhea(platform, options);
  const observers = new Map<string, Observer>();
  platform.registerProtocol({
    name: 'ipv4-observer',
    attach(host: Host) {
      const o = new Observer();
      observers.set(host.name, o);
      host.ethertypes.register(ETHERTYPE_IPV4, 'ipv4-observer', (m: Mbuf, off: number, ifp: Ifnet) => {
        for (let i = 0; i < o.layers.length; i++) host.cpu.chargeLayer(o.layers[i]);
        o.packets++;
        const q = m.pkthdr.rxQueue;
        if (q >= 0) o.perQueue[q]++;
        o.onPacket?.(m, ifp);
        if (o.keep) {
          const ihl = (m_getByte(m, off) & 0x0f) * 4;
          const proto = m_getByte(m, off + 9);
          o.seen.push({
            queue: q,
            hash: m.pkthdr.flowHash,
            hashType: m.pkthdr.flowHashType,
            sport: proto === 6 || proto === 17 ? m_getUint16(m, off + ihl) : -1,
            at: host.now(),
          });
        }
        m.pool.freem(m);
      });
    },
  });
  return { platform, observers };
}

export interface HostOptionsLite {
  hz?: number;
  costs?: CostProfile;
  mitigationPolicy?: MitigationPolicyFactory;
  mbufs?: { mbufs?: number; clusters?: number };
  allocationGuard?: 'throw' | 'count';
}

export interface Nic {
  host: Host;
  dev: EheaDevice;
  sc: EheaDriver;
  ifp: Ifnet;
  obs: Observer;
}

/** A host with one EHEA device of `queues` port resources, attached by autoconfiguration (not up yet). */
export function addNic(
  sim: Simulation,
  setup: Setup,
  name: string,
  mac: string,
  queues = 4,
  options: HostOptionsLite = {},
): Nic {
  const host = setup.platform.createHost({ name, runner: sim, loopback: false, ...options });
  const dev = new EheaDevice({ mac, queues });
  host.attachDevice(dev);
  const attached = host.autoconf();
  if (attached.length !== 1 || attached[0].driverName !== 'ehea') throw new Error('ehea did not attach');
  const sc = attached[0].driver as EheaDriver;
  return { host, dev, sc, ifp: sc.ifp, obs: setup.observers.get(name)! };
}

export function mac(s: string): Uint8Array {
  return Uint8Array.from(s.split(':'), (x) => Number.parseInt(x, 16));
}

function ip(s: string): number[] {
  return s.split('.').map(Number);
}

export interface FrameSpec {
  dst: string;
  src?: string;
  srcIp: string;
  dstIp: string;
  /** 6 = TCP, 17 = UDP, anything else: no ports. Default 17. */
  proto?: number;
  sport?: number;
  dport?: number;
  /** Frame length. Default 60. */
  len?: number;
  /** Set MF (a first fragment). */
  moreFragments?: boolean;
}

/** An Ethernet + IPv4 (+ UDP/TCP ports) frame. The IPv4 checksum is left 0: nothing here checks it. */
export function ipv4Frame(spec: FrameSpec): Uint8Array {
  const len = spec.len ?? 60;
  const f = new Uint8Array(len);
  f.set(mac(spec.dst), 0);
  f.set(mac(spec.src ?? '02:00:00:00:00:99'), 6);
  f[12] = 0x08;
  f[13] = 0x00;
  f[14] = 0x45;
  const ipLen = len - 14;
  f[16] = ipLen >>> 8;
  f[17] = ipLen & 0xff;
  if (spec.moreFragments) f[20] = 0x20;
  f[22] = 64;
  const proto = spec.proto ?? 17;
  f[23] = proto;
  f.set(ip(spec.srcIp), 26);
  f.set(ip(spec.dstIp), 30);
  const sport = spec.sport ?? 1000;
  const dport = spec.dport ?? 2000;
  f[34] = sport >>> 8;
  f[35] = sport & 0xff;
  f[36] = dport >>> 8;
  f[37] = dport & 0xff;
  if (proto === 17) {
    f[38] = (len - 34) >>> 8;
    f[39] = (len - 34) & 0xff;
  }
  return f;
}

/** Sum of the named drops of an interface, optionally only those starting with `prefix`. */
export function drops(ifp: Ifnet, prefix = ''): number {
  let n = 0;
  for (const [k, v] of Object.entries(ifp.counters.drops)) if (k.startsWith(prefix)) n += v;
  return n;
}
