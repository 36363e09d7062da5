/**
 * The Internet checksum (RFC 1071), written here independently of `@ifnet/inet`'s, so packets the kit
 * builds and verifies never take their checksums from the code under test.
 *
 * The sum is the 16-bit one's complement sum of the data taken as big-endian 16-bit words (an odd last
 * byte padded with a zero byte), with end-around carries; the checksum field holds its complement. A
 * packet whose stored checksum is right sums (with the field included) to 0xFFFF.
 *
 * @module
 */

/** One's complement sum of `b[off, off+len)` as big-endian 16-bit words, folded to 16 bits, plus `initial`. */
export function onesComplementSum(b: Uint8Array, off = 0, len = b.length - off, initial = 0): number {
  let sum = initial;
  let i = off;
  const end = off + len;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum to store: the complement of the one's complement sum. */
export function internetChecksum(b: Uint8Array, off = 0, len = b.length - off, initial = 0): number {
  return ~onesComplementSum(b, off, len, initial) & 0xffff;
}

/** Sum of the IPv4 pseudo-header (RFC 768, RFC 793): source, destination, protocol, transport length. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  const s = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
  return onesComplementSum(new Uint8Array(0), 0, 0, s);
}

/** `a.b.c.d` as an unsigned 32-bit number. Throws on anything else. */
export function ipv4Addr(s: string | number): number {
  if (typeof s === 'number') return s >>> 0;
  const p = s.split('.');
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255))
    throw new RangeError(`not an IPv4 address: '${s}'`);
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

export function formatIpv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** `aa:bb:cc:dd:ee:ff` (or 6 bytes) as bytes. */
export function macAddr(s: string | Uint8Array): Uint8Array {
  if (s instanceof Uint8Array) {
    if (s.length !== 6) throw new RangeError(`a MAC address has 6 bytes, got ${s.length}`);
    return s;
  }
  const p = s.split(':');
  if (p.length !== 6 || p.some((x) => !/^[0-9a-fA-F]{2}$/.test(x))) throw new RangeError(`not a MAC address: '${s}'`);
  return Uint8Array.from(p, (x) => Number.parseInt(x, 16));
}

export function formatMacAddr(b: Uint8Array, off = 0): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i > 0 ? ':' : '') + b[off + i].toString(16).padStart(2, '0');
  return s;
}
