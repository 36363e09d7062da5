import { IPPROTO_UDP, UDP_HDR_LEN, emitIpv4, parseAddr } from '@ifnet/inet';
import { ETHERTYPE_IP, ETHER_HDR_LEN, parseMac } from '@ifnet/ether';

/** Offset of the 32-bit sequence number a traffic source stamps into each datagram's payload. */
export const UDP_FRAME_SEQ_OFFSET = ETHER_HDR_LEN + 20 + UDP_HDR_LEN;

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
  f.set(parseMac(o.dstMac), 0);
  f.set(parseMac(o.srcMac), 6);
  f[12] = ETHERTYPE_IP >>> 8;
  f[13] = ETHERTYPE_IP & 0xff;
  const ipPayload = o.size - ETHER_HDR_LEN - 20;
  emitIpv4(
    {
      src: parseAddr(o.src),
      dst: parseAddr(o.dst),
      protocol: IPPROTO_UDP,
      ttl: 64,
      tos: 0,
      ident: 1,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      payloadLength: ipPayload,
    },
    f,
    ETHER_HDR_LEN,
  );
  const u = ETHER_HDR_LEN + 20;
  const v = new DataView(f.buffer);
  v.setUint16(u, o.sport);
  v.setUint16(u + 2, o.dport);
  v.setUint16(u + 4, ipPayload);
  v.setUint16(u + 6, 0);
  return f;
}
