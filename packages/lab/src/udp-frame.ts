import { IPPROTO_UDP, UDP_HDR_LEN, emitIpv4, parseAddr } from '@ifnet/inet';
import { ETHERTYPE_IP, ETHER_HDR_LEN, parseMac } from '@ifnet/ether';

/** Offset of the 32-bit sequence number a traffic source stamps into each datagram's payload. */
export const UDP_FRAME_SEQ_OFFSET = ETHER_HDR_LEN + 20 + UDP_HDR_LEN;

/** The addresses and protocol of {@link writeEtherIpv4Header}. */
export interface EtherIpv4Header {
  dstMac: string;
  srcMac: string;
  src: string;
  dst: string;
  /** IPv4 protocol number (17 UDP, 50 ESP). */
  protocol: number;
  /** Bytes after the 20-byte IPv4 header. */
  payloadLength: number;
}

/**
 * Writes an Ethernet header (type IPv4) and a 20-byte IPv4 header (TTL 64, ident 1, DF) at the start of
 * `f`: the common front of the lab's traffic templates.
 */
export function writeEtherIpv4Header(f: Uint8Array, o: EtherIpv4Header): void {
  f.set(parseMac(o.dstMac), 0);
  f.set(parseMac(o.srcMac), 6);
  f[12] = ETHERTYPE_IP >>> 8;
  f[13] = ETHERTYPE_IP & 0xff;
  emitIpv4(
    {
      src: parseAddr(o.src),
      dst: parseAddr(o.dst),
      protocol: o.protocol,
      ttl: 64,
      tos: 0,
      ident: 1,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      payloadLength: o.payloadLength,
    },
    f,
    ETHER_HDR_LEN,
  );
}

/**
 * A complete Ethernet + IPv4 + UDP frame to use as a traffic template: `size` bytes without FCS (60 is the
 * Ethernet minimum), UDP checksum 0 (none), so a source can stamp a sequence number into the payload
 * without invalidating anything.
 */
export function udpFrame(o: {
  dstMac: string;
  srcMac: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  size: number;
}): Uint8Array {
  const f = new Uint8Array(o.size);
  const ipPayload = o.size - ETHER_HDR_LEN - 20;
  writeEtherIpv4Header(f, { ...o, protocol: IPPROTO_UDP, payloadLength: ipPayload });
  const u = ETHER_HDR_LEN + 20;
  const v = new DataView(f.buffer);
  v.setUint16(u, o.sport);
  v.setUint16(u + 2, o.dport);
  v.setUint16(u + 4, ipPayload);
  v.setUint16(u + 6, 0);
  return f;
}
