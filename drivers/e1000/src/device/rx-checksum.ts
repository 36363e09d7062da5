/**
 * Receive checksum offload of the 8254x (RXCSUM.IPOFL / TUOFL), computed by the model as the hardware
 * would as a frame goes by: for an untagged IPv4 frame the IPv4 header checksum (status IPCS, error IPE),
 * and for an unfragmented TCP or UDP datagram its checksum over the pseudo-header (status TCPCS — the
 * 8254x's TCPCS covers both — plus UDPCS for UDP, as later parts of the family report it; error TCPE). A
 * UDP checksum of 0 means "none" and is not an error. Frames that are not IPv4, IPv4 headers that are
 * malformed or truncated, and fragments get no indication. With both offloads off the descriptor says
 * IXSM ("ignore checksum indication").
 *
 * The sum (`in_cksum`, RFC 1071) runs over *aligned native 32-bit words* of the frame's buffer and turns
 * the result into the big-endian words' sum with one byte swap at the end, as RFC 1071 §2(B) ("byte order
 * independence") allows: on a little-endian host a native 16-bit half is a big-endian word with its bytes
 * swapped, and the ones'-complement sum of swapped words is the swapped sum. Bytes before the first 4-byte
 * boundary and after the last are added one by one as the high or low byte of their big-endian word.
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
/** Whether this host stores the low byte of a word first (every platform V8 and SpiderMonkey ship on today). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const TWO_32 = 0x1_0000_0000;

/**
 * Ones'-complement sum (RFC 1071), folded to 16 bits, of the big-endian 16-bit words of `b[p, p+len)` —
 * an odd last byte padded with zero. `b` and `w` view one whole buffer from byte 0 (bytes and 32-bit words).
 *
 * Each byte's weight depends only on its address's parity, so the sum is taken in *little-endian order*
 * (a byte at an even address low, at an odd one high): the aligned body as native 32-bit words, the at
 * most three bytes before it and after it by hand. That sum is the big-endian one with its bytes swapped
 * when `p` is even, and the big-endian one itself when `p` is odd (its words then pair an odd byte, high,
 * with the next even one, low).
 *
 * Runs of eight words and more go to {@link sumRun} (doubles: on V8, node 20, a 1480-byte datagram sums
 * about 1.5 times as fast as splitting each word into its 16-bit halves); the last few words are split
 * (small integers), so a 20-byte header never divides.
 */
function sumWords(b: Uint8Array, w: Uint32Array, p: number, len: number): number {
  const end = p + len;
  let s = 0;
  let i = p;
  if ((i & 1) !== 0 && i < end) s = b[i++] << 8;
  if ((i & 2) !== 0 && i + 2 <= end) {
    s += b[i] | (b[i + 1] << 8);
    i += 2;
  }
  // Whole words from i on (i is 4-aligned here unless fewer than two bytes are left).
  const words = (end - i) >>> 2;
  let k = i >>> 2;
  const endW = k + words;
  let f = 0;
  if (words >= 8) {
    f = sumRun(w, k, k + (words & ~7));
    k += words & ~7;
  }
  for (; k < endW; k++) {
    const v = w[k];
    f += (v >>> 16) + (v & 0xffff);
  }
  if (!LITTLE_ENDIAN) f = swap16(fold(f));
  // Tail: at most three bytes from an even address.
  i += words << 2;
  if (end - i >= 2) {
    s += b[i] | (b[i + 1] << 8);
    i += 2;
  }
  if (i < end) s += b[i];
  const sum = fold(s + f);
  return (p & 1) === 0 ? swap16(sum) : sum;
}

/**
 * Sum of the 32-bit words `w[k, end)` (`end - k` a multiple of 8) as doubles in four accumulators (exact:
 * a 16 KiB frame's 4,096 words add up to less than 2^44; V8 keeps them unboxed in registers), folded to a
 * small integer before it returns (2^32 ≡ 2^16 ≡ 1 modulo 0xFFFF). Its own function so that
 * {@link sumWords} stays small enough for V8 to inline.
 */
function sumRun(w: Uint32Array, k: number, end: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let i = k; i < end; i += 8) {
    a0 += w[i] + w[i + 4];
    a1 += w[i + 1] + w[i + 5];
    a2 += w[i + 2] + w[i + 6];
    a3 += w[i + 3] + w[i + 7];
  }
  const x = a0 + a1 + a2 + a3;
  const hi = (x / TWO_32) | 0;
  const lo = (x - hi * TWO_32) >>> 0;
  return (lo >>> 16) + (lo & 0xffff) + hi;
}

function swap16(v: number): number {
  return ((v & 0xff) << 8) | (v >>> 8);
}

function fold(s: number): number {
  let v = (s & 0xffff) + (s >>> 16);
  v = (v & 0xffff) + (v >>> 16);
  return v;
}

/**
 * The receive descriptor's checksum indications for the frame `b[off, off+len)` (without FCS) under
 * RXCSUM `rxcsum`: status bits in bits 0..7, error bits in bits 8..15. `b` views the frame's whole buffer
 * from byte 0 and `w` the same buffer as 32-bit words (the caller keeps both across frames, so none is
 * created per frame, and `off` is the frame's offset in that buffer).
 */
export function rxChecksumBits(b: Uint8Array, w: Uint32Array, off: number, len: number, rxcsum: number): number {
  const ipofl = (rxcsum & RXCSUM_IPOFL) !== 0;
  const tuofl = (rxcsum & RXCSUM_TUOFL) !== 0;
  if (!ipofl && !tuofl) return RXD_STAT_IXSM;
  if (len < 34 || ((b[off + 12] << 8) | b[off + 13]) !== ETHERTYPE_IPV4) return 0;
  const ip = off + 14;
  const vhl = b[ip];
  const hlen = (vhl & 0x0f) << 2;
  const total = (b[ip + 2] << 8) | b[ip + 3];
  if (vhl >>> 4 !== 4 || hlen < 20 || total < hlen || 14 + total > len) return 0;
  let bits = 0;
  if (ipofl) {
    bits = RXD_STAT_IPCS;
    if (sumWords(b, w, ip, hlen) !== 0xffff) return RXD_STAT_IPCS | (RXD_ERR_IPE << 8);
  }
  if (!tuofl) return bits;
  const proto = b[ip + 9];
  if ((proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) || (((b[ip + 6] << 8) | b[ip + 7]) & 0x3fff) !== 0) {
    return bits; // not TCP/UDP, or a fragment: the device cannot check it
  }
  const l4 = ip + hlen;
  const l4len = total - hlen;
  if (proto === IPPROTO_UDP) {
    if (l4len < 8) return bits;
    bits |= RXD_STAT_TCPCS | RXD_STAT_UDPCS;
    if (b[l4 + 6] === 0 && b[l4 + 7] === 0) return bits; // no checksum
  } else {
    if (l4len < 20) return bits;
    bits |= RXD_STAT_TCPCS;
  }
  // Pseudo-header (source and destination address, protocol, length) and the datagram.
  const addrs =
    ((b[ip + 12] << 8) | b[ip + 13]) +
    ((b[ip + 14] << 8) | b[ip + 15]) +
    ((b[ip + 16] << 8) | b[ip + 17]) +
    ((b[ip + 18] << 8) | b[ip + 19]);
  const s = addrs + proto + l4len + sumWords(b, w, l4, l4len);
  return fold(s) === 0xffff ? bits : bits | (RXD_ERR_TCPE << 8);
}
