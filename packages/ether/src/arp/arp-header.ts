/**
 * The ARP packet for Ethernet and IPv4 (RFC 826), as named byte ranges — smoltcp-style, so the code that
 * reads or writes a field says which one — plus a parsed representation ({@link ArpRepr}) with
 * {@link parseArp} and {@link emitArp}.
 *
 * ```text
 *  0      2      4    5    6      8                14        18                24        28
 *  +------+------+----+----+------+-----------------+---------+-----------------+---------+
 *  | hrd  | pro  |hln |pln | op   | sha (6)         | spa (4) | tha (6)         | tpa (4) |
 *  +------+------+----+----+------+-----------------+---------+-----------------+---------+
 * ```
 *
 * Addresses: hardware addresses are 6-byte MACs; protocol addresses are IPv4 addresses as unsigned
 * 32-bit numbers in host order (10.0.0.1 = 0x0a000001), the convention shared with `@ifnet/inet`.
 *
 * @module
 */

/** Hardware type (`ar_hrd`), 2 bytes. */
export const ARP_HRD = 0;
/** Protocol type (`ar_pro`), 2 bytes. */
export const ARP_PRO = 2;
/** Hardware address length (`ar_hln`), 1 byte. */
export const ARP_HLN = 4;
/** Protocol address length (`ar_pln`), 1 byte. */
export const ARP_PLN = 5;
/** Operation (`ar_op`), 2 bytes. */
export const ARP_OP = 6;
/** Sender hardware address, 6 bytes. */
export const ARP_SHA = 8;
/** Sender protocol address, 4 bytes. */
export const ARP_SPA = 14;
/** Target hardware address, 6 bytes. */
export const ARP_THA = 18;
/** Target protocol address, 4 bytes. */
export const ARP_TPA = 24;
/** Length of the fixed part (through `ar_op`). */
export const ARP_FIXED_LEN = 8;
/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_LEN = 28;

/** `ARPHRD_ETHER` */
export const ARPHRD_ETHER = 1;
/** `ARPOP_REQUEST` */
export const ARPOP_REQUEST = 1;
/** `ARPOP_REPLY` */
export const ARPOP_REPLY = 2;

/** An Ethernet/IPv4 ARP packet, parsed. */
export interface ArpRepr {
  op: typeof ARPOP_REQUEST | typeof ARPOP_REPLY;
  /** Sender hardware address (6 bytes). */
  sha: Uint8Array;
  /** Sender protocol address, unsigned 32-bit. */
  spa: number;
  /** Target hardware address (6 bytes). */
  tha: Uint8Array;
  /** Target protocol address, unsigned 32-bit. */
  tpa: number;
}

/** Why a byte sequence is not an Ethernet/IPv4 ARP packet; each is the drop reason `arp.<error>`. */
export type ArpError = 'short' | 'bad-hrd' | 'bad-pro' | 'bad-hln' | 'bad-pln' | 'bad-op';

/**
 * Checks the fixed header of an ARP packet at `b[off ..]`, of which `len` bytes are valid: Ethernet
 * hardware, IPv4 protocol, lengths 6 and 4, request or reply, and a full 28-byte packet. Returns null
 * when it is acceptable, or the first problem found, in that order (the fixed part must be there
 * before anything else is looked at).
 */
export function checkArp(b: Uint8Array, off: number, len: number): ArpError | null {
  if (len < ARP_FIXED_LEN) return 'short';
  if (((b[off + ARP_HRD] << 8) | b[off + ARP_HRD + 1]) !== ARPHRD_ETHER) return 'bad-hrd';
  if (((b[off + ARP_PRO] << 8) | b[off + ARP_PRO + 1]) !== 0x0800) return 'bad-pro';
  if (b[off + ARP_HLN] !== 6) return 'bad-hln';
  if (b[off + ARP_PLN] !== 4) return 'bad-pln';
  const op = (b[off + ARP_OP] << 8) | b[off + ARP_OP + 1];
  if (op !== ARPOP_REQUEST && op !== ARPOP_REPLY) return 'bad-op';
  if (len < ARP_LEN) return 'short';
  return null;
}

/** Reads a big-endian unsigned 32-bit number. */
export function readU32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** Writes an unsigned 32-bit number big-endian. */
export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** Parses an ARP packet (allocates the representation: for tests and tools, not the input path). */
export function parseArp(b: Uint8Array, off = 0, len = b.length - off): ArpRepr | ArpError {
  const err = checkArp(b, off, len);
  if (err !== null) return err;
  return {
    op: ((b[off + ARP_OP] << 8) | b[off + ARP_OP + 1]) as ArpRepr['op'],
    sha: b.slice(off + ARP_SHA, off + ARP_SHA + 6),
    spa: readU32(b, off + ARP_SPA),
    tha: b.slice(off + ARP_THA, off + ARP_THA + 6),
    tpa: readU32(b, off + ARP_TPA),
  };
}

/** Writes `r` as a 28-byte ARP packet at `b[off ..]`. */
export function emitArp(r: ArpRepr, b: Uint8Array, off = 0): void {
  writeArp(b, off, r.op, r.sha, r.spa, r.tha, r.tpa);
}

/**
 * Writes a 28-byte Ethernet/IPv4 ARP packet at `b[off ..]` from its fields (no representation object, so
 * the output path allocates nothing). Addresses are host-order numbers, MACs 6-byte arrays.
 */
export function writeArp(
  b: Uint8Array,
  off: number,
  op: number,
  sha: Uint8Array,
  spa: number,
  tha: Uint8Array,
  tpa: number,
): void {
  b[off + ARP_HRD] = 0;
  b[off + ARP_HRD + 1] = ARPHRD_ETHER;
  b[off + ARP_PRO] = 0x08;
  b[off + ARP_PRO + 1] = 0x00;
  b[off + ARP_HLN] = 6;
  b[off + ARP_PLN] = 4;
  b[off + ARP_OP] = 0;
  b[off + ARP_OP + 1] = op;
  for (let i = 0; i < 6; i++) {
    b[off + ARP_SHA + i] = sha[i];
    b[off + ARP_THA + i] = tha[i];
  }
  writeU32(b, off + ARP_SPA, spa);
  writeU32(b, off + ARP_TPA, tpa);
}
