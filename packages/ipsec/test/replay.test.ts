import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../src/index.js';

describe('anti-replay window (RFC 4303 3.4.3)', () => {
  it('accepts increasing numbers, rejects 0 and duplicates', () => {
    const w = new ReplayWindow(32);
    expect(w.check(0)).toBe('zero');
    expect(w.update(1)).toBe('ok');
    expect(w.update(1)).toBe('dup');
    expect(w.update(2)).toBe('ok');
    expect(w.top).toBe(2);
  });

  it('window edges: top - (size-1) is inside, top - size is left of it', () => {
    for (const size of [32, 64, 128]) {
      const w = new ReplayWindow(size);
      expect(w.update(1000)).toBe('ok');
      expect(w.check(1000 - (size - 1))).toBe('ok');
      expect(w.check(1000 - size)).toBe('old');
      expect(w.update(1000 - (size - 1))).toBe('ok');
      expect(w.check(1000 - (size - 1))).toBe('dup');
      // Out of order inside the window, once each.
      for (let s = 999; s > 1000 - (size - 1); s--) expect(w.update(s)).toBe('ok');
      for (let s = 1000; s > 1000 - size; s--) expect(w.check(s)).toBe('dup');
    }
  });

  it('advancing clears exactly the slots passed; a jump of >= size clears all', () => {
    const w = new ReplayWindow(32);
    for (let s = 1; s <= 32; s++) w.update(s);
    expect(w.update(40)).toBe('ok'); // 33..39 never seen: acceptable now, 9..32 still remembered
    for (let s = 33; s <= 39; s++) expect(w.check(s)).toBe('ok');
    for (let s = 9; s <= 32; s++) expect(w.check(s)).toBe('dup');
    expect(w.check(8)).toBe('old');
    expect(w.update(40 + 32)).toBe('ok');
    expect(w.check(41)).toBe('ok');
    expect(w.check(40)).toBe('old');
  });

  it('only update moves the window: check alone (before the ICV verifies) does not', () => {
    const w = new ReplayWindow(32);
    w.update(5);
    expect(w.check(500)).toBe('ok');
    expect(w.top).toBe(5);
    expect(w.check(5)).toBe('dup');
  });

  it('handles the top of the 32-bit space', () => {
    const w = new ReplayWindow(64);
    expect(w.update(0xffffffff)).toBe('ok');
    expect(w.check(0xffffffff)).toBe('dup');
    expect(w.check(0xffffffff - 63)).toBe('ok');
    expect(w.check(0xffffffff - 64)).toBe('old');
  });

  it('refuses sizes that are not multiples of 32', () => {
    expect(() => new ReplayWindow(33)).toThrow(RangeError);
    expect(() => new ReplayWindow(0)).toThrow(RangeError);
  });
});
