/**
 * Test kit for @ifnet/ether: worlds of hosts on the virtual clock, a "channel" interface (gVisor's
 * channel endpoint: inject inbound frames, collect outbound ones), frame builders and byte checkers.
 */
import {
  ChannelEndpoint,
  type CostProfile,
  type Host,
  INPUT_PASS,
  type Ifnet,
  type Mbuf,
  type MbufPool,
  m_copydata,
  packetFromBytes,
  Simulation,
  ZERO_COST_PROFILE,
  createPlatform,
} from '@ifnet/core';
import { expect } from 'vitest';
import { type ArpConfig, parseMac, registerEther } from '../src/index.js';

export const MAC_A = parseMac('02:00:00:00:00:0a');
export const MAC_B = parseMac('02:00:00:00:00:0b');
export const MAC_C = parseMac('02:00:00:00:00:0c');
export const BCAST = parseMac('ff:ff:ff:ff:ff:ff');
/** Local experimental ethertype, used by the test protocol sink. */
export const ETHERTYPE_TEST = 0x88b5;

/** 10.0.0.x as ARP's unsigned 32-bit number. */
export function ip(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export interface World {
  sim: Simulation;
  hosts: Host[];
}

/**
 * A simulation with `n` hosts (named h1, h2, ...) on one platform with the Ethernet link layer and ARP.
 * Zero CPU costs by default, so times are exactly what the timers say; hz 100 (10 ms ticks).
 */
export function world(
  n: number,
  opts: { arp?: Partial<ArpConfig>; costs?: CostProfile; protocols?: (host: Host) => void; loopback?: boolean } = {},
): World {
  const sim = new Simulation({ seed: 7 });
  const platform = createPlatform();
  registerEther(platform, { arp: opts.arp });
  if (opts.protocols !== undefined) {
    const attach = opts.protocols;
    platform.registerProtocol({ name: 'test', attach });
  }
  const hosts: Host[] = [];
  for (let i = 1; i <= n; i++) {
    hosts.push(
      platform.createHost({
        name: `h${i}`,
        runner: sim,
        costs: opts.costs ?? ZERO_COST_PROFILE,
        loopback: opts.loopback ?? false,
      }),
    );
  }
  return { sim, hosts };
}

/** What a protocol sink saw. */
export interface Delivery {
  ifname: string;
  bytes: Uint8Array;
  flags: number;
  vlanTag: number;
  off: number;
  /** The unit of work running when it was delivered (e.g. `epair0b.rx`). */
  unit: string | undefined;
  tick: number;
}

/** Registers a protocol input for `type` on `host` that records each packet and frees it. */
export function sink(host: Host, type: number, name = `sink-${type.toString(16)}`): Delivery[] {
  const got: Delivery[] = [];
  host.ethertypes.register(type, name, (m: Mbuf, off: number, ifp: Ifnet) => {
    const bytes = new Uint8Array(m.pkthdr.len - off);
    m_copydata(m, off, bytes.length, bytes, 0);
    got.push({
      ifname: ifp.name,
      bytes,
      flags: m.flags,
      vlanTag: m.pkthdr.vlanTag,
      off,
      unit: host.cpu.current,
      tick: host.ticks,
    });
    m.pool.freem(m);
  });
  return got;
}

/** Copies a whole packet out. */
export function bytesOf(m: Mbuf): Uint8Array {
  const b = new Uint8Array(m.pkthdr.len);
  m_copydata(m, 0, b.length, b, 0);
  return b;
}

/**
 * A channel interface (core's {@link ChannelEndpoint}, the one channel endpoint of the workspace): frames
 * sent on it are collected as bytes; `inject` hands a frame to input.
 */
export interface Channel {
  ifp: Ifnet;
  /** Frames transmitted, oldest first. */
  sent: Uint8Array[];
  /** Hands `frame` to `ifp.input` as a driver would (split into mbufs of at most `chunk` bytes if given). */
  inject(frame: Uint8Array, chunk?: number): void;
}

export function channel(host: Host, mac: Uint8Array = MAC_A, mtu = 1500): Channel {
  const sent: Uint8Array[] = [];
  const ep = new ChannelEndpoint(host, { lladdr: mac, mtu });
  ep.addNotify(() => {
    const p = ep.read();
    if (p !== undefined) sent.push(p.bytes);
  });
  return {
    ifp: ep.ifp,
    sent,
    inject(frame, chunk) {
      if (!ep.inject(frame, { chunk })) throw new Error('pool exhausted in test');
    },
  };
}

/** Builds a packet holding `bytes`, as one mbuf (or a chain of `chunk`-byte mbufs). */
export function packet(pool: MbufPool, bytes: Uint8Array, chunk?: number): Mbuf | null {
  return packetFromBytes(pool, bytes, chunk);
}

/** An Ethernet frame. */
export function etherFrame(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = type >>> 8;
  f[13] = type & 0xff;
  f.set(payload, 14);
  return f;
}

/** An 802.1Q tagged frame. */
export function taggedFrame(
  dst: Uint8Array,
  src: Uint8Array,
  tci: number,
  inner: number,
  payload: Uint8Array,
  tpid = 0x8100,
): Uint8Array {
  const f = new Uint8Array(18 + payload.length);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = tpid >>> 8;
  f[13] = tpid & 0xff;
  f[14] = tci >>> 8;
  f[15] = tci & 0xff;
  f[16] = inner >>> 8;
  f[17] = inner & 0xff;
  f.set(payload, 18);
  return f;
}

export interface ArpFields {
  op: number;
  sha: Uint8Array;
  spa: number;
  tha?: Uint8Array;
  tpa: number;
  hrd?: number;
  pro?: number;
  hln?: number;
  pln?: number;
}

/** A 28-byte ARP packet, written field by field (independently of the code under test). */
export function arpBytes(f: ArpFields): Uint8Array {
  const b = new Uint8Array(28);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, f.hrd ?? 1);
  dv.setUint16(2, f.pro ?? 0x0800);
  b[4] = f.hln ?? 6;
  b[5] = f.pln ?? 4;
  dv.setUint16(6, f.op);
  b.set(f.sha, 8);
  dv.setUint32(14, f.spa);
  b.set(f.tha ?? new Uint8Array(6), 18);
  dv.setUint32(24, f.tpa);
  return b;
}

/** A fake IPv4 packet: a 20-byte header with version/IHL, src, dst, and a marker byte after it. */
export function ipv4Bytes(src: number, dst: number, marker: number, len = 28): Uint8Array {
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  b[0] = 0x45;
  dv.setUint16(2, len);
  b[8] = 64;
  b[9] = 17;
  dv.setUint32(12, src);
  dv.setUint32(16, dst);
  b[20] = marker;
  return b;
}

/** Sends an IPv4-like packet on `ifp` to next hop `nextHop` through `ifp.output` (ARP resolves). */
export function sendIp(ifp: Ifnet, src: number, nextHop: number, marker: number): boolean {
  const m = ifp.host.pool.devget(ipv4Bytes(src, nextHop, marker), 0, 28, null, 32);
  if (m === null) throw new Error('pool exhausted in test');
  return ifp.output(m, 0x0800, nextHop);
}

/** Records every frame arriving at `ifp` (before Ethernet input), with the tick it arrived. */
export function tap(ifp: Ifnet): { tick: number; bytes: Uint8Array }[] {
  const seen: { tick: number; bytes: Uint8Array }[] = [];
  ifp.inputHook = (i, m) => {
    seen.push({ tick: i.host.ticks, bytes: bytesOf(m) });
    return INPUT_PASS;
  };
  return seen;
}

/** Hex dump for readable byte-by-byte comparisons. */
export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Sum of the per-reason drop counters of an interface. */
export function dropSum(ifp: Ifnet): number {
  let s = 0;
  for (const v of Object.values(ifp.counters.drops)) s += v;
  return s;
}

/** Every host's pool balances and holds nothing. */
export function expectQuiescent(...hosts: Host[]): void {
  for (const h of hosts) {
    expect(h.pool.checkAccounting().detail).toBe('ok');
    h.pool.assertQuiescent();
  }
}
