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
import { icmpMessage as kitIcmpMessage, udpDatagram as kitUdpDatagram, ipv4Packet } from '@ifnet/testkit';
import { IPPROTO_ICMP, IPPROTO_UDP, type InetModuleOptions, inetFor, registerInet, udpFor } from '../src/index.js';

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

/**
 * One host (from {@link setup}) with a channel interface holding `addr` (a `/24` when no prefix is given),
 * and its IPv4 and UDP: the world of the input tests.
 */
export function channelWorld(addr = '10.0.0.1') {
  const w = setup();
  const ch = createChannel(w.host);
  inetFor(w.host).addAddress(ch.ifp, addr.includes('/') ? addr : `${addr}/24`);
  return { ...w, ch, inet: inetFor(w.host), udp: udpFor(w.host) };
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

/**
 * An IPv4 packet with `payload`, built by the test kit (its own RFC 1071 checksum, not inet's: the
 * expectations of these tests never come from the code under test).
 */
export function ipPacket(f: IpFields, payload: Uint8Array): Uint8Array {
  return ipv4Packet(
    {
      src: f.src,
      dst: f.dst,
      protocol: f.proto,
      id: f.id ?? 1,
      ttl: f.ttl,
      tos: f.tos,
      dontFragment: f.df,
      moreFragments: f.mf,
      fragmentOffset: f.fragOffset,
      options: f.options,
      totalLength: f.totalLength,
      badChecksum: f.badChecksum,
    },
    payload,
  );
}

/** A UDP datagram (header + data) with a correct checksum for `src` → `dst` (or none / a bad one), by the test kit. */
export function udpDatagram(
  src: string | number,
  dst: string | number,
  sport: number,
  dport: number,
  data: Uint8Array,
  checksum: 'ok' | 'none' | 'bad' = 'ok',
): Uint8Array {
  return kitUdpDatagram({ src, dst, srcPort: sport, dstPort: dport, checksum }, data);
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

/** An ICMP message (header + data) with a correct checksum (the test kit's). */
export const icmpMessage = kitIcmpMessage;

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
