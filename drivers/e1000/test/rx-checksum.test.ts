/**
 * The model's receive checksum offload (`rxChecksumBits`, which sums little-endian words in byte-swapped
 * form, RFC 1071 §2(B), long runs as aligned 32-bit words) against a reference written here from RFC
 * 791/768/793 and the 8254x datasheet that sums big-endian 16-bit words byte by byte: random IPv4/TCP/UDP
 * frames, correct or corrupted, placed at every alignment in their buffer, under every RXCSUM setting;
 * long runs both through core's WebAssembly checksum engine (a frame in its own array) and through the
 * JavaScript loop (a frame inside a buffer larger than the engine's scratch); full-sized frames.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RxFrameChecksum, frameWords, rxChecksumBits } from '../src/device/rx-checksum.js';
import {
  RXCSUM_IPOFL,
  RXCSUM_TUOFL,
  RXD_ERR_IPE,
  RXD_ERR_TCPE,
  RXD_STAT_IPCS,
  RXD_STAT_IXSM,
  RXD_STAT_TCPCS,
  RXD_STAT_UDPCS,
} from '../src/regs.js';

/** Big-endian 16-bit words of b[off, off+len), an odd last byte padded, folded to 16 bits. */
function byteSum(b: Uint8Array, off: number, len: number, acc = 0): number {
  let s = acc;
  for (let i = 0; i < len; i++) s += (i & 1) === 0 ? b[off + i] << 8 : b[off + i];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** What the 8254x reports for the frame f (no FCS), straight from the rules, byte by byte. */
function reference(f: Uint8Array, rxcsum: number): number {
  const ipofl = (rxcsum & RXCSUM_IPOFL) !== 0;
  const tuofl = (rxcsum & RXCSUM_TUOFL) !== 0;
  if (!ipofl && !tuofl) return RXD_STAT_IXSM;
  if (f.length < 34 || f[12] !== 0x08 || f[13] !== 0x00) return 0;
  const hlen = (f[14] & 15) * 4;
  const total = (f[16] << 8) | f[17];
  if (f[14] >>> 4 !== 4 || hlen < 20 || total < hlen || 14 + total > f.length) return 0;
  let bits = 0;
  if (ipofl) {
    if (byteSum(f, 14, hlen) !== 0xffff) return RXD_STAT_IPCS | (RXD_ERR_IPE << 8);
    bits = RXD_STAT_IPCS;
  }
  const proto = f[23];
  const fragment = (((f[20] << 8) | f[21]) & 0x3fff) !== 0;
  const l4 = 14 + hlen;
  const l4len = total - hlen;
  if (!tuofl || fragment || (proto !== 6 && proto !== 17) || l4len < (proto === 17 ? 8 : 20)) return bits;
  bits |= proto === 17 ? RXD_STAT_TCPCS | RXD_STAT_UDPCS : RXD_STAT_TCPCS;
  if (proto === 17 && f[l4 + 6] === 0 && f[l4 + 7] === 0) return bits;
  const sum = byteSum(f, l4, l4len, byteSum(f, 26, 8) + proto + l4len);
  return sum === 0xffff ? bits : bits | (RXD_ERR_TCPE << 8);
}

/** Writes the ones'-complement checksum of b[from, from+len) (plus `acc`) at b[at, at+2). */
function putSum(b: Uint8Array, at: number, from: number, len: number, acc = 0): void {
  b[at] = b[at + 1] = 0;
  const s = ~byteSum(b, from, len, acc) & 0xffff;
  b[at] = s >>> 8;
  b[at + 1] = s & 0xff;
}

/** A frame of `len` pseudo-random bytes from `fill` (a linear congruential sequence: reproducible). */
function randomFrame(len: number, fill: number): Uint8Array {
  const f = new Uint8Array(len);
  let x = fill;
  for (let i = 0; i < f.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    f[i] = x >>> 24;
  }
  return f;
}

/** Ethertype and the IPv4 header fields the checksum offload reads (version/IHL, total length, fragment, protocol). */
function writeIpv4Fields(
  f: Uint8Array,
  o: { ethertype: number; version: number; hlen: number; total: number; fragment: number; proto: number },
): void {
  f[12] = o.ethertype >>> 8;
  f[13] = o.ethertype & 0xff;
  f[14] = (o.version << 4) | (o.hlen >>> 2);
  f[16] = o.total >>> 8;
  f[17] = o.total & 0xff;
  f[20] = o.fragment >>> 8;
  f[21] = o.fragment & 0xff;
  f[23] = o.proto;
}

const frameArb = fc
  .record({
    proto: fc.constantFrom(6, 17, 17, 1, 99),
    options: fc.constantFrom(0, 0, 0, 4, 12, 40),
    payload: fc.integer({ min: 0, max: 1600 }),
    fill: fc.integer({ min: 0, max: 0xffff_ffff }),
    fragment: fc.constantFrom(0, 0, 0, 0x2000, 0x0001),
    /** -1: leave the frame intact; otherwise flip byte `corrupt % length` with `mask`. */
    corrupt: fc.integer({ min: -3, max: 5000 }),
    mask: fc.integer({ min: 1, max: 255 }),
    /** Frame bytes cut off at the end (a truncated datagram), usually none. */
    cut: fc.constantFrom(0, 0, 0, 1, 7),
    noUdpSum: fc.boolean(),
    version: fc.constantFrom(4, 4, 4, 6),
  })
  .map((o) => {
    const hlen = 20 + o.options;
    const l4hdr = o.proto === 6 ? 20 : 8;
    const total = hlen + l4hdr + o.payload;
    const f = randomFrame(14 + total, o.fill);
    writeIpv4Fields(f, { ...o, ethertype: 0x0800, hlen, total });
    putSum(f, 24, 14, hlen);
    const l4 = 14 + hlen;
    const l4len = total - hlen;
    if (o.proto === 17) {
      f[l4 + 4] = l4len >>> 8;
      f[l4 + 5] = l4len & 0xff;
    }
    const at = o.proto === 6 ? l4 + 16 : l4 + 6;
    if (o.proto === 17 && o.noUdpSum) f[at] = f[at + 1] = 0;
    else putSum(f, at, l4, l4len, byteSum(f, 26, 8) + o.proto + l4len);
    if (o.corrupt >= 0) f[o.corrupt % f.length] ^= o.mask;
    return f.subarray(0, f.length - o.cut);
  });

/**
 * `frame` copied to byte `pad` of a fresh buffer between bytes of all ones (a read outside the frame
 * would change a sum), and the checksum bits the model computes there.
 */
function modelBits(frame: Uint8Array, pad: number, rxcsum: number): number {
  const buffer = new ArrayBuffer(pad + frame.length + 3);
  new Uint8Array(buffer).fill(0xff);
  const f = new Uint8Array(buffer, pad, frame.length);
  f.set(frame);
  return rxChecksumBits(f, new DataView(buffer), frameWords(buffer), pad, 0, frame.length, rxcsum);
}

/**
 * `frame` at byte `pad` of a buffer that ends with it (its last word may not be whole: a read past the
 * frame's end would fall outside the word view).
 */
function modelBitsAtEnd(frame: Uint8Array, pad: number, rxcsum: number): number {
  const buffer = new ArrayBuffer(pad + frame.length);
  const f = new Uint8Array(buffer, pad, frame.length);
  f.set(frame);
  return rxChecksumBits(f, new DataView(buffer), frameWords(buffer), pad, 0, frame.length, rxcsum);
}

/**
 * `frame` at byte `pad` of a buffer larger than the checksum engine's scratch page, summed as a range of
 * that whole buffer (a cable's ring): the engine declines it, and the JavaScript loop sums it.
 */
function modelBitsInRing(frame: Uint8Array, pad: number, rxcsum: number): number {
  const buffer = new ArrayBuffer(70_000);
  const ring = new Uint8Array(buffer).fill(0xff);
  ring.set(frame, pad);
  return rxChecksumBits(ring, new DataView(buffer), frameWords(buffer), 0, pad, frame.length, rxcsum);
}

/**
 * An IPv4 frame of `frameLen` bytes carrying a TCP or UDP datagram with `payload` bytes after its header
 * and correct checksums, then Ethernet padding (0xFF bytes) up to `frameLen`.
 */
function datagramFrame(proto: 6 | 17, payload: number, frameLen: number): Uint8Array {
  const l4hdr = proto === 6 ? 20 : 8;
  const total = 20 + l4hdr + payload;
  const f = new Uint8Array(frameLen).fill(0xff);
  for (let i = 0; i < 14 + total; i++) f[i] = (i * 131 + 17) & 0xff;
  f.set([0x08, 0x00, 0x45, 0x00, total >>> 8, total & 0xff, 0, 0, 0x40, 0x00, 64, proto], 12);
  putSum(f, 24, 14, 20);
  if (proto === 17) f.set([(total - 20) >>> 8, (total - 20) & 0xff], 38);
  putSum(f, proto === 6 ? 50 : 40, 34, total - 20, byteSum(f, 26, 8) + proto + total - 20);
  return f;
}

/**
 * A small frame (34..128 bytes, the fast path's territory): random bytes under a mostly valid IPv4
 * header — sometimes with options, another version, a fragment, a total length short of or past the
 * frame, an odd datagram length, a non-IPv4 ethertype, a zero UDP checksum — with correct sums, then
 * one byte maybe flipped.
 */
const smallFrameArb = fc
  .record({
    len: fc.integer({ min: 34, max: 128 }),
    proto: fc.constantFrom(17, 17, 6, 1),
    options: fc.constantFrom(0, 0, 0, 0, 4, 8),
    /** How far the IPv4 total length falls short of the frame (Ethernet padding); -1: past its end. */
    short: fc.constantFrom(0, 0, 0, 1, 2, 3, 14, -1),
    fill: fc.integer({ min: 0, max: 0xffff_ffff }),
    fragment: fc.constantFrom(0, 0, 0, 0x4000, 0x2000, 0x0001, 0x0100),
    corrupt: fc.integer({ min: -40, max: 127 }),
    mask: fc.integer({ min: 1, max: 255 }),
    noUdpSum: fc.boolean(),
    version: fc.constantFrom(4, 4, 4, 4, 6),
    ethertype: fc.constantFrom(0x0800, 0x0800, 0x0800, 0x86dd, 0x0008),
  })
  .map((o) => {
    const f = randomFrame(o.len, o.fill);
    const hlen = 20 + o.options;
    const total = Math.max(0, o.len - 14 - o.short);
    writeIpv4Fields(f, { ...o, hlen, total });
    if (14 + hlen <= o.len) putSum(f, 24, 14, hlen);
    const l4 = 14 + hlen;
    const l4len = total - hlen;
    const at = o.proto === 6 ? l4 + 16 : l4 + 6;
    if (l4len >= (o.proto === 6 ? 20 : 8) && 14 + total <= o.len) {
      if (o.proto === 17) {
        f[l4 + 4] = l4len >>> 8;
        f[l4 + 5] = l4len & 0xff;
      }
      if (o.proto === 17 && o.noUdpSum) f[at] = f[at + 1] = 0;
      else putSum(f, at, l4, l4len, byteSum(f, 26, 8) + o.proto + l4len);
    }
    if (o.corrupt >= 0) f[o.corrupt % f.length] ^= o.mask;
    return f;
  });

describe('e1000 model: receive checksum offload sums (little-endian words, byte-swapped form)', () => {
  it('agrees with a byte-by-byte reference on random frames at every alignment and RXCSUM setting', () => {
    fc.assert(
      fc.property(frameArb, fc.integer({ min: 0, max: 7 }), fc.constantFrom(0, 0x100, 0x200, 0x300), (f, pad, rx) => {
        expect(modelBits(f, pad, rx)).toBe(reference(f, rx));
      }),
      { numRuns: 2000 },
    );
  });

  it('sees both good and bad sums among those frames (the property is not vacuous)', () => {
    const seen = new Set<number>();
    fc.assert(
      fc.property(frameArb, fc.integer({ min: 0, max: 7 }), (f, pad) => {
        seen.add(modelBits(f, pad, RXCSUM_IPOFL | RXCSUM_TUOFL));
      }),
      { numRuns: 1000 },
    );
    expect(seen).toContain(RXD_STAT_IPCS | RXD_STAT_TCPCS | RXD_STAT_UDPCS);
    expect(seen).toContain(RXD_STAT_IPCS | RXD_STAT_TCPCS);
    expect(seen).toContain(RXD_STAT_IPCS | RXD_STAT_TCPCS | RXD_STAT_UDPCS | (RXD_ERR_TCPE << 8));
    expect(seen).toContain(RXD_STAT_IPCS | (RXD_ERR_IPE << 8));
  });

  it('frames summed as a range of a larger buffer (the JavaScript loop, not the engine) agree too', () => {
    fc.assert(
      fc.property(frameArb, fc.integer({ min: 0, max: 7 }), fc.constantFrom(0x100, 0x200, 0x300), (f, pad, rx) => {
        expect(modelBitsInRing(f, pad, rx)).toBe(reference(f, rx));
      }),
      { numRuns: 500 },
    );
  });

  it('1514-byte frames: good and bad TCP and UDP sums, odd lengths, padding, both summing paths', () => {
    const UDP_GOOD = RXD_STAT_IPCS | RXD_STAT_TCPCS | RXD_STAT_UDPCS;
    const TCP_GOOD = RXD_STAT_IPCS | RXD_STAT_TCPCS;
    const BAD = RXD_ERR_TCPE << 8;
    const cases: [6 | 17, number, number][] = [
      [17, 1472, 1514], // a full-sized UDP datagram
      [6, 1460, 1514], // a full-sized TCP segment
      [17, 1471, 1514], // odd lengths: the last byte alone, then one byte of padding
      [6, 1459, 1514],
      [17, 1001, 1514], // a shorter datagram padded to the full frame
      [17, 999, 1514],
      [6, 200, 1514],
    ];
    for (const [proto, payload, len] of cases) {
      const good = proto === 17 ? UDP_GOOD : TCP_GOOD;
      const f = datagramFrame(proto, payload, len);
      const l4end = 34 + (proto === 6 ? 20 : 8) + payload;
      for (let pad = 0; pad < 4; pad++) {
        expect(modelBits(f, pad, 0x300)).toBe(good);
        expect(modelBitsInRing(f, pad, 0x300)).toBe(good);
      }
      // A changed byte anywhere in the datagram (its first, middle and last), or the length, is caught;
      // a changed padding byte is not covered and changes nothing.
      for (const at of [34, 700, l4end - 1, l4end]) {
        const bad = f.slice();
        bad[at] ^= 0x10;
        const want = at < l4end ? good | BAD : good;
        expect(modelBits(bad, 1, 0x300)).toBe(want);
        expect(modelBitsInRing(bad, 2, 0x300)).toBe(want);
        expect(reference(bad, 0x300)).toBe(want);
      }
    }
  });

  it('a frame of all-zero and all-0xFF words: the sums of 0 and of -0', () => {
    for (const v of [0x00, 0xff]) {
      const f = new Uint8Array(60).fill(v);
      f.set([0x08, 0x00, 0x45, 0x00, 0x00, 46], 12);
      for (let pad = 0; pad < 4; pad++) expect(modelBits(f, pad, 0x300)).toBe(reference(f, 0x300));
    }
  });
  it('one RxFrameChecksum kept across frames: its state follows the array (and RXCSUM) it is given', () => {
    // As the receiver keeps it: frames alternate between arrays in different buffers and offsets, and
    // each frame's bits come from the state last set, never from a previous array's.
    const c = new RxFrameChecksum();
    const use = (f: Uint8Array, rxcsum: number) => {
      c.f = f;
      c.v = new DataView(f.buffer);
      c.w = frameWords(f.buffer);
      c.base = f.byteOffset;
      c.rxcsum = rxcsum;
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(smallFrameArb, fc.integer({ min: 0, max: 7 })), { minLength: 2, maxLength: 6 }),
        (frames) => {
          for (const [frame, pad] of frames) {
            const f = new Uint8Array(new ArrayBuffer(pad + frame.length + 3), pad, frame.length);
            f.set(frame);
            for (const rx of [0x300, 0x100, 0]) {
              use(f, rx);
              expect(c.bits(0, f.length)).toBe(reference(frame, rx));
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('small frames (every length 34..128): the word-reading fast path agrees with the reference', () => {
    fc.assert(
      fc.property(
        smallFrameArb,
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(0, 0x100, 0x200, 0x300),
        (f, pad, rx) => {
          expect(modelBits(f, pad, rx)).toBe(reference(f, rx));
          expect(modelBitsInRing(f, pad, rx)).toBe(reference(f, rx));
          expect(modelBitsAtEnd(f, pad, rx)).toBe(reference(f, rx));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('small frames: every length, alignment and flipped byte of good UDP and TCP datagrams', () => {
    const UDP_GOOD = RXD_STAT_IPCS | RXD_STAT_TCPCS | RXD_STAT_UDPCS;
    const TCP_GOOD = RXD_STAT_IPCS | RXD_STAT_TCPCS;
    let caught = 0;
    for (let len = 42; len <= 128; len++) {
      for (const proto of [17, 6] as const) {
        const payload = len - 34 - (proto === 6 ? 20 : 8);
        if (payload < 0) continue;
        // The datagram fills the frame, or leaves 1..3 bytes of padding (odd and even datagram lengths).
        for (const padding of [0, 1, 2, 3]) {
          if (payload < padding) continue;
          const f = datagramFrame(proto, payload - padding, len);
          for (let pad = 0; pad < 4; pad++) {
            expect(modelBits(f, pad, 0x300)).toBe(proto === 17 ? UDP_GOOD : TCP_GOOD);
            expect(modelBitsAtEnd(f, pad, 0x300)).toBe(proto === 17 ? UDP_GOOD : TCP_GOOD);
          }
          for (let at = 12; at < len; at++) {
            const bad = f.slice();
            bad[at] ^= 0x21;
            const want = reference(bad, 0x300);
            if (want >>> 8 !== 0) caught++;
            for (let pad = 0; pad < 4; pad++) {
              expect(modelBits(bad, pad, 0x300)).toBe(want);
              expect(modelBitsAtEnd(bad, pad, 0x300)).toBe(want);
            }
          }
        }
      }
    }
    expect(caught).toBeGreaterThan(10_000);
  });
});
