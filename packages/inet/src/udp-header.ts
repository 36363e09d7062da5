/**
 * The UDP header (RFC 768): named byte offsets, a view and a representation.
 *
 * ```text
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |   Source Port   |  Destination    |  UDP_SPORT UDP_DPORT
 * |                 |     Port        |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |  UDP_ULEN UDP_SUM
 * +--------+--------+--------+--------+
 * |          data octets ...          |
 * ```
 *
 * The checksum covers a pseudo-header (source and destination address, protocol, UDP length), the UDP
 * header and the data; a transmitted checksum of zero means "none" (a computed zero is sent as 0xffff).
 *
 * @module
 */
import { cksumBytes, pseudoHeaderSum } from './cksum.js';
import { InetError } from './errors.js';
import { IPPROTO_UDP } from './ip-header.js';
import { HeaderView } from './header-view.js';

export const UDP_SPORT = 0;
export const UDP_DPORT = 2;
/** Length of header + data. 2 bytes. */
export const UDP_ULEN = 4;
export const UDP_SUM = 6;
export const UDP_HDR_LEN = 8;

/** A view of a UDP header at `buf[off ..]` (no bounds checks, no allocation). */
export class UdpHeader extends HeaderView {
  get srcPort(): number {
    return this.u16(UDP_SPORT);
  }
  set srcPort(v: number) {
    this.setU16(UDP_SPORT, v);
  }
  get dstPort(): number {
    return this.u16(UDP_DPORT);
  }
  set dstPort(v: number) {
    this.setU16(UDP_DPORT, v);
  }
  get length(): number {
    return this.u16(UDP_ULEN);
  }
  set length(v: number) {
    this.setU16(UDP_ULEN, v);
  }
  get checksum(): number {
    return this.u16(UDP_SUM);
  }
  set checksum(v: number) {
    this.setU16(UDP_SUM, v);
  }
}

/** A parsed UDP datagram header. */
export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  /** Data bytes after the header. */
  payloadLength: number;
  /** The transmitted checksum (0: none). */
  checksum: number;
}

/**
 * Parses and validates the UDP datagram occupying `bytes[off ..]` (length against the bytes present,
 * checksum with the pseudo-header of `src` → `dst` unless zero). Throws {@link InetError}.
 */
export function parseUdp(bytes: Uint8Array, src: number, dst: number, off = 0): UdpRepr {
  const avail = bytes.length - off;
  if (avail < UDP_HDR_LEN) throw new InetError('truncated', `UDP needs ${UDP_HDR_LEN} bytes, ${avail} present`);
  const h = new UdpHeader(bytes, off);
  const ulen = h.length;
  if (ulen < UDP_HDR_LEN) throw new InetError('malformed', `UDP length ${ulen}`);
  if (ulen > avail) throw new InetError('truncated', `UDP length ${ulen}, ${avail} bytes present`);
  if (h.checksum !== 0 && cksumBytes(bytes, off, ulen, pseudoHeaderSum(src, dst, IPPROTO_UDP, ulen)) !== 0xffff) {
    throw new InetError('checksum', 'UDP checksum');
  }
  return { srcPort: h.srcPort, dstPort: h.dstPort, payloadLength: ulen - UDP_HDR_LEN, checksum: h.checksum };
}
