import { describe, expect, it } from 'vitest';
import { SHORT_COPY_MAX, copyBytes, copyBytesAligned } from '../../src/index.js';

function pattern(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = (i * 13 + seed) & 0xff;
  return a;
}

/** copyBytesAligned and copyBytes on two copies of the same destination: the results must be equal. */
function both(
  dstLen: number,
  dstOff: number,
  srcArena: Uint8Array,
  srcStart: number,
  srcEnd: number,
  srcOff: number,
  len: number,
) {
  const src = srcArena.subarray(srcStart, srcEnd);
  const a = pattern(dstLen, 3);
  const b = pattern(dstLen, 3);
  copyBytes(a, dstOff, src, srcOff, len);
  const words = new Uint32Array(b.buffer, 0, b.length >>> 2);
  const srcWords = new Uint32Array(srcArena.buffer, 0, srcArena.length >>> 2);
  copyBytesAligned(b, words, dstOff, src, srcWords, srcStart, srcOff, len);
  return [a, b];
}

describe('copyBytesAligned: short aligned copies as words, everything else as copyBytes', () => {
  it('copies exactly what copyBytes copies, for every length up to past the word limit, aligned or not', () => {
    const srcArena = pattern(512, 7);
    for (let len = 0; len <= SHORT_COPY_MAX + 8; len++) {
      for (const [start, so, dof] of [
        [0, 0, 0],
        [0, 4, 64],
        [4, 8, 128],
        [2, 2, 64], // source address aligned, srcOff not
        [1, 3, 64],
        [0, 0, 2],
        [0, 1, 4],
      ]) {
        const [a, b] = both(1024, dof, srcArena, start, 400, so, len);
        expect(b, `len ${len} start ${start} srcOff ${so} dstOff ${dof}`).toEqual(a);
      }
    }
  });

  it('keeps typed-array semantics for ranges outside either array (copyBytes decides)', () => {
    const srcArena = pattern(256, 9);
    for (const [dof, so, len] of [
      [1020, 0, 8], // runs off the destination
      [-4, 0, 8],
      [0, -4, 8],
      [0, 60, 8], // runs off the source view below
      [0, 0, 64],
    ]) {
      const [a, b] = both(1024, dof, srcArena, 0, 64, so, len);
      expect(b, `dstOff ${dof} srcOff ${so} len ${len}`).toEqual(a);
    }
  });

  it('is a memmove inside one buffer, both directions', () => {
    for (const [from, to] of [
      [16, 24], // destination after an overlapping source: must not copy forwards
      [24, 16],
      [0, 64],
    ]) {
      const a = pattern(256, 1);
      const b = pattern(256, 1);
      const words = new Uint32Array(b.buffer);
      copyBytes(a, to, a, from, 32);
      copyBytesAligned(b, words, to, b, words, 0, from, 32);
      expect(b, `${from} → ${to}`).toEqual(a);
    }
  });
});
