import { MbufPool, fuzzParameters } from '@ifnet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cksumBytes, cksumFold, cksumMbuf, inCksum, pseudoHeaderSum } from '../src/index.js';
import { chainFrom } from './helpers.js';

/** The RFC 1071 definition, written as plainly as possible: the reference. */
function reference(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < data.length; i += 2) sum += (data[i] << 8) | (i + 1 < data.length ? data[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

describe('Internet checksum', () => {
  it('matches the example of RFC 1071 section 3', () => {
    const d = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(cksumBytes(d, 0, d.length)).toBe(0xddf2);
    expect(~cksumBytes(d, 0, d.length) & 0xffff).toBe(0x220d);
  });

  it('verifies a literal IPv4 header (checksum 0xb861) to zero', () => {
    const h = Uint8Array.from([
      0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00,
      0xc7,
    ]);
    expect(cksumBytes(h, 0, 20)).toBe(0xffff);
    h[10] = 0;
    h[11] = 0;
    expect(~cksumBytes(h, 0, 20) & 0xffff).toBe(0xb861);
  });

  it('folds carries end-around, also from sums beyond 32 bits', () => {
    expect(cksumFold(0x1ffff)).toBe(0x0001);
    expect(cksumFold(0xffff)).toBe(0xffff);
    expect(cksumFold(0x2_0000_0001)).toBe(cksumFold(0x0002 + 0x0001));
  });

  it('sums a chain split at odd boundaries like the flat bytes', () => {
    const pool = new MbufPool({ name: 't', mbufs: 64, clusters: 16 });
    const data = Uint8Array.from({ length: 101 }, (_, i) => (i * 37 + 11) & 0xff);
    const m = chainFrom(pool, data, [1, 3, 2, 7, 0, 5, 33], 1);
    expect(cksumMbuf(m, 0, data.length)).toBe(reference(data));
    expect(cksumMbuf(m, 5, 50)).toBe(reference(data.subarray(5, 55)));
    expect(cksumMbuf(m, 6, 0, 0x1234)).toBe(0x1234);
    expect(() => cksumMbuf(m, 0, 102)).toThrow(RangeError);
    pool.freem(m);
    pool.assertQuiescent();
  });

  it('computes the UDP pseudo-header sum', () => {
    // 192.168.0.1 -> 192.168.0.199, UDP, length 0x0058
    expect(pseudoHeaderSum(0xc0a80001, 0xc0a800c7, 17, 0x58)).toBe(
      cksumFold(0xc0a8 + 0x0001 + 0xc0a8 + 0x00c7 + 17 + 0x58),
    );
  });

  it('property: any chain layout, offset and length gives the reference sum (deterministic seed)', () => {
    const pool = new MbufPool({ name: 'p', mbufs: 256, clusters: 64 });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffff }),
        (data, sizes, lead, a, b, initial) => {
          const m = chainFrom(pool, data, sizes, lead);
          const off = a % data.length;
          const len = b % (data.length - off + 1);
          const got = cksumMbuf(m, off, len, initial);
          const complemented = inCksum(m, off, len, initial);
          pool.freem(m);
          expect(got).toBe(reference(data.subarray(off, off + len), initial));
          expect(complemented).toBe(~got & 0xffff);
        },
      ),
      fuzzParameters({ seed: 0x1071, numRuns: 300 }),
    );
    pool.assertQuiescent();
  });

  it('sums more than 32 KiB in one buffer (chunked accumulation)', () => {
    const big = new Uint8Array(70_001).fill(0xff);
    expect(cksumBytes(big, 0, big.length)).toBe(reference(big));
  });
});
