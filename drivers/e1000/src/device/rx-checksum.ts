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
 * stays in byte-swapped form, as RFC 1071 §2(B) ("byte order independence") allows: a little-endian
 * 16-bit half is a big-endian word with its bytes swapped, and the ones'-complement sum of swapped words
 * is the swapped sum. The two values added from header fields (protocol, length) are swapped instead, and
 * the result never needs swapping back: a good sum folds to 0xFFFF, which reads the same both ways. Long
 * runs (a big frame's datagram) go to core's {@link OnesSumEngine}, which sums in WebAssembly SIMD in the
 * same form; where it cannot take the frame's array, as doubles (see {@link sumRun}).
 * `test/rx-checksum.test.ts` checks this against a byte-by-byte sum on random frames at every alignment.
 *
 * @module
 */
import { ONES_SUM_MIN, OnesSumEngine } from '@ifnet/core';
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
/** The ethertype as a little-endian half reads it: 0x0800 byte-swapped. */
const ETHERTYPE_IPV4_SWAPPED = 0x0008;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const TWO_32 = 0x1_0000_0000;
// The register bits used per frame, as this module's own constants (README: imported ones cost a load).
const IPOFL = RXCSUM_IPOFL;
const TUOFL = RXCSUM_TUOFL;
const IXSM = RXD_STAT_IXSM;
const IP_GOOD = RXD_STAT_IPCS;
const IP_BAD = RXD_STAT_IPCS | (RXD_ERR_IPE << 8);
const TCP_CHECKED = RXD_STAT_TCPCS;
const UDP_CHECKED = RXD_STAT_TCPCS | RXD_STAT_UDPCS;
const L4_BAD = RXD_ERR_TCPE << 8;
/** From this length on a run goes to {@link CKSUM} (a module-local copy of core's constant, as above). */
const LONG_RUN = ONES_SUM_MIN;
/**
 * The checksum engine of every e1000 model of the program (one thread: a sum copies the frame into its
 * scratch and reads it back before it returns). Made when this module loads, so a frame pays no "is it
 * ready" test; compiling its 400-byte module takes well under a millisecond.
 */
const CKSUM = new OnesSumEngine();

/**
 * Ones'-complement sum (RFC 1071) of the big-endian 16-bit words of `f[off, off+len)` — an odd last byte
 * padded with zero — in *byte-swapped* form and not folded (a small integer, below 2^30 for any frame).
 * `v` (a DataView) and `w` (a Uint32Array) view `f`'s whole buffer from byte 0, in which `f` starts at
 * `base`. Little-endian 32-bit words are read, whose halves are the big-endian words with their bytes
 * swapped (the last up to three bytes likewise); the caller adds the other parts of a checksum in the
 * same form and folds once.
 *
 * A run of {@link LONG_RUN} bytes or more (a big frame's datagram) goes to {@link CKSUM}, which copies
 * the frame's array into WebAssembly memory (a memmove) and sums it with SIMD: a 1514-byte frame's
 * receive path costs about 3,000 instructions fewer (README, "The RXCSUM emulation's cost"). It declines a frame it cannot copy whole
 * cheaply (a range of a larger buffer: a cable's ring), and then, as for shorter runs: a run of 32 bytes
 * or more at an even address (every IPv4 payload of a frame at an even offset) is summed as aligned
 * words of `w` by {@link sumRun} — a 16-bit half first when the run starts at 2 mod 4 — which takes
 * about a quarter of the instructions of DataView loads (each of which checks its bounds and the
 * buffer); the rest, and a run at an odd address, as DataView words. Every step keeps the distance from
 * `off` even, so the bytes of each big-endian word stay together. Both give the folded sum's residue, so
 * the caller's fold gives the same result either way.
 */
function sumSwapped(f: Uint8Array, v: DataView, w: Uint32Array, base: number, off: number, len: number): number {
  if (len >= LONG_RUN) {
    const e = CKSUM.trySum(f, off, len);
    if (e >= 0) return e;
  }
  let s = 0;
  let i = base + off;
  const end = i + len;
  if (len >= 32 && (i & 1) === 0) {
    if ((i & 2) !== 0) {
      s = v.getUint16(i, true);
      i += 2;
    }
    const runEnd = i + ((end - i) & ~31);
    s += sumRun(w, i >>> 2, runEnd >>> 2);
    i = runEnd;
  }
  for (; i + 4 <= end; i += 4) {
    const x = v.getUint32(i, true);
    s += (x >>> 16) + (x & 0xffff);
  }
  // The last one to three bytes: a byte at an even distance from off is a word's high byte, low when swapped.
  const o = i - base;
  const left = end - i;
  if ((left & 2) !== 0) s += f[o] | (f[o + 1] << 8);
  if ((left & 1) !== 0) s += f[o + (left & 2)];
  return s;
}

/**
 * Sum of the words `w[k, end)` (`end - k` a multiple of 8) as doubles in two accumulators of four words
 * each (exact: a 16 KiB frame's 4,096 words add up to less than 2^44; V8 keeps them unboxed in
 * registers), folded to a small integer below 2^17 + 2^12 before it returns (2^32 ≡ 2^16 ≡ 1 modulo
 * 0xFFFF). Its own function so that {@link sumSwapped} stays small enough for V8 to inline.
 */
function sumRun(w: Uint32Array, k: number, end: number): number {
  let a0 = 0;
  let a1 = 0;
  for (; k < end; k += 8) {
    a0 += w[k] + w[k + 1] + w[k + 2] + w[k + 3];
    a1 += w[k + 4] + w[k + 5] + w[k + 6] + w[k + 7];
  }
  const x = a0 + a1;
  const hi = (x / TWO_32) | 0;
  const lo = (x - hi * TWO_32) >>> 0;
  return (lo >>> 16) + (lo & 0xffff) + hi;
}

/**
 * Folds a sum to 16 bits. A `const`, not a function declaration: V8 checks a module's (mutable)
 * function binding at every inlined use; a const's value it takes as a constant.
 */
const fold = (s: number): number => {
  let v = (s & 0xffff) + (s >>> 16);
  v = (v & 0xffff) + (v >>> 16);
  return v;
};

/**
 * The receive descriptor's checksum indications for the frame `f[off, off+len)` (without FCS) under
 * RXCSUM `rxcsum`: status bits in bits 0..7, error bits in bits 8..15. `v` is a DataView of `f.buffer`
 * from byte 0 and `w` a Uint32Array of its whole 32-bit words ({@link frameWords}); `base` is
 * `f.byteOffset`. The model keeps these in an {@link RxFrameChecksum} across frames; this function, for
 * tests and tools, sets up one (kept, so none is made per call) and asks it.
 */
export function rxChecksumBits(
  f: Uint8Array,
  v: DataView,
  w: Uint32Array,
  base: number,
  off: number,
  len: number,
  rxcsum: number,
): number {
  const c = SCRATCH;
  c.f = f;
  c.v = v;
  c.w = w;
  c.base = base;
  c.rxcsum = rxcsum;
  return c.bits(off, len);
}

/**
 * The checksum offload's view of the array frames arrive in — the array, a DataView and the aligned
 * 32-bit words of its whole buffer, its offset in that buffer — and the RXCSUM value, kept by the
 * receiver across frames (a wire hands the same array again and again): a frame's {@link bits} call
 * passes only its offset and length, and reads these fields once, not seven arguments, each checked
 * on entry.
 */
export class RxFrameChecksum {
  f: Uint8Array = new Uint8Array(0);
  v: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  w: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  base = 0;
  rxcsum = 0;

  /**
   * The checksum indications of `f[off, off+len)` ({@link rxChecksumBits}).
   *
   * This is the fast path, for the frames a host mostly receives: at a 4-byte-aligned address (a ring of
   * 60- or 64-byte frames, the start of any buffer), an IPv4 header without options (IHL 5), an
   * even-length datagram. Its IPv4 header then starts at 2 mod 4, and the aligned words of `w` from the
   * ethertype on hold, as little-endian halves (the big-endian words byte-swapped): ethertype|vhl,tos,
   * length|id, flags,offset|ttl,proto, checksum|src, src|dst, dst|datagram... Every check's field is taken
   * from those six loads, not loaded again byte by byte (each typed-array or DataView load is a bounds and
   * a detach check), and a datagram shorter than 32 bytes is summed as aligned words without a loop: a
   * 60-byte UDP frame costs about a third of the instructions of {@link rxChecksumAny}, which takes every
   * other frame with the same rules. `test/rx-checksum.test.ts` proves both equal to a byte-wise reference
   * on every small frame length, at every alignment.
   */
  bits(off: number, len: number): number {
    const rxcsum = this.rxcsum;
    if ((rxcsum & (IPOFL | TUOFL)) === 0) return IXSM;
    const w = this.w;
    const at = this.base + off;
    // len >= 36: the sixth word (the header's last half, the datagram's first) lies inside the frame.
    if ((at & 3) !== 0 || len < 36) return this.any(off, len);
    const k = (at >>> 2) + 3; // the word of the ethertype and the version/IHL byte
    const x0 = w[k];
    if ((x0 & 0xffff) !== ETHERTYPE_IPV4_SWAPPED) return 0;
    // Version 4 with options (or not 4 at all) goes the general way.
    if ((x0 & 0xff0000) !== 0x450000) return this.any(off, len);
    const x1 = w[k + 1];
    const total = ((x1 & 0xff) << 8) | ((x1 >>> 8) & 0xff);
    if (total < 20 || 14 + total > len) return 0;
    // An odd-length datagram, or one whose last word is not whole in the buffer, goes the general way.
    const end = at + 14 + total;
    if ((total & 1) !== 0 || (end - 1) >>> 2 >= w.length) return this.any(off, len);
    const x2 = w[k + 2];
    const x3 = w[k + 3];
    const x4 = w[k + 4];
    const x5 = w[k + 5];
    const addrs = (x3 >>> 16) + (x4 >>> 16) + (x4 & 0xffff) + (x5 & 0xffff);
    let bits = 0;
    if ((rxcsum & IPOFL) !== 0) {
      const h = addrs + (x0 >>> 16) + (x1 >>> 16) + (x1 & 0xffff) + (x2 >>> 16) + (x2 & 0xffff) + (x3 & 0xffff);
      // 0xFFFF is its own byte swap: the folded sum is compared without swapping it back.
      if (fold(h) !== 0xffff) return IP_BAD;
      bits = IP_GOOD;
    }
    if ((rxcsum & TUOFL) === 0) return bits;
    const proto = x2 >>> 24;
    // A fragment (MF, or an offset: the flags/offset field's low 14 bits, byte-swapped) cannot be checked.
    if ((proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) || (x2 & 0xff3f) !== 0) return bits;
    const l4len = total - 20;
    if (proto === IPPROTO_UDP) {
      if (l4len < 8) return bits;
      bits |= UDP_CHECKED;
      if ((w[k + 7] & 0xffff) === 0) return bits; // no checksum (0 either way round)
    } else {
      if (l4len < 20) return bits;
      bits |= TCP_CHECKED;
    }
    // Pseudo-header (addresses, protocol, length: the last two swapped too) and the datagram: its first
    // half is x5's high one; a short rest as aligned words in blocks of 4, 2 and 1 (no loop) and a last
    // half, a longer datagram by sumSwapped.
    let s = addrs + (proto << 8) + (((l4len & 0xff) << 8) | (l4len >>> 8));
    if (l4len >= 32) {
      s += sumSwapped(this.f, this.v, w, this.base, off + 34, l4len);
    } else {
      s += x5 >>> 16;
      const n = (l4len - 2) >>> 2; // whole words after the first half: 1..7
      let j = k + 6;
      if ((n & 4) !== 0) {
        const a = w[j];
        const b = w[j + 1];
        const c = w[j + 2];
        const d = w[j + 3];
        s +=
          (a >>> 16) + (a & 0xffff) + (b >>> 16) + (b & 0xffff) + (c >>> 16) + (c & 0xffff) + (d >>> 16) + (d & 0xffff);
        j += 4;
      }
      if ((n & 2) !== 0) {
        const a = w[j];
        const b = w[j + 1];
        s += (a >>> 16) + (a & 0xffff) + (b >>> 16) + (b & 0xffff);
        j += 2;
      }
      if ((n & 1) !== 0) {
        const a = w[j];
        s += (a >>> 16) + (a & 0xffff);
        j += 1;
      }
      if ((l4len & 2) === 0) s += w[j] & 0xffff;
    }
    return fold(s) === 0xffff ? bits : bits | L4_BAD;
  }

  /** Any other frame: {@link rxChecksumAny}, out of line. */
  private any(off: number, len: number): number {
    return rxChecksumAny(this, off, len);
  }
}

/**
 * {@link RxFrameChecksum.bits} for any frame of `c`'s array: IPv4 options, a frame at an odd address, an odd-length or
 * truncated datagram, anything malformed. The same rules as the fast path, read through the DataView and
 * bytes, with runs summed by {@link sumSwapped}.
 */
function rxChecksumAny(c: RxFrameChecksum, off: number, len: number): number {
  const f = c.f;
  const v = c.v;
  const w = c.w;
  const base = c.base;
  const rxcsum = c.rxcsum;
  const ipofl = (rxcsum & IPOFL) !== 0;
  const tuofl = (rxcsum & TUOFL) !== 0;
  if (!ipofl && !tuofl) return IXSM;
  if (len < 34 || ((f[off + 12] << 8) | f[off + 13]) !== ETHERTYPE_IPV4) return 0;
  const ip = off + 14;
  const vhl = f[ip];
  const hlen = (vhl & 0x0f) << 2;
  const total = (f[ip + 2] << 8) | f[ip + 3];
  if (vhl >>> 4 !== 4 || hlen < 20 || total < hlen || 14 + total > len) return 0;
  // The header read once as five little-endian words (in byte-swapped form, as sumSwapped), its
  // addresses (words 3 and 4) summed once for the header and the pseudo-header: for a small datagram
  // this is most of the work, so no loop and no second pass over the addresses.
  const p = base + ip;
  const src = v.getUint32(p + 12, true);
  const dst = v.getUint32(p + 16, true);
  const addrs = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
  let bits = 0;
  if (ipofl) {
    const w0 = v.getUint32(p, true);
    const w1 = v.getUint32(p + 4, true);
    const w2 = v.getUint32(p + 8, true);
    let s = addrs + (w0 >>> 16) + (w0 & 0xffff) + (w1 >>> 16) + (w1 & 0xffff) + (w2 >>> 16) + (w2 & 0xffff);
    if (hlen > 20) s += sumSwapped(f, v, w, base, ip + 20, hlen - 20);
    // 0xFFFF is its own byte swap: the folded sum is compared without swapping it back.
    if (fold(s) !== 0xffff) return IP_BAD;
    bits = IP_GOOD;
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
    bits |= UDP_CHECKED;
    if (f[l4 + 6] === 0 && f[l4 + 7] === 0) return bits; // no checksum
  } else {
    if (l4len < 20) return bits;
    bits |= TCP_CHECKED;
  }
  // Pseudo-header (addresses, protocol, length: the last two swapped too) and the datagram.
  const s = addrs + (proto << 8) + (((l4len & 0xff) << 8) | (l4len >>> 8)) + sumSwapped(f, v, w, base, l4, l4len);
  return fold(s) === 0xffff ? bits : bits | L4_BAD;
}

/** The kept state of {@link rxChecksumBits}. */
const SCRATCH = new RxFrameChecksum();

/** The Uint32Array {@link rxChecksumBits} wants for a buffer: its whole 32-bit words from byte 0. */
export function frameWords(buffer: ArrayBufferLike): Uint32Array {
  return new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
}
