/**
 * Receive checksum offload of the 8254x (RXCSUM.IPOFL / TUOFL), computed by the model as the hardware
 * would as a frame goes by: for an untagged IPv4 frame the IPv4 header checksum (status IPCS, error IPE),
 * and for an unfragmented TCP or UDP datagram its checksum over the pseudo-header (status TCPCS — the
 * 8254x's TCPCS covers both — plus UDPCS for UDP, as later parts of the family report it; error TCPE). A
 * UDP checksum of 0 means "none" and is not an error. Frames that are not IPv4, IPv4 headers that are
 * malformed or truncated, and fragments get no indication. With both offloads off the descriptor says
 * IXSM ("ignore checksum indication").
 *
 * The sum (`in_cksum`, RFC 1071) reads the frame as *little-endian* 32-bit words through a DataView and
 * swaps the bytes of the folded result once at the end, as RFC 1071 §2(B) ("byte order independence")
 * allows: a little-endian 16-bit half is a big-endian word with its bytes swapped, and the ones'-complement
 * sum of swapped words is the swapped sum. Long runs are summed as doubles (see {@link sumRun}).
 * `test/rx-checksum.test.ts` checks this against a byte-by-byte sum on random frames at every alignment.
 *
 * @module
 */
import {
  RXCSUM_IPOFL,
  RXCSUM_TUOFL,
  RXD_ERR_IPE,
  RXD_ERR_TCPE,
  RXD_STAT_IPCS,
  RXD_STAT_IXSM,
  RXD_STAT_TCPCS,
  RXD_STAT_UDPCS,
} from '../regs.js';

const ETHERTYPE_IPV4 = 0x0800;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const TWO_32 = 0x1_0000_0000;

/**
 * Ones'-complement sum (RFC 1071), folded to 16 bits, of the big-endian 16-bit words of `f[off, off+len)`
 * — an odd last byte padded with zero — where `v` is a DataView of `f`'s whole buffer, in which `f` starts
 * at `base`. Summed in byte-swapped form (little-endian words, whose halves are the big-endian words with
 * their bytes swapped; the last up to three bytes likewise) and swapped back at the end.
 *
 * Runs of eight words and more go to {@link sumRun} (doubles: on V8, node 20, a 1480-byte datagram sums
 * about 1.5 times as fast as splitting each word into its 16-bit halves); the last few words are split
 * (small integers), so a 20-byte header never divides.
 */
function sumWords(f: Uint8Array, v: DataView, base: number, off: number, len: number): number {
  let s = 0;
  let i = base + off;
  const long = len & ~31;
  if (long !== 0) {
    s = sumRun(v, i, i + long);
    i += long;
  }
  for (const end4 = base + off + (len & ~3); i < end4; i += 4) {
    const w = v.getUint32(i, true);
    s += (w >>> 16) + (w & 0xffff);
  }
  // The last one to three bytes: a byte at an even distance from off is a word's high byte, low when swapped.
  const o = off + (len & ~3);
  if ((len & 2) !== 0) s += f[o] | (f[o + 1] << 8);
  if ((len & 1) !== 0) s += f[o + (len & 2)];
  const sum = fold(s);
  return ((sum & 0xff) << 8) | (sum >>> 8);
}

/**
 * Sum of the little-endian 32-bit words of the buffer under `v` at `[i, end)` (`end - i` a multiple of 32)
 * as doubles in four accumulators (exact: a 16 KiB frame's 4,096 words add up to less than 2^44; V8 keeps
 * them unboxed in registers), folded to a small integer before it returns (2^32 ≡ 2^16 ≡ 1 modulo
 * 0xFFFF). Its own function so that {@link sumWords} stays small enough for V8 to inline.
 */
function sumRun(v: DataView, i: number, end: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let k = i; k < end; k += 32) {
    a0 += v.getUint32(k, true) + v.getUint32(k + 16, true);
    a1 += v.getUint32(k + 4, true) + v.getUint32(k + 20, true);
    a2 += v.getUint32(k + 8, true) + v.getUint32(k + 24, true);
    a3 += v.getUint32(k + 12, true) + v.getUint32(k + 28, true);
  }
  const x = a0 + a1 + a2 + a3;
  const hi = (x / TWO_32) | 0;
  const lo = (x - hi * TWO_32) >>> 0;
  return (lo >>> 16) + (lo & 0xffff) + hi;
}

function fold(s: number): number {
  let v = (s & 0xffff) + (s >>> 16);
  v = (v & 0xffff) + (v >>> 16);
  return v;
}

/**
 * The receive descriptor's checksum indications for the frame `f[off, off+len)` (without FCS) under
 * RXCSUM `rxcsum`: status bits in bits 0..7, error bits in bits 8..15. `v` is a DataView of `f.buffer`
 * from byte 0 (kept by the caller across frames, so none is created per frame) and `base` is
 * `f.byteOffset` (also kept by the caller: the getter is a call).
 */
export function rxChecksumBits(
  f: Uint8Array,
  v: DataView,
  base: number,
  off: number,
  len: number,
  rxcsum: number,
): number {
  const ipofl = (rxcsum & RXCSUM_IPOFL) !== 0;
  const tuofl = (rxcsum & RXCSUM_TUOFL) !== 0;
  if (!ipofl && !tuofl) return RXD_STAT_IXSM;
  if (len < 34 || ((f[off + 12] << 8) | f[off + 13]) !== ETHERTYPE_IPV4) return 0;
  const ip = off + 14;
  const vhl = f[ip];
  const hlen = (vhl & 0x0f) << 2;
  const total = (f[ip + 2] << 8) | f[ip + 3];
  if (vhl >>> 4 !== 4 || hlen < 20 || total < hlen || 14 + total > len) return 0;
  let bits = 0;
  if (ipofl) {
    bits = RXD_STAT_IPCS;
    if (sumWords(f, v, base, ip, hlen) !== 0xffff) return RXD_STAT_IPCS | (RXD_ERR_IPE << 8);
  }
  if (!tuofl) return bits;
  const proto = f[ip + 9];
  if ((proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) || (((f[ip + 6] << 8) | f[ip + 7]) & 0x3fff) !== 0) {
    return bits; // not TCP/UDP, or a fragment: the device cannot check it
  }
  const l4 = ip + hlen;
  const l4len = total - hlen;
  if (proto === IPPROTO_UDP) {
    if (l4len < 8) return bits;
    bits |= RXD_STAT_TCPCS | RXD_STAT_UDPCS;
    if (f[l4 + 6] === 0 && f[l4 + 7] === 0) return bits; // no checksum
  } else {
    if (l4len < 20) return bits;
    bits |= RXD_STAT_TCPCS;
  }
  // Pseudo-header (source and destination address, protocol, length) and the datagram.
  const s = sumWords(f, v, base, ip + 12, 8) + proto + l4len + sumWords(f, v, base, l4, l4len);
  return fold(s) === 0xffff ? bits : bits | (RXD_ERR_TCPE << 8);
}
