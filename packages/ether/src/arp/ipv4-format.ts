/**
 * Dotted-quad formatting of an IPv4 address for ARP's debug strings and snapshots. Private to ARP:
 * `@ifnet/inet` owns the public IPv4 address helpers.
 *
 * @internal
 */
export function formatIpv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/**
 * Whether `v` is an IPv4 address in ARP's representation: a 32-bit integer, unsigned (`a >>> 0`,
 * 0..0xffffffff) or signed (`a | 0`, what IPv4's data path passes: it stays a small integer).
 */
export function isIpv4Number(v: unknown): v is number {
  return typeof v === 'number' && ((v | 0) === v || v >>> 0 === v);
}

/** 224.0.0.0/4 */
export function isIpv4Multicast(a: number): boolean {
  return a >>> 28 === 0xe;
}

/** An address that can never be a host's own unicast address: 0, 255.255.255.255, class D or E. */
export function isIpv4Unusable(a: number): boolean {
  return a === 0 || a >>> 28 >= 0xe;
}
