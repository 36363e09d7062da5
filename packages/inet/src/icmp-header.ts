/**
 * The ICMP message header (RFC 792): named byte offsets, a view and a representation, as for IPv4
 * (see `ip-header.ts`).
 *
 * ```text
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |  ICMP_TYPE ICMP_CODE ICMP_CKSUM
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Identifier (echo) / unused   | Sequence (echo) / next-hop MTU|  ICMP_ID ICMP_SEQ (ICMP_NEXTMTU)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Echo data, or the offending IP header + 64 bits (errors)     |  ICMP_DATA
 * ```
 *
 * The checksum covers the whole ICMP message.
 *
 * @module
 */
import { InetError } from './errors.js';
import { HeaderView } from './header-view.js';

export const ICMP_TYPE = 0;
export const ICMP_CODE = 1;
export const ICMP_CKSUM = 2;
/** Echo identifier. 2 bytes. */
export const ICMP_ID = 4;
/** Echo sequence number. 2 bytes. */
export const ICMP_SEQ = 6;
/** Next-hop MTU of a "fragmentation needed" unreachable (RFC 1191). 2 bytes. */
export const ICMP_NEXTMTU = 6;
/** Start of echo data, or of the quoted datagram of an error. */
export const ICMP_DATA = 8;
/** Shortest ICMP message (`ICMP_MINLEN`). */
export const ICMP_MINLEN = 8;

export const ICMP_ECHOREPLY = 0;
export const ICMP_UNREACH = 3;
export const ICMP_SOURCEQUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIMXCEED = 11;
export const ICMP_PARAMPROB = 12;
export const ICMP_TSTAMP = 13;
export const ICMP_TSTAMPREPLY = 14;

export const ICMP_UNREACH_NET = 0;
export const ICMP_UNREACH_HOST = 1;
export const ICMP_UNREACH_PROTOCOL = 2;
export const ICMP_UNREACH_PORT = 3;
export const ICMP_UNREACH_NEEDFRAG = 4;
export const ICMP_TIMXCEED_INTRANS = 0;
export const ICMP_TIMXCEED_REASS = 1;

/** Whether `type` is an ICMP *error* message (never answered with another error: RFC 1122 3.2.2). */
export function isIcmpError(type: number): boolean {
  return (
    type === ICMP_UNREACH ||
    type === ICMP_SOURCEQUENCH ||
    type === ICMP_REDIRECT ||
    type === ICMP_TIMXCEED ||
    type === ICMP_PARAMPROB
  );
}

/** A view of an ICMP header at `buf[off ..]` (no bounds checks, no allocation). */
export class IcmpHeader extends HeaderView {
  get type(): number {
    return this.buf[this.off + ICMP_TYPE];
  }
  set type(v: number) {
    this.buf[this.off + ICMP_TYPE] = v;
  }
  get code(): number {
    return this.buf[this.off + ICMP_CODE];
  }
  set code(v: number) {
    this.buf[this.off + ICMP_CODE] = v;
  }
  get checksum(): number {
    return this.u16(ICMP_CKSUM);
  }
  set checksum(v: number) {
    this.setU16(ICMP_CKSUM, v);
  }
  get ident(): number {
    return this.u16(ICMP_ID);
  }
  set ident(v: number) {
    this.setU16(ICMP_ID, v);
  }
  get seq(): number {
    return this.u16(ICMP_SEQ);
  }
  set seq(v: number) {
    this.setU16(ICMP_SEQ, v);
  }
  /** The second 32-bit word ("unused" in most errors). */
  get rest(): number {
    const b = this.buf;
    const i = this.off + ICMP_ID;
    return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  }
  set rest(v: number) {
    this.setU16(ICMP_ID, v >>> 16);
    this.setU16(ICMP_SEQ, v & 0xffff);
  }
}

/** A parsed ICMP header. `ident`/`seq` are meaningful for echo messages, `rest` for the others. */
export interface IcmpRepr {
  type: number;
  code: number;
  checksum: number;
  ident: number;
  seq: number;
  rest: number;
  /** Bytes after the 8-byte header. */
  dataLength: number;
}

/** Parses the ICMP header of a message occupying `bytes[off ..]`. Throws {@link InetError} `truncated`. */
export function parseIcmp(bytes: Uint8Array, off = 0): IcmpRepr {
  const avail = bytes.length - off;
  if (avail < ICMP_MINLEN) throw new InetError('truncated', `ICMP needs ${ICMP_MINLEN} bytes, ${avail} present`);
  const h = new IcmpHeader(bytes, off);
  return {
    type: h.type,
    code: h.code,
    checksum: h.checksum,
    ident: h.ident,
    seq: h.seq,
    rest: h.rest,
    dataLength: avail - ICMP_MINLEN,
  };
}
