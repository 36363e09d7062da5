/**
 * The IPv4 header (RFC 791 section 3.1), smoltcp-style: named byte offsets for every field, a *view*
 * ({@link Ipv4Header}) that reads and writes fields in place over packet bytes, and a parsed
 * *representation* ({@link Ipv4Repr}) for code that wants plain values (tests, tools, slow paths).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |  IP_VHL IP_TOS IP_LEN
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |  IP_ID IP_OFF
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |  IP_TTL IP_P IP_SUM
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |  IP_SRC
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |  IP_DST
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * ```
 *
 * The view never copies and never allocates once built; re-point one at each packet with
 * {@link Ipv4Header.at}. It does not check bounds: the caller has made sure the header bytes are there
 * (`m_pullup`). The representation's {@link parseIpv4} checks everything and throws {@link InetError}.
 *
 * Who uses what: tools, tests and slow paths use the view and the representation. The input and output
 * hot paths (`Inet.input`, `Udp.input`, `Icmp.input`, `Inet.output`) do not: they index `m.buf` with the
 * same named offsets (`b[o + IP_TTL]`), which V8 compiles to plain loads with no object in between — the
 * measured cheapest form. Both read the same constants, so they cannot disagree on the layout.
 *
 * @module
 */
import { cksumBytes } from './cksum.js';
import { InetError } from './errors.js';
import { HeaderView } from './header-view.js';

/** Version (high nibble) and header length in 32-bit words (low nibble). 1 byte. */
export const IP_VHL = 0;
/** Type of service / DSCP+ECN. 1 byte. */
export const IP_TOS = 1;
/** Total length of the datagram, header included. 2 bytes. */
export const IP_LEN = 2;
/** Identification (groups the fragments of one datagram). 2 bytes. */
export const IP_ID = 4;
/** Flags (3 bits) and fragment offset in 8-byte units (13 bits). 2 bytes. */
export const IP_OFF = 6;
/** Time to live. 1 byte. */
export const IP_TTL = 8;
/** Protocol of the payload (`IPPROTO_*`). 1 byte. */
export const IP_P = 9;
/** Header checksum. 2 bytes. */
export const IP_SUM = 10;
/** Source address. 4 bytes. */
export const IP_SRC = 12;
/** Destination address. 4 bytes. */
export const IP_DST = 16;
/** Length of a header without options. */
export const IP_HDR_LEN = 20;
/** Longest header (IHL 15). */
export const IP_MAX_HDR_LEN = 60;
/** Largest datagram (`IP_MAXPACKET`). */
export const IP_MAXPACKET = 65535;
/** `IPVERSION` */
export const IPVERSION = 4;
/** Default TTL of datagrams we originate (`IPDEFTTL` is 64 on BSD). */
export const IPDEFTTL = 64;

/** Reserved flag (must be zero). */
export const IP_RF = 0x8000;
/** Don't fragment. */
export const IP_DF = 0x4000;
/** More fragments. */
export const IP_MF = 0x2000;
/** Fragment offset mask (in 8-byte units). */
export const IP_OFFMASK = 0x1fff;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/**
 * A view of an IPv4 header at `buf[off ..]`. Getters and setters read and write the fields in network
 * byte order; addresses are host-order numbers. No bounds checks (see the module doc).
 */
export class Ipv4Header extends HeaderView {
  get version(): number {
    return this.buf[this.off + IP_VHL] >>> 4;
  }
  /** Header length in bytes (IHL * 4). */
  get headerLength(): number {
    return (this.buf[this.off + IP_VHL] & 0x0f) << 2;
  }
  /** Sets version 4 and the header length in bytes (a multiple of 4, 20..60). */
  setVersionAndHeaderLength(bytes: number): void {
    this.buf[this.off + IP_VHL] = (IPVERSION << 4) | (bytes >>> 2);
  }
  get tos(): number {
    return this.buf[this.off + IP_TOS];
  }
  set tos(v: number) {
    this.buf[this.off + IP_TOS] = v;
  }
  get totalLength(): number {
    return this.u16(IP_LEN);
  }
  set totalLength(v: number) {
    this.setU16(IP_LEN, v);
  }
  get ident(): number {
    return this.u16(IP_ID);
  }
  set ident(v: number) {
    this.setU16(IP_ID, v);
  }
  /** The raw flags + fragment offset word. */
  get flagsAndOffset(): number {
    return this.u16(IP_OFF);
  }
  set flagsAndOffset(v: number) {
    this.setU16(IP_OFF, v);
  }
  get dontFragment(): boolean {
    return (this.u16(IP_OFF) & IP_DF) !== 0;
  }
  get moreFragments(): boolean {
    return (this.u16(IP_OFF) & IP_MF) !== 0;
  }
  /** Fragment offset in bytes. */
  get fragmentOffset(): number {
    return (this.u16(IP_OFF) & IP_OFFMASK) << 3;
  }
  get ttl(): number {
    return this.buf[this.off + IP_TTL];
  }
  set ttl(v: number) {
    this.buf[this.off + IP_TTL] = v;
  }
  get protocol(): number {
    return this.buf[this.off + IP_P];
  }
  set protocol(v: number) {
    this.buf[this.off + IP_P] = v;
  }
  get checksum(): number {
    return this.u16(IP_SUM);
  }
  set checksum(v: number) {
    this.setU16(IP_SUM, v);
  }
  get src(): number {
    return this.u32(IP_SRC);
  }
  set src(v: number) {
    this.setU32(IP_SRC, v);
  }
  get dst(): number {
    return this.u32(IP_DST);
  }
  set dst(v: number) {
    this.setU32(IP_DST, v);
  }

  /** Whether the header checksum verifies over {@link headerLength} bytes. */
  verifyChecksum(): boolean {
    return cksumBytes(this.buf, this.off, this.headerLength) === 0xffff;
  }

  /** Computes and writes the header checksum over {@link headerLength} bytes. */
  fillChecksum(): void {
    this.setU16(IP_SUM, 0);
    this.setU16(IP_SUM, ~cksumBytes(this.buf, this.off, this.headerLength) & 0xffff);
  }
}

/** A parsed IPv4 header: plain values. */
export interface Ipv4Repr {
  src: number;
  dst: number;
  protocol: number;
  ttl: number;
  tos: number;
  ident: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes. */
  fragmentOffset: number;
  /** Header length in bytes (20 without options). */
  headerLength: number;
  /** Bytes after the header: `totalLength - headerLength`. */
  payloadLength: number;
}

/**
 * Parses and validates the IPv4 header at `bytes[off ..]` (version, header length, total length against
 * the bytes present, checksum). Throws {@link InetError}: `truncated`, `malformed` or `checksum`.
 */
export function parseIpv4(bytes: Uint8Array, off = 0): Ipv4Repr {
  const avail = bytes.length - off;
  if (avail < IP_HDR_LEN) throw new InetError('truncated', `IPv4 header needs ${IP_HDR_LEN} bytes, ${avail} present`);
  const h = new Ipv4Header(bytes, off);
  if (h.version !== IPVERSION) throw new InetError('malformed', `IP version ${h.version}`);
  const hlen = h.headerLength;
  if (hlen < IP_HDR_LEN) throw new InetError('malformed', `IP header length ${hlen}`);
  if (hlen > avail) throw new InetError('truncated', `IP header length ${hlen}, ${avail} bytes present`);
  const total = h.totalLength;
  if (total < hlen) throw new InetError('malformed', `IP total length ${total} < header length ${hlen}`);
  if (total > avail) throw new InetError('truncated', `IP total length ${total}, ${avail} bytes present`);
  if (!h.verifyChecksum()) throw new InetError('checksum', 'IP header checksum');
  return {
    src: h.src,
    dst: h.dst,
    protocol: h.protocol,
    ttl: h.ttl,
    tos: h.tos,
    ident: h.ident,
    dontFragment: h.dontFragment,
    moreFragments: h.moreFragments,
    fragmentOffset: h.fragmentOffset,
    headerLength: hlen,
    payloadLength: total - hlen,
  };
}

/**
 * Writes a header for `repr` at `bytes[off ..]` (20 bytes; options are not emitted, `headerLength` is
 * ignored) with a correct checksum. The payload is not touched.
 */
export function emitIpv4(repr: Omit<Ipv4Repr, 'headerLength'>, bytes: Uint8Array, off = 0): void {
  if (bytes.length - off < IP_HDR_LEN) throw new InetError('truncated', 'no room for an IPv4 header');
  const h = new Ipv4Header(bytes, off);
  h.setVersionAndHeaderLength(IP_HDR_LEN);
  h.tos = repr.tos;
  h.totalLength = IP_HDR_LEN + repr.payloadLength;
  h.ident = repr.ident;
  h.flagsAndOffset =
    (repr.dontFragment ? IP_DF : 0) | (repr.moreFragments ? IP_MF : 0) | ((repr.fragmentOffset >>> 3) & IP_OFFMASK);
  h.ttl = repr.ttl;
  h.protocol = repr.protocol;
  h.src = repr.src;
  h.dst = repr.dst;
  h.fillChecksum();
}
