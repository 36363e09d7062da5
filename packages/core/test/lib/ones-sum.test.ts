/**
 * `onesSum` and `OnesSumEngine` (WebAssembly SIMD and its JavaScript fallback) against a byte-wise RFC 1071
 * sum written here: big-endian 16-bit words, byte by byte, folded, then byte-swapped into the form the
 * engine returns (RFC 1071 §2(B)). Random lengths and contents at every alignment, every tail length, the
 * carry edge cases of all-0xFF data up to the whole scratch page, the ends of the SIMD loop's biased signed
 * words; when the engine declines; no allocation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ONES_SUM_MIN, ONES_SUM_SCRATCH, OnesSumEngine, onesSum, sharedOnesSumEngine } from '../../src/index.js';
import { allocationFree, heapCost } from '../helpers/heap.js';

/** RFC 1071, byte by byte: big-endian words, an odd last byte as a high byte, folded; then swapped. */
function reference(b: Uint8Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += (i & 1) === 0 ? b[off + i] << 8 : b[off + i];
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ((s & 0xff) << 8) | (s >>> 8);
}

const simd = new OnesSumEngine();
const js = new OnesSumEngine({ wasm: false });

/** Every way to sum src[off, off+len), which must all agree with the reference. */
function expectAllAgree(src: Uint8Array, off: number, len: number): void {
  const want = reference(src, off, len);
  expect(onesSum(src, off, len)).toBe(want);
  expect(js.sum(src, off, len)).toBe(want);
  expect(simd.sum(src, off, len)).toBe(want);
  const t = simd.trySum(src, off, len);
  if (t >= 0) expect(t).toBe(want);
}

function randomBytes(n: number, seed: number, ffShare = 0): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = (x >>> 8) % 100 < ffShare ? 0xff : x >>> 24;
  }
  return b;
}

describe('ones-complement sum (RFC 1071, byte-swapped form)', () => {
  it('is accelerated on this runtime (Node 20 has WebAssembly SIMD), and the fallback is not', () => {
    expect(simd.accelerated).toBe(true);
    expect(js.accelerated).toBe(false);
    expect(js.trySum(new Uint8Array(1500), 0, 1500)).toBe(-1);
    expect(sharedOnesSumEngine()).toBe(sharedOnesSumEngine());
  });

  it('random lengths 0..9000 at every alignment, in whole arrays and in ranges of larger ones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9000 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.constantFrom(0, 0, 30, 100),
        (len, off, after, seed, ffShare) => {
          const src = randomBytes(off + len + after, seed, ffShare);
          expectAllAgree(src, off, len);
          // The same range in a view of a larger buffer: `set` copies the view, not the buffer.
          const buffer = new Uint8Array(src.length + 9).fill(0xa5);
          buffer.set(src, 5);
          expectAllAgree(new Uint8Array(buffer.buffer, 5, src.length), off, len);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('every tail length and alignment around the SIMD loop sizes', () => {
    const src = randomBytes(512, 7, 20);
    for (let off = 0; off < 16; off++) {
      for (let len = ONES_SUM_MIN - 8; len <= ONES_SUM_MIN + 72; len++) expectAllAgree(src, off, len);
      for (let len = 0; len < 24; len++) expectAllAgree(src, off, len);
    }
  });

  it('all-0xFF data, where every addition carries, up to the whole scratch page', () => {
    const ff = new Uint8Array(ONES_SUM_SCRATCH).fill(0xff);
    for (const len of [1, 2, 3, 127, 128, 129, 1480, 1481, 9000, 9001, 65534, 65535]) {
      for (let off = 0; off < 8 && off + len <= ff.length; off++) expectAllAgree(ff, off, len);
    }
    expect(simd.trySum(ff, 0, ONES_SUM_SCRATCH)).toBe(0xffff);
    expect(simd.trySum(ff, 1, ONES_SUM_SCRATCH - 1)).toBe(0x00ff + 0); // 32,767 words of 0xFFFF and 0xFF
    const zero = new Uint8Array(2000);
    expect(simd.sum(zero, 0, 2000)).toBe(0);
    // A sum of a multiple of 0xFFFF that is not 0: 0xFFFF, never 0 (ones'-complement "-0").
    const pair = new Uint8Array(1024);
    for (let i = 0; i < pair.length; i += 4) pair.set([0x01, 0x00, 0xfe, 0xff], i);
    expect(simd.trySum(pair, 0, 1024)).toBe(0xffff);
    expect(onesSum(pair, 0, 1024)).toBe(0xffff);
  });

  it('the signed lanes of the SIMD loop: words at the ends of their range, biased, up to the whole page', () => {
    // The loop biases each word by 0x8000 and adds pairs as signed 16-bit numbers (pmaddwd): 0x0000 and
    // 0x8000 are the most negative and the zero after the bias, 0x7FFF and 0xFFFF the two sides of the sign.
    for (const word of [0x0000, 0x7fff, 0x8000, 0xffff, 0x0080, 0x8080]) {
      const page = new Uint8Array(ONES_SUM_SCRATCH);
      for (let i = 0; i < page.length; i += 2) page.set([word & 0xff, word >>> 8], i);
      const frame = page.subarray(0, 1514);
      for (const [src, off, len] of [
        [page, 0, ONES_SUM_SCRATCH],
        [page, 1, ONES_SUM_SCRATCH - 1],
        [page, 2, ONES_SUM_SCRATCH - 3],
        [page, 7, 65000],
        [frame, 34, 1480],
        [frame, 3, 1511],
      ] as const) {
        const want = reference(src, off, len);
        expect(simd.trySum(src, off, len)).toBe(want);
        expect(onesSum(src, off, len)).toBe(want);
      }
    }
  });

  it('declines (trySum -1) what it would not copy, and sum still answers in JavaScript', () => {
    const big = randomBytes(ONES_SUM_SCRATCH + 16, 3);
    const cases: [Uint8Array, number, number][] = [
      [big, 8, 1500], // larger than the scratch
      [big.subarray(0, 20000), 100, 1500], // far larger than the range
      [big.subarray(0, 1500), 0, ONES_SUM_MIN - 1], // too short to pay
      [big.subarray(0, 1500), 10, 1500], // outside the array
      [big.subarray(0, 1500), -2, 200],
    ];
    for (const [src, off, len] of cases) {
      expect(simd.trySum(src, off, len)).toBe(-1);
      if (off >= 0 && off + len <= src.length) expect(simd.sum(src, off, len)).toBe(reference(src, off, len));
    }
    // Outside the array, bytes read as 0, the same in both engines.
    const short = big.subarray(0, 1500);
    const padded = new Uint8Array(1510);
    padded.set(short);
    expect(simd.sum(short, 10, 1500)).toBe(reference(padded, 10, 1500));
    expect(js.sum(short, 10, 1500)).toBe(reference(padded, 10, 1500));
  });

  it('allocates nothing per sum (V8 heap statistics over a million calls)', async () => {
    const frame = randomBytes(1514, 11);
    let acc = 0;
    const c = await heapCost((i) => {
      acc = (acc + simd.sum(frame, 34 + (i & 7), 1472)) & 0x3fffffff; // stays a small integer
    });
    expect(acc).toBeGreaterThan(0);
    expect(allocationFree(c)).toBe(true);
    const f = await heapCost((i) => {
      acc = (acc + js.sum(frame, 34 + (i & 7), 1472)) & 0x3fffffff;
    }, 200_000);
    expect(allocationFree(f)).toBe(true);
  });
});
