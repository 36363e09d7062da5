/**
 * Packet builders: Ethernet II, ARP, IPv4, ICMP and UDP, written field by field from the RFCs with the
 * kit's own checksum ({@link internetChecksum}), so a test's expectations never come from the code it
 * tests. Each returns a fresh `Uint8Array` (test code: allocation is fine here).
 *
 * @module
 */
import { internetChecksum, ipv4Addr, macAddr, pseudoHeaderSum } from './checksum.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;

type Mac = string | Uint8Array;
type Ip = string | number;

/** An Ethernet II frame (no FCS). */
export function ethernetFrame(
  h: { dst: Mac; src: Mac; type: number },
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(macAddr(h.dst), 0);
  f.set(macAddr(h.src), 6);
  f[12] = (h.type >>> 8) & 0xff;
  f[13] = h.type & 0xff;
  f.set(payload, 14);
  return f;
}

export interface ArpFields {
  /** 1 = request, 2 = reply. */
  op: number;
  senderHw: Mac;
  senderIp: Ip;
  targetHw?: Mac;
  targetIp: Ip;
}

/** A 28-byte ARP packet for IPv4 over Ethernet (RFC 826). */
export function arpPacket(a: ArpFields): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  v.setUint16(0, 1); // hardware: Ethernet
  v.setUint16(2, ETHERTYPE_IPV4);
  b[4] = 6;
  b[5] = 4;
  v.setUint16(6, a.op);
  b.set(macAddr(a.senderHw), 8);
  v.setUint32(14, ipv4Addr(a.senderIp));
  b.set(macAddr(a.targetHw ?? '00:00:00:00:00:00'), 18);
  v.setUint32(24, ipv4Addr(a.targetIp));
  return b;
}

export interface Ipv4Fields {
  src: Ip;
  dst: Ip;
  protocol: number;
  ttl?: number;
  tos?: number;
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
  /** Option bytes, padded with zeros to a multiple of 4. */
  options?: readonly number[];
  /** Overrides the total length field (to build malformed packets). */
  totalLength?: number;
  /** Stores a wrong header checksum. */
  badChecksum?: boolean;
}

/** An IPv4 packet (RFC 791) with a correct header checksum unless told otherwise. */
export function ipv4Packet(h: Ipv4Fields, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const opts = h.options ?? [];
  const hlen = 20 + ((opts.length + 3) & ~3);
  const b = new Uint8Array(hlen + payload.length);
  const v = new DataView(b.buffer);
  b[0] = 0x40 | (hlen >>> 2);
  b[1] = h.tos ?? 0;
  v.setUint16(2, h.totalLength ?? b.length);
  v.setUint16(4, h.id ?? 0);
  v.setUint16(6, (h.dontFragment ? 0x4000 : 0) | (h.moreFragments ? 0x2000 : 0) | ((h.fragmentOffset ?? 0) >>> 3));
  b[8] = h.ttl ?? 64;
  b[9] = h.protocol;
  v.setUint32(12, ipv4Addr(h.src));
  v.setUint32(16, ipv4Addr(h.dst));
  b.set(opts, 20);
  let sum = internetChecksum(b, 0, hlen);
  if (h.badChecksum) sum ^= 0x5a5a;
  v.setUint16(10, sum);
  b.set(payload, hlen);
  return b;
}

export interface UdpFields {
  /** Addresses of the enclosing IPv4 packet, for the pseudo-header. */
  src: Ip;
  dst: Ip;
  srcPort: number;
  dstPort: number;
  /** `'ok'` (default), `'none'` (0: no checksum, allowed over IPv4), `'bad'`. */
  checksum?: 'ok' | 'none' | 'bad';
}

/** A UDP datagram (RFC 768): header and data; the checksum covers the pseudo-header. */
export function udpDatagram(h: UdpFields, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, h.srcPort);
  v.setUint16(2, h.dstPort);
  v.setUint16(4, b.length);
  b.set(data, 8);
  const mode = h.checksum ?? 'ok';
  if (mode !== 'none') {
    let c = internetChecksum(b, 0, b.length, pseudoHeaderSum(ipv4Addr(h.src), ipv4Addr(h.dst), IPPROTO_UDP, b.length));
    if (c === 0) c = 0xffff; // 0 means "no checksum": a computed 0 is sent as all ones
    if (mode === 'bad') c ^= 0x1234;
    v.setUint16(6, c);
  }
  return b;
}

/** An ICMP message (RFC 792): type, code, the 32-bit rest-of-header, data; checksum over all of it. */
export function icmpMessage(
  type: number,
  code: number,
  rest: number,
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  const v = new DataView(b.buffer);
  b[0] = type;
  b[1] = code;
  v.setUint32(4, rest >>> 0);
  b.set(data, 8);
  v.setUint16(2, internetChecksum(b));
  return b;
}

/** An ICMP echo request (type 8) or reply (type 0). */
export function icmpEcho(
  kind: 'request' | 'reply',
  id: number,
  seq: number,
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return icmpMessage(kind === 'request' ? 8 : 0, 0, ((id & 0xffff) << 16) | (seq & 0xffff), data);
}
