/**
 * IPv4 addresses.
 *
 * An IPv4 address is an unsigned 32-bit number in host order: `10.0.0.1` is `0x0a000001`. That is the
 * contract with `@ifnet/ether`'s ARP (the next hop passed to `ifp.output(m, 0x0800, nextHop)`), it costs
 * nothing to compare or hash, and reading one from a packet is one `DataView.getUint32`. Strings appear
 * only at the API edge (`'10.0.0.1'`, `'10.0.0.0/24'`), parsed here.
 *
 * All results are normalised with `>>> 0`, so an address is never a negative number.
 *
 * @module
 */
import { InetError } from './errors.js';

/** An address as the API accepts it: a host-order number or a dotted quad. */
export type InAddrLike = number | string;

/** `INADDR_ANY` (0.0.0.0). */
export const INADDR_ANY = 0;
/** `INADDR_BROADCAST` (255.255.255.255), the limited broadcast. */
export const INADDR_BROADCAST = 0xffffffff;
/** `INADDR_LOOPBACK` (127.0.0.1). */
export const INADDR_LOOPBACK = 0x7f000001;
/** `INADDR_ALLHOSTS_GROUP` (224.0.0.1), joined by every multicast-capable interface. */
export const INADDR_ALLHOSTS_GROUP = 0xe0000001;
/** The loopback network 127.0.0.0/8 (`IN_LOOPBACKNET`). */
export const IN_LOOPBACKNET = 127;

/** `IN_MULTICAST`: 224.0.0.0/4 (class D). */
export function isMulticast(a: number): boolean {
  return (a & 0xf0000000) >>> 0 === 0xe0000000;
}

/** Class E (240.0.0.0/4, reserved), which includes the limited broadcast. */
export function isExperimental(a: number): boolean {
  return (a & 0xf0000000) >>> 0 === 0xf0000000;
}

/** Whether `a` is in 127.0.0.0/8. */
export function isLoopback(a: number): boolean {
  return a >>> 24 === IN_LOOPBACKNET;
}

/** The netmask of a prefix length: 24 → 0xffffff00; 0 → 0. */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Whether `s` is a dotted quad; returns the address or -1. No exceptions, no allocation beyond the split. */
function tryParse(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || parts === 4) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      // No leading zeros (they would be octal to inet_aton): "01" is refused.
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value >>> 0 : -1;
}

/**
 * Parses `a.b.c.d` into a host-order number. Throws {@link InetError} (`bad-address`) for anything else
 * (four decimal parts 0..255, no leading zeros, nothing around them).
 */
export function parseAddr(s: string): number {
  if (typeof s !== 'string') throw new InetError('bad-address', `not an IPv4 address: ${String(s)}`);
  const a = tryParse(s);
  if (a < 0) throw new InetError('bad-address', `not an IPv4 address: ${JSON.stringify(s)}`);
  return a;
}

/** An {@link InAddrLike} as a number; numbers are checked to be 32-bit unsigned integers. */
export function toAddr(a: InAddrLike): number {
  if (typeof a === 'string') return parseAddr(a);
  if (!Number.isInteger(a) || a < 0 || a > 0xffffffff) {
    throw new InetError('bad-address', `not an IPv4 address: ${a}`);
  }
  return a;
}

/** Formats a host-order address as `a.b.c.d`. */
export function formatAddr(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** A parsed `a.b.c.d/len`. */
export interface Prefix {
  /** The address as written (host bits kept: `10.0.0.1/24` gives `addr` 10.0.0.1). */
  addr: number;
  /** Prefix length 0..32. */
  len: number;
  /** `prefixMask(len)`. */
  mask: number;
  /** `addr & mask`. */
  network: number;
}

/**
 * Parses `a.b.c.d/len` (or `a.b.c.d`, which is a /32, or `default`, which is 0.0.0.0/0). Throws
 * {@link InetError} (`bad-address`) on anything else.
 */
export function parsePrefix(s: string): Prefix {
  if (typeof s !== 'string') throw new InetError('bad-address', `not a prefix: ${String(s)}`);
  if (s === 'default') return { addr: 0, len: 0, mask: 0, network: 0 };
  const slash = s.indexOf('/');
  const addr = parseAddr(slash < 0 ? s : s.slice(0, slash));
  let len = 32;
  if (slash >= 0) {
    const t = s.slice(slash + 1);
    if (!/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(t))
      throw new InetError('bad-address', `bad prefix length in ${JSON.stringify(s)}`);
    len = Number(t);
  }
  const mask = prefixMask(len);
  return { addr, len, mask, network: (addr & mask) >>> 0 };
}

/** Formats `network/len`. */
export function formatPrefix(network: number, len: number): string {
  return `${formatAddr(network)}/${len}`;
}

/**
 * The Ethernet group address of an IPv4 multicast group (RFC 1112 section 6.4): 01:00:5e followed by the
 * low 23 bits of the group. Allocates the 6-byte result.
 */
export function multicastMac(group: number): Uint8Array {
  return new Uint8Array([0x01, 0x00, 0x5e, (group >>> 16) & 0x7f, (group >>> 8) & 0xff, group & 0xff]);
}
