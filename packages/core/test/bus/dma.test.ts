import { describe, expect, it } from 'vitest';
import { DmaSpace } from '../../src/index.js';

describe('DmaSpace (bus_dma)', () => {
  it('maps buffers at distinct 2^32-aligned bus addresses and reads/writes little-endian', () => {
    const dma = new DmaSpace();
    const a = dma.alloc(64, 'ring');
    const b = dma.alloc(16, 'other');
    expect(a.busAddr).toBe(2 ** 32);
    expect(b.busAddr).toBe(2 * 2 ** 32);
    dma.write32(a.busAddr + 4, 0x11223344);
    expect(Array.from(a.u8.subarray(4, 8))).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(dma.read16(a.busAddr + 4)).toBe(0x3344);
    dma.write64(a.busAddr + 8, b.busAddr + 12);
    expect(dma.read64(a.busAddr + 8)).toBe(b.busAddr + 12);
    expect(dma.segmentName(b.busAddr + 3)).toBe('other');
    expect(dma.busErrors).toBe(0);
  });

  it('copies to and from bus memory, also between views of one buffer', () => {
    const dma = new DmaSpace();
    const r = dma.alloc(32, 'r');
    const src = new Uint8Array(11).map((_, i) => i + 1);
    expect(dma.copyToBus(r.busAddr + 3, src, 1, 9)).toBe(true);
    expect(Array.from(r.u8.subarray(3, 12))).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const out = new Uint8Array(12);
    expect(dma.copyFromBus(r.busAddr + 3, out, 2, 9)).toBe(true);
    expect(Array.from(out)).toEqual([0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]);
    // Destination is a sub-view of the mapped buffer itself.
    const inner = new Uint8Array(r.u8.buffer, 20, 12);
    expect(dma.copyFromBus(r.busAddr + 3, inner, 0, 5)).toBe(true);
    expect(Array.from(r.u8.subarray(20, 25))).toEqual([2, 3, 4, 5, 6]);
  });

  it('counts bus errors instead of throwing: unmapped, out of range, address 0', () => {
    const dma = new DmaSpace();
    const r = dma.alloc(16, 'r');
    expect(dma.read32(0)).toBe(0xffffffff);
    expect(dma.read32(r.busAddr + 14)).toBe(0xffffffff);
    dma.write32(9 * 2 ** 32, 1);
    expect(dma.copyFromBus(r.busAddr + 10, new Uint8Array(8), 0, 8)).toBe(false);
    expect(dma.busErrors).toBe(4);
    expect(() => dma.alloc(0, 'bad')).toThrow(RangeError);
  });
});
