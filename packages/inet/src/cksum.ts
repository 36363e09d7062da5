/**
 * The Internet checksum (RFC 1071) over mbuf chains, without copying.
 *
 * The checksum is the 16-bit one's complement of the one's complement sum of the data taken as
 * big-endian 16-bit words. IPv4 covers its header with it; ICMP its whole message; UDP its header,
 * payload and a *pseudo-header* (source, destination, protocol, UDP length).
 *
 * ## Walking a chain
 *
 * A packet's bytes are spread over the mbufs of a chain, and a boundary can fall between the two bytes
 * of a 16-bit word (an mbuf holding an odd number of bytes). RFC 1071's byte-order independence makes
 * that cheap: each mbuf's bytes are summed as if they started a word; when the mbuf starts at an *odd*
 * position of the checksummed range, its partial sum is byte-swapped before it is added, which puts every
 * byte back in the half of the word it belongs to. An odd trailing byte counts as the high byte of a
 * word padded with zero. Nothing is copied, nothing allocated.
 *
 * ## Using the functions
 *
 * - {@link cksumMbuf} returns the *folded sum* (not complemented) of a byte range of a chain, starting
 *   from `initial`: feed it a pseudo-header sum to checksum UDP.
 * - {@link inCksum} is `in_cksum`: the complemented checksum of a range. Over data that includes a correct
 *   checksum field it returns 0, which is how every input path verifies.
 * - To fill in a checksum: zero the field, compute {@link inCksum} (or `~cksumMbuf(...)`), write it.
 *
 * @module
 */
import type { Mbuf } from '@ifnet/core';

/** Folds a sum of 16-bit words to 16 bits with end-around carry. Works for any non-negative integer sum < 2^53. */
export function cksumFold(sum: number): number {
  // Sums beyond 32 bits (only from very long callers' accumulations) are first reduced arithmetically.
  while (sum > 0xffffffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum & 0xffff) + (sum >>> 16);
}

/** Swaps the two bytes of a 16-bit value. */
function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}

/**
 * Sum of `buf[off .. off+len)` as big-endian 16-bit words (an odd last byte as a high byte), folded to
 * 16 bits. `off`/`len` must lie inside `buf` (not checked: internal hot path). Byte loads: for headers
 * and flat arrays; {@link cksumView} is faster over longer data.
 */
export function cksumBytes(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let total = initial;
  // Chunks of at most 32 KiB keep the running sum a small integer (< 2^31), which V8 keeps unboxed.
  while (len > 0) {
    const n = Math.min(len, 32768);
    let s = 0;
    let i = off;
    const even = off + (n & ~1);
    const end8 = off + (n & ~7);
    for (; i < end8; i += 8) {
      s +=
        ((buf[i] << 8) | buf[i + 1]) +
        ((buf[i + 2] << 8) | buf[i + 3]) +
        ((buf[i + 4] << 8) | buf[i + 5]) +
        ((buf[i + 6] << 8) | buf[i + 7]);
    }
    for (; i < even; i += 2) s += (buf[i] << 8) | buf[i + 1];
    if ((n & 1) !== 0) s += buf[i] << 8;
    // Chunks are even-sized except possibly the last, so no realignment is needed between chunks.
    total = cksumFold(total + s);
    off += n;
    len -= n;
  }
  return cksumFold(total);
}

/**
 * The same sum as {@link cksumBytes} over `view`'s bytes `[off, off + len)`, with 32-bit loads: each
 * word is split into its two 16-bit halves before it is added (half the loads and bounds checks of
 * 16-bit loads: about 1.5x faster over a 1480-byte payload on Node 20). Every intermediate value stays a
 * small integer (V8's Smi, below 2^30): the loop adds 16-bit halves, and the running sum is folded every
 * 16 KiB (8192 halves of at most 0xffff add up to less than 2^29), so nothing is ever a heap number.
 * This is the path of {@link cksumMbuf}.
 */
export function cksumView(view: DataView, off: number, len: number, initial = 0): number {
  // Compares and selects instead of `cksumFold(initial)` and `Math.min`, whose results V8 computes in
  // floating point (a conversion and a double compare each, per call of the echo path's 26-byte sum).
  let total = (initial & 0xffff) === initial ? initial : cksumFold(initial);
  while (len > 0) {
    // biome-ignore lint/complexity/useMathMinMax: Math.min's result is a double to V8 here (see above).
    const n = len < 16384 ? len : 16384;
    let s = 0;
    let i = off;
    const end16 = off + (n & ~15);
    for (; i < end16; i += 16) {
      const w0 = view.getInt32(i);
      const w1 = view.getInt32(i + 4);
      const w2 = view.getInt32(i + 8);
      const w3 = view.getInt32(i + 12);
      s +=
        (w0 >>> 16) +
        (w0 & 0xffff) +
        (w1 >>> 16) +
        (w1 & 0xffff) +
        (w2 >>> 16) +
        (w2 & 0xffff) +
        (w3 >>> 16) +
        (w3 & 0xffff);
    }
    // The last 0..15 bytes in at most three straight steps: a loop of up to seven 2-byte rounds costs
    // more than the unrolled body above for the short messages of the echo and receive paths.
    if ((n & 8) !== 0) {
      s += view.getUint16(i) + view.getUint16(i + 2) + view.getUint16(i + 4) + view.getUint16(i + 6);
      i += 8;
    }
    if ((n & 4) !== 0) {
      s += view.getUint16(i) + view.getUint16(i + 2);
      i += 4;
    }
    if ((n & 2) !== 0) {
      s += view.getUint16(i);
      i += 2;
    }
    if ((n & 1) !== 0) s += view.getUint8(i) << 8;
    // Chunks are even-sized except possibly the last, so no realignment is needed between chunks. The
    // fold written out: `total + s` is below 2^30, where cksumFold's 32-bit test (a double compare) is moot.
    const t = total + s;
    const u = (t & 0xffff) + (t >>> 16);
    total = (u & 0xffff) + (u >>> 16);
    off += n;
    len -= n;
  }
  return total;
}

/**
 * The folded (not complemented) one's complement sum of packet bytes `[off, off + len)` of chain `m`,
 * added to `initial` (a pseudo-header sum, say). Handles any split of the range over mbufs, including
 * odd-length mbufs. The chain is only read.
 *
 * Throws RangeError if the range extends beyond the chain: callers check lengths against `pkthdr.len`
 * before summing (a caller bug, as for `m_copydata`).
 */
export function cksumMbuf(m: Mbuf, off: number, len: number, initial = 0): number {
  if (off < 0 || len < 0) throw new RangeError(`cksumMbuf: bad range ${off}+${len}`);
  if (len === 0) return cksumFold(initial);
  // The common case, the whole range in the first mbuf (a received datagram in one cluster): one view sum.
  if (off + len <= m.len) return cksumView(m.view, m.off + off, len, initial);
  let cur: Mbuf | null = m;
  let o = off;
  while (cur !== null && o >= cur.len) {
    o -= cur.len;
    cur = cur.next;
  }
  let sum = initial;
  let pos = 0; // bytes summed so far: its parity says whether the next mbuf starts mid-word
  while (len > 0) {
    if (cur === null) throw new RangeError(`cksumMbuf: range ${off}+${len + pos} beyond the chain`);
    const avail = cur.len - o;
    if (avail > 0) {
      const n = Math.min(avail, len);
      const part = cksumView(cur.view, cur.off + o, n);
      sum += (pos & 1) === 0 ? part : swap16(part);
      pos += n;
      len -= n;
    }
    o = 0;
    cur = cur.next;
  }
  return cksumFold(sum);
}

/**
 * `in_cksum`: the Internet checksum of packet bytes `[off, off + len)`: `~sum & 0xffff`. Returns 0 when
 * the range contains a correct checksum field. The chain is only read.
 */
export function inCksum(m: Mbuf, off: number, len: number, initial = 0): number {
  return ~cksumMbuf(m, off, len, initial) & 0xffff;
}

/**
 * The folded sum of the IPv4 pseudo-header used by UDP and TCP (RFC 768): source, destination, zero,
 * protocol, transport length. Pass it as `initial` to {@link cksumMbuf}/{@link inCksum}.
 */
export function pseudoHeaderSum(src: number, dst: number, proto: number, len: number): number {
  return cksumFold((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len);
}
