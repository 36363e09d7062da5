import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../src/index.js';

/** Checks, then (when `'ok'`) marks with the inferred high half, as ESP input does around the ICV check. */
function receive(w: ReplayWindow, lo: number): string {
  const v = w.check(lo);
  if (v !== 'ok') return v;
  const hi = w.inferredHi;
  expect(w.update(lo, hi)).toBe('ok');
  return `ok@${hi}`;
}

describe('anti-replay window with extended sequence numbers (RFC 4303 Appendix A2.2)', () => {
  it('wrap of the low 32 bits: 2^32-1 is followed by high half 1, low 0', () => {
    const w = new ReplayWindow(32, true, 0xfffffffa, 0);
    for (let lo = 0xfffffffb; lo <= 0xffffffff; lo++) expect(receive(w, lo)).toBe('ok@0');
    expect(receive(w, 0)).toBe('ok@1');
    expect(receive(w, 1)).toBe('ok@1');
    expect([w.topHi, w.top]).toEqual([1, 1]);
  });

  it('replay across the wrap: the window spans two subspaces (case B), old numbers get the previous high half', () => {
    const w = new ReplayWindow(64, true, 0xfffffff0, 7);
    expect(receive(w, 0xfffffff2)).toBe('ok@7');
    expect(receive(w, 3)).toBe('ok@8'); // case A, below the bottom: the next subspace
    expect([w.topHi, w.top]).toEqual([8, 3]);
    // Now Tl = 3 < W-1: numbers at or above the bottom (mod 2^32) belong to high half 7.
    expect(w.check(0xfffffff2)).toBe('dup');
    expect(receive(w, 0xfffffff5)).toBe('ok@7');
    expect(w.check(0xfffffff5)).toBe('dup');
    expect(receive(w, 1)).toBe('ok@8');
    expect(w.check(3)).toBe('dup');
    // The bottom edge: top - (W-1) is the last number inside, top - W the first outside.
    const bottom = (3 - 63 + 0x100000000) >>> 0;
    expect(receive(w, bottom)).toBe('ok@7');
    // One below the bottom, in the same subspace arithmetic, reads as high half 8: a number 2^32 - 61
    // ahead — accepted by the check, refused by the ICV (the wrong high half is in the AAD).
    expect(w.check(bottom - 1)).toBe('ok');
    expect(w.inferredHi).toBe(8);
    expect(w.update(bottom - 1, 7)).toBe('old'); // and with the true high half it is left of the window
  });

  it('far-ahead packets move the window by up to 2^32 - W; left of the window reads as the next subspace', () => {
    const w = new ReplayWindow(32, true, 100, 0);
    expect(receive(w, 69)).toBe('ok@0'); // bottom = 100 - 31
    expect(w.check(68)).toBe('ok');
    expect(w.inferredHi).toBe(1);
    expect(receive(w, 0x80000000)).toBe('ok@0');
    expect(receive(w, 5)).toBe('ok@1'); // 2^31 + 5 ahead: a jump clears the whole bitmap
    expect([w.topHi, w.top]).toEqual([1, 5]);
    expect(w.check(0x80000000)).toBe('ok'); // its bit was cleared: it reads as high half 1 now
    expect(w.inferredHi).toBe(1);
    expect(w.update(0x80000000, 0)).toBe('old');
  });

  it('the two ends of the 64-bit space: nothing before 1 and nothing after 2^64-1', () => {
    const start = new ReplayWindow(32, true);
    expect(start.check(0)).toBe('zero');
    expect(start.check(0xfffffff0)).toBe('old'); // case B with high half 0: would be high half -1
    expect(receive(start, 1)).toBe('ok@0');
    const end = new ReplayWindow(32, true, 0xfffffffe, 0xffffffff);
    expect(receive(end, 0xffffffff)).toBe('ok@4294967295');
    expect(end.check(0)).toBe('old'); // would be high half 2^32
    expect(end.check(0xffffffff)).toBe('dup');
    expect(end.check(0xffffffe0)).toBe('ok'); // top - 31: still inside
    expect(end.check(0xffffffdf)).toBe('old'); // top - 32, below the bottom: high half 2^32, refused
  });

  it('the case A / case B boundary: Tl = W-1 and Tl = W-2, for several window sizes', () => {
    for (const size of [32, 64, 4096]) {
      const a = new ReplayWindow(size, true, size - 1, 3); // bottom = 0: case A
      expect(a.check(0)).toBe('ok');
      expect(a.inferredHi).toBe(3);
      expect(a.check(0xffffffff)).toBe('ok');
      expect(a.inferredHi).toBe(3); // beyond the top in the same subspace
      const b = new ReplayWindow(size, true, size - 2, 3); // bottom = 2^32-1 of high half 2: case B
      expect(b.check(0xffffffff)).toBe('ok');
      expect(b.inferredHi).toBe(2);
      expect(b.check(0xfffffffe)).toBe('ok');
      expect(b.inferredHi).toBe(3); // below the bottom (mod 2^32): far ahead in the same subspace
    }
  });

  it('without ESN nothing changes: 32-bit numbers, high half always 0, replay-seq-hi refused', () => {
    const w = new ReplayWindow(32, false, 0xfffffffe);
    expect(receive(w, 0xffffffff)).toBe('ok@0');
    expect(w.check(0)).toBe('zero');
    expect(w.check(5)).toBe('old');
    expect(() => new ReplayWindow(32, false, 0, 1)).toThrow(/needs extended sequence numbers/);
  });
});
