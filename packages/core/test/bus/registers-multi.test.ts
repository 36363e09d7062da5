import { describe, expect, it } from 'vitest';
import { BusSpace, type DeviceRegisters } from '../../src/index.js';

/** A 4-byte window whose offset 0 is a FIFO data port: reads pop bytes, writes push them. */
class PortDevice implements DeviceRegisters {
  readonly size = 4;
  readonly fifo: number[] = [];
  read8(): number {
    return this.fifo.shift() ?? 0xff;
  }
  read16(): number {
    const lo = this.read8();
    return lo | (this.read8() << 8);
  }
  read32(): number {
    return 0;
  }
  write8(_o: number, v: number): void {
    this.fifo.push(v);
  }
  write16(_o: number, v: number): void {
    this.fifo.push(v & 0xff, v >>> 8);
  }
  write32(): void {}
}

/** The same port with string accessors of its own (what a model does to move a frame in one call). */
class FastPortDevice extends PortDevice {
  multiCalls = 0;
  readMulti16(_o: number, dst: Uint8Array, off: number, count: number): void {
    this.multiCalls++;
    for (let i = 0; i < 2 * count; i++) dst[off + i] = this.fifo.shift() ?? 0xff;
  }
  writeMulti16(_o: number, src: Uint8Array, off: number, count: number): void {
    this.multiCalls++;
    for (let i = 0; i < 2 * count; i++) this.fifo.push(src[off + i]);
  }
}

describe('BusSpace string accessors (bus_space_read_multi / write_multi)', () => {
  for (const [name, make] of [
    ['fallback loop', () => new PortDevice()],
    ['device string accessors', () => new FastPortDevice()],
  ] as const) {
    it(`moves bytes through a data port in bus order (${name})`, () => {
      const dev = make();
      let streamed = 0;
      let accesses = 0;
      const bs = new BusSpace(
        dev,
        'port',
        () => accesses++,
        undefined,
        (n) => (streamed += n),
      );
      bs.writeMulti16(0, Uint8Array.of(9, 1, 2, 3, 4, 5), 1, 2);
      bs.writeMulti8(0, Uint8Array.of(7, 8), 0, 2);
      expect(dev.fifo).toEqual([1, 2, 3, 4, 7, 8]);
      const out = new Uint8Array(8);
      bs.readMulti16(0, out, 1, 2);
      bs.readMulti8(0, out, 5, 2);
      expect(Array.from(out)).toEqual([0, 1, 2, 3, 4, 7, 8, 0]);
      expect(bs.stats).toEqual({ reads: 4, writes: 4, errors: 0 });
      expect(streamed).toBe(12);
      expect(accesses).toBe(4); // synced once per string, not per item
      if (dev instanceof FastPortDevice) expect(dev.multiCalls).toBe(2);
    });
  }

  it('counts bad string accesses and touches nothing', () => {
    const dev = new PortDevice();
    dev.fifo.push(1, 2, 3, 4);
    const bs = new BusSpace(dev, 'port');
    const out = new Uint8Array(4);
    bs.readMulti16(0, out, 2, 2); // 4 bytes do not fit at offset 2
    bs.readMulti16(1, out, 0, 1); // misaligned
    bs.readMulti8(8, out, 0, 1); // outside the window
    bs.writeMulti8(0, out, 0, -1);
    expect(bs.stats.errors).toBe(4);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    expect(dev.fifo).toEqual([1, 2, 3, 4]);
  });
});
