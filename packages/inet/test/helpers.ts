/**
 * Test helpers: a platform with IPv4, a *channel* interface (gVisor's channel endpoint: tests inject
 * inbound packets and collect outbound ones, no framing), packet builders with literal-looking fields,
 * and small checkers.
 */
import {
  ChannelEndpoint,
  type ChannelPacket,
  type Host,
  type Ifnet,
  type Mbuf,
  type MbufPool,
  Simulation,
  createPlatform,
} from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import {
  IPPROTO_ICMP,
  IPPROTO_UDP,
  IP_DF,
  IP_MF,
  type InetModuleOptions,
  cksumBytes,
  parseAddr,
  pseudoHeaderSum,
  registerInet,
} from '../src/index.js';

export function setup(
  options: InetModuleOptions = {},
  hostNames: string[] = ['a'],
  mbufs?: { mbufs?: number; clusters?: number },
) {
  const sim = new Simulation({ seed: 1 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform, options);
  const hosts = hostNames.map((name) => platform.createHost({ name, runner: sim, mbufs }));
  return { sim, platform, hosts, host: hosts[0] };
}

export type SentPacket = ChannelPacket;

/** A raw channel (core's {@link ChannelEndpoint}, no framing): injected bytes are IPv4 packets. */
export interface Channel {
  ifp: Ifnet;
  /** Packets the stack sent out of the channel, copied (the mbufs are freed), with protocol and next hop. */
  sent: SentPacket[];
  /**
   * Injects bytes as a received IPv4 packet (flags: mbuf flags such as M_BCAST). Returns false when the
   * pool had no mbuf for it (what a NIC does: the frame is lost before the stack sees it).
   */
  inject(bytes: Uint8Array, flags?: number): boolean;
  /** Injects an already built mbuf. */
  injectMbuf(m: Mbuf): void;
}

/** A channel interface named `ch<unit>` on `host`. */
export function createChannel(host: Host, mtu = 1500): Channel {
  const ep = new ChannelEndpoint(host, { raw: { proto: 0x0800 }, mtu });
  return {
    ifp: ep.ifp,
    sent: ep.sent,
    inject: (bytes, flags = 0) => ep.inject(bytes, { flags }),
    injectMbuf: (m) => ep.injectMbuf(m),
  };
}

export interface IpFields {
  src: string | number;
  dst: string | number;
  proto: number;
  id?: number;
  ttl?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  /** Option bytes (padded to a multiple of 4 with zeros). */
  options?: number[];
  /** Override the total length field. */
  totalLength?: number;
  /** Corrupt the checksum. */
  badChecksum?: boolean;
}

const addr = (a: string | number) => (typeof a === 'number' ? a : parseAddr(a));

/** An IPv4 packet with `payload`. */
export function ipPacket(f: IpFields, payload: Uint8Array): Uint8Array {
  const opts = f.options ?? [];
  const hlen = 20 + ((opts.length + 3) & ~3);
  const out = new Uint8Array(hlen + payload.length);
  const v = new DataView(out.buffer);
  out[0] = 0x40 | (hlen >> 2);
  out[1] = f.tos ?? 0;
  v.setUint16(2, f.totalLength ?? out.length);
  v.setUint16(4, f.id ?? 1);
  v.setUint16(6, (f.df ? IP_DF : 0) | (f.mf ? IP_MF : 0) | ((f.fragOffset ?? 0) >> 3));
  out[8] = f.ttl ?? 64;
  out[9] = f.proto;
  v.setUint32(12, addr(f.src));
  v.setUint32(16, addr(f.dst));
  out.set(opts, 20);
  v.setUint16(10, ~cksumBytes(out, 0, hlen) & 0xffff);
  if (f.badChecksum) out[10] ^= 0x5a;
  out.set(payload, hlen);
  return out;
}

/** A UDP datagram (header + data) with a correct checksum for `src` → `dst` (or none / a bad one). */
export function udpDatagram(
  src: string | number,
  dst: string | number,
  sport: number,
  dport: number,
  data: Uint8Array,
  checksum: 'ok' | 'none' | 'bad' = 'ok',
): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint16(4, out.length);
  out.set(data, 8);
  if (checksum !== 'none') {
    let s = ~cksumBytes(out, 0, out.length, pseudoHeaderSum(addr(src), addr(dst), IPPROTO_UDP, out.length)) & 0xffff;
    if (s === 0) s = 0xffff;
    if (checksum === 'bad') s ^= 0x1234;
    v.setUint16(6, s);
  }
  return out;
}

/** A whole IPv4+UDP packet. */
export function udpPacket(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  data: Uint8Array,
  ip: Partial<IpFields> = {},
  checksum: 'ok' | 'none' | 'bad' = 'ok',
): Uint8Array {
  return ipPacket({ src, dst, proto: IPPROTO_UDP, ...ip }, udpDatagram(src, dst, sport, dport, data, checksum));
}

/** An ICMP message (header + data) with a correct checksum. */
export function icmpMessage(type: number, code: number, rest: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  const v = new DataView(out.buffer);
  out[0] = type;
  out[1] = code;
  v.setUint32(4, rest >>> 0);
  out.set(data, 8);
  v.setUint16(2, ~cksumBytes(out, 0, out.length) & 0xffff);
  return out;
}

/** An ICMP echo request packet. */
export function echoRequest(
  src: string,
  dst: string,
  id: number,
  seq: number,
  size: number,
  ip: Partial<IpFields> = {},
) {
  const data = new Uint8Array(size).map((_, i) => i & 0xff);
  return ipPacket({ src, dst, proto: IPPROTO_ICMP, ...ip }, icmpMessage(8, 0, (id << 16) | seq, data));
}

/** Bytes 0..n-1 (mod 256). */
export function bytes(n: number, seed = 0): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 7 + seed) & 0xff);
}

/**
 * A packet chain holding `data`, split into mbufs of the given lengths (the last one takes the rest),
 * each starting at offset `lead` in its buffer (odd offsets test unaligned sums).
 */
export function chainFrom(pool: MbufPool, data: Uint8Array, sizes: number[], lead = 0): Mbuf {
  let head: Mbuf | null = null;
  let tail: Mbuf | null = null;
  let pos = 0;
  let i = 0;
  do {
    const want = i < sizes.length ? Math.min(sizes[i], data.length - pos) : data.length - pos;
    const m: Mbuf = head === null ? pool.gethdr()! : pool.get()!;
    if (want + lead > m.capacity && !pool.clget(m)) throw new Error('no cluster');
    const n = Math.min(want, m.capacity - lead);
    m.off = lead;
    m.len = n;
    m.buf.set(data.subarray(pos, pos + n), lead);
    if (tail === null) head = m;
    else tail.next = m;
    tail = m;
    pos += n;
    i++;
  } while (pos < data.length);
  head!.pkthdr.len = data.length;
  return head!;
}
