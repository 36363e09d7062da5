import { describe, expect, it } from 'vitest';
import { copyBytes, copyBytesWithViews } from '../../src/index.js';

function pattern(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = (i * 13 + seed) & 0xff;
  return a;
}

describe('copyBytesWithViews: copyBytes with the caller’s own whole-buffer DataViews', () => {
  it('copies exactly what copyBytes copies, for every length, offset and alignment', () => {
    const srcArena = pattern(4096, 7);
    const src = srcArena.subarray(3, 3000); // a view at an odd byteOffset
    const sv = new DataView(srcArena.buffer);
    for (const len of [0, 1, 15, 16, 17, 63, 64, 1514]) {
      for (const [so, dof] of [
        [0, 0],
        [1, 5],
        [7, 2],
      ]) {
        const a = new Uint8Array(2048);
        const b = new Uint8Array(2048);
        copyBytes(a, dof, src, so, len);
        copyBytesWithViews(b, dof, new DataView(b.buffer), src, so, sv, len);
        expect(b).toEqual(a);
      }
    }
  });

  it('falls back to copyBytes for views of other buffers, one-buffer copies and out-of-range ranges', () => {
    const src = pattern(256, 1);
    const dst = new Uint8Array(256);
    const wrong = new DataView(new ArrayBuffer(256));
    copyBytesWithViews(dst, 0, wrong, src, 10, wrong, 100);
    expect(dst.subarray(0, 100)).toEqual(src.subarray(10, 110));
    const same = pattern(256, 2);
    const ref = same.slice();
    ref.copyWithin(20, 0, 100);
    copyBytesWithViews(same, 20, new DataView(same.buffer), same, 0, new DataView(same.buffer), 100);
    expect(same).toEqual(ref); // memmove semantics
    const short = new Uint8Array(8);
    copyBytesWithViews(short, 0, new DataView(short.buffer), src, 250, new DataView(src.buffer), 20);
    expect(Array.from(short)).toEqual(Array.from(src.subarray(250, 256)).concat([0, 0]));
  });
});
