import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUS_DMASYNC_POSTREAD,
  BUS_DMASYNC_PREREAD,
  DMA_SEGMENT_SPAN,
  DmaSpace,
  MbufPool,
  copyBytes,
} from '../../src/index.js';
import { allocationFree, heapCost } from '../helpers/heap.js';

describe('DmaMap (bus_dmamap)', () => {
  it('a device loads a descriptor address once and copies in and out of it', () => {
    const dma = new DmaSpace();
    const r = dma.alloc(4096, 'buffers');
    const map = dma.createMap('rx', 2048);
    const hi = r.busAddr / DMA_SEGMENT_SPAN;
    expect(map.loadAddr(hi, 100, 1514)).toBe(true);
    expect(map.loaded).toBe(true);
    expect(map.busAddr).toBe(r.busAddr + 100);
    expect([map.segHi[0], map.segLo[0], map.segLen[0], map.mapsize]).toEqual([hi, 100, 1514, 1514]);
    const frame = new Uint8Array(1514).map((_, i) => i * 7);
    expect(map.copyIn(0, frame, 0, 1514)).toBe(true);
    expect(Array.from(r.u8.subarray(100, 1614))).toEqual(Array.from(frame));
    const out = new Uint8Array(40);
    expect(map.copyOut(3, out, 1, 33)).toBe(true);
    expect(Array.from(out.subarray(1, 34))).toEqual(Array.from(frame.subarray(3, 36)));
    // The same through the whole-address convenience.
    expect(map.load(r.busAddr + 8, 16)).toBe(true);
    expect(map.segLo[0]).toBe(8);
    expect(dma.busErrors).toBe(0);
  });

  it('storeAt is loadAddr then copyIn(0, ...) in one step: same data, map state, counters and refusals', () => {
    const dma = new DmaSpace();
    const r = dma.alloc(4096, 'buffers');
    const hi = r.busAddr / DMA_SEGMENT_SPAN;
    const map = dma.createMap('rx', 2048);
    const twin = dma.createMap('twin', 2048);
    const frame = new Uint8Array(1514).map((_, i) => i * 11);
    expect(map.storeAt(hi, 100, frame, 0, 1514)).toBe(true);
    expect(Array.from(r.u8.subarray(100, 1614))).toEqual(Array.from(frame));
    expect([map.nsegs, map.segHi[0], map.segLo[0], map.segLen[0], map.mapsize]).toEqual([1, hi, 100, 1514, 1514]);
    expect(map.busAddr).toBe(r.busAddr + 100);
    // A range of the source, as a wire hands a frame inside a larger buffer.
    expect(map.storeAt(hi, 2000, frame, 10, 60)).toBe(true);
    expect(twin.loadAddr(hi, 2000, 60) && twin.copyIn(0, frame, 10, 60)).toBe(true);
    expect(Array.from(r.u8.subarray(2000, 2060))).toEqual(Array.from(frame.subarray(10, 70)));
    expect([map.segLo[0], map.mapsize]).toEqual([twin.segLo[0], twin.mapsize]);
    // Refusals: nothing written, the map unloaded, the same counters as a refused loadAddr.
    const before = Array.from(r.u8);
    expect(map.storeAt(hi, 4000, frame, 0, 200)).toBe(false); // runs off the end
    expect(map.storeAt(hi + 7, 0, frame, 0, 60)).toBe(false); // unmapped segment
    expect(map.storeAt(hi, 0, frame, 0, 4000)).toBe(false); // larger than the map
    expect(map.loaded).toBe(false);
    expect(Array.from(r.u8)).toEqual(before);
    expect(map.stats).toMatchObject({ loads: 5, badAddress: 2, tooBig: 1 });
    expect(dma.busErrors).toBe(3);
  });

  it('storeAt of a whole source array that overlaps the destination in the same arena copies as memmove', () => {
    const dma = new DmaSpace();
    const r = dma.alloc(4096, 'buffers');
    const hi = r.busAddr / DMA_SEGMENT_SPAN;
    const map = dma.createMap('rx', 2048);
    r.u8.set(new Uint8Array(200).map((_, i) => i + 1));
    const expected = Array.from(r.u8.subarray(0, 60));
    // The source (a whole array: the direct `set`) is the arena's bytes 0..59; the destination starts at 10.
    expect(map.storeAt(hi, 10, r.u8.subarray(0, 60), 0, 60)).toBe(true);
    expect(Array.from(r.u8.subarray(10, 70))).toEqual(expected);
    // Backwards overlap: bytes 100..159 to 90.
    const back = Array.from(r.u8.subarray(100, 160));
    expect(map.storeAt(hi, 90, r.u8.subarray(100, 160), 0, 60)).toBe(true);
    expect(Array.from(r.u8.subarray(90, 150))).toEqual(back);
    // An empty whole array: loaded with length 0, nothing written.
    const before = Array.from(r.u8);
    expect(map.storeAt(hi, 300, new Uint8Array(0), 0, 0)).toBe(true);
    expect([map.nsegs, map.mapsize, map.segLo[0]]).toEqual([1, 0, 300]);
    expect(Array.from(r.u8)).toEqual(before);
    expect(dma.busErrors).toBe(0);
  });

  it('keeps the arena it resolved last without changing any outcome (bounds, reasons, other segments)', () => {
    const dma = new DmaSpace();
    const a = dma.alloc(4096, 'a');
    const b = dma.alloc(1024, 'b');
    const ha = a.busAddr / DMA_SEGMENT_SPAN;
    const hb = b.busAddr / DMA_SEGMENT_SPAN;
    const map = dma.createMap('rx', 2048);
    const frame = new Uint8Array(60).map((_, i) => i + 1);
    // High half 0 before any load (the kept arena is none yet) and after one: never mapped.
    expect(map.storeAt(0, 0, frame, 0, 0)).toBe(false);
    expect(map.storeAt(ha, 0, frame, 0, 60)).toBe(true);
    expect(map.storeAt(0, 0, frame, 0, 0)).toBe(false);
    expect(map.stats.badAddress).toBe(2);
    // Alternating arenas: each store lands in its own arena, bounds checked against that arena's length.
    expect(map.storeAt(hb, 964, frame, 0, 60)).toBe(true);
    expect(map.storeAt(ha, 4036, frame, 0, 60)).toBe(true);
    expect(map.storeAt(hb, 1000, frame, 0, 60)).toBe(false); // past b's end, inside a's length
    expect(map.storeAt(ha, 1000, frame, 0, 60)).toBe(true);
    expect(Array.from(b.u8.subarray(964))).toEqual(Array.from(frame));
    expect(Array.from(a.u8.subarray(4036))).toEqual(Array.from(frame));
    expect(Array.from(a.u8.subarray(1000, 1060))).toEqual(Array.from(frame));
    expect(map.stats.badAddress).toBe(3);
    // Bad address wins over too big (as before the kept arena): outside and too big is a bad address.
    expect(map.storeAt(ha, 4000, frame, 0, 3000)).toBe(false);
    expect(map.stats.badAddress).toBe(4);
    expect(map.storeAt(ha, 0, frame, 0, 3000)).toBe(false);
    expect(map.stats.tooBig).toBe(1);
    // A segment mapped after the map was used is found; the refused loads left the map unloaded.
    expect(map.loaded).toBe(false);
    const c = dma.alloc(256, 'c');
    expect(map.storeAt(c.busAddr / DMA_SEGMENT_SPAN, 0, frame, 0, 60)).toBe(true);
    expect(map.segArena[0].buffer).toBe(c.u8.buffer);
    expect(Array.from(c.u8.subarray(0, 60))).toEqual(Array.from(frame));
    expect(dma.busErrors).toBe(map.stats.badAddress + map.stats.tooBig);
    expect(map.stats.loads).toBe(10);
  });

  it('bad addresses and ranges are counted bus errors, never throws', () => {
    const dma = new DmaSpace();
    const r = dma.alloc(256, 'r');
    const hi = r.busAddr / DMA_SEGMENT_SPAN;
    const map = dma.createMap('m', 128);
    expect(map.loadAddr(0, 0, 4)).toBe(false); // address 0
    expect(map.loadAddr(hi + 5, 0, 4)).toBe(false); // unmapped segment
    expect(map.loadAddr(hi, 250, 16)).toBe(false); // runs off the end
    expect(map.loadAddr(hi, 0, 200)).toBe(false); // larger than the map
    expect(map.loaded).toBe(false);
    expect(map.stats).toMatchObject({ badAddress: 3, tooBig: 1 });
    expect(map.loadAddr(hi, 0, 64)).toBe(true);
    expect(map.copyIn(60, new Uint8Array(8), 0, 8)).toBe(false); // beyond the loaded length
    expect(map.copyOut(-1, new Uint8Array(8), 0, 4)).toBe(false);
    map.unload();
    map.sync(BUS_DMASYNC_PREREAD); // unloaded
    expect(map.stats.outOfRange).toBe(3);
    expect(dma.busErrors).toBe(7);
    expect(map.loadBuffer(new Uint8Array(16), 0, 16)).toBe(false); // not mapped memory
    expect(dma.busErrors).toBe(8);
  });

  it('loads CPU buffers of mapped memory (bus_dmamap_load)', () => {
    const dma = new DmaSpace();
    dma.alloc(64, 'first');
    const r = dma.alloc(64, 'second');
    const map = dma.createMap('m', 64);
    expect(map.loadBuffer(r.u8, 4, 32)).toBe(true);
    expect(map.busAddr).toBe(r.busAddr + 4);
    const inner = new Uint8Array(r.u8.buffer, 8, 16);
    expect(map.loadBuffer(inner, 2, 8)).toBe(true);
    expect(map.busAddr).toBe(r.busAddr + 10);
    map.sync(BUS_DMASYNC_PREREAD);
    map.sync(BUS_DMASYNC_POSTREAD);
    expect(map.stats.syncs).toBe(2);
    expect(dma.busErrors).toBe(0);
  });

  it('loads an mbuf chain, one segment per non-empty mbuf, and gathers it in order', () => {
    const dma = new DmaSpace();
    const pool = new MbufPool({ name: 'p', mbufs: 8, clusters: 4, dma });
    const a = pool.getcl()!;
    const b = pool.get()!;
    const empty = pool.get()!;
    const c = pool.getcl()!;
    a.next = b;
    b.next = empty;
    empty.next = c;
    a.off = 10;
    a.len = 100;
    b.off = 0;
    b.len = 20;
    c.off = 5;
    c.len = 1000;
    for (let i = 0; i < a.len; i++) a.buf[a.off + i] = i;
    for (let i = 0; i < b.len; i++) b.buf[i] = 200 + i;
    for (let i = 0; i < c.len; i++) c.buf[c.off + i] = i * 3;
    const map = dma.createMap('tx', 9000, 4);
    expect(map.loadMbuf(a)).toBe(true);
    expect(map.nsegs).toBe(3);
    expect(map.mapsize).toBe(1120);
    expect(map.segAddr[0]).toBe(a.busAddr + 10);
    expect(map.segAddr[2]).toBe(c.busAddr + 5);
    expect(map.segHi[1] * DMA_SEGMENT_SPAN + map.segLo[1]).toBe(b.busAddr);
    // The per-segment arrays share one block: each reads back its own field of every segment.
    expect(Array.from(map.segLen.subarray(0, 3))).toEqual([100, 20, 1000]);
    expect(Array.from(map.segOff.subarray(0, 3))).toEqual(Array.from(map.segLo.subarray(0, 3)));
    expect(Array.from(map.segHi.subarray(0, 3))).toEqual([pool.busHi, pool.busHi, pool.busHi]);
    for (let k = 0; k < 3; k++) {
      expect([map.addrLo(k), map.addrHi(k), map.length(k)]).toEqual([map.segLo[k], map.segHi[k], map.segLen[k]]);
    }
    const out = new Uint8Array(1120);
    expect(map.copyOut(0, out, 0, 1120)).toBe(true);
    const expected = [
      ...Array.from(a.buf.subarray(10, 110)),
      ...Array.from(b.buf.subarray(0, 20)),
      ...Array.from(c.buf.subarray(5, 1005)),
    ];
    expect(Array.from(out)).toEqual(expected);
    // A copy in across the segment boundary lands in both mbufs.
    expect(map.copyIn(98, Uint8Array.of(1, 2, 3, 4), 0, 4)).toBe(true);
    expect([a.buf[108], a.buf[109], b.buf[0], b.buf[1]]).toEqual([1, 2, 3, 4]);
    // Too many segments / too many bytes: EFBIG, counted.
    const small = dma.createMap('small', 9000, 2);
    expect(small.loadMbuf(a)).toBe(false);
    expect(small.stats.tooBig).toBe(1);
    // A pool mapped elsewhere (or not at all) is not DMA-able through this space.
    const other = new MbufPool({ name: 'o', mbufs: 2, clusters: 1 });
    const o = other.getcl()!;
    o.len = 10;
    expect(map.loadMbuf(o)).toBe(false);
    expect(map.stats.badAddress).toBe(1);
    other.freem(o);
    pool.freem(a);
    pool.assertQuiescent();
  });

  it('reloading a buffer of the same pool rewrites only offset and length, and other loads reset that', () => {
    const dma = new DmaSpace();
    const pool = new MbufPool({ name: 'p', mbufs: 8, clusters: 4, dma });
    const r = dma.alloc(4096, 'ring');
    const maps = [dma.createMap('rx 0', 2048), dma.createMap('rx 1', 2048), dma.createMap('tx', 9000, 4)];
    const [a, b] = [pool.getcl()!, pool.getcl()!];
    a.len = b.len = 2048;
    b.off = 64;
    const expectSeg = (map: (typeof maps)[0], hi: number, lo: number, len: number) => {
      expect([map.nsegs, map.segHi[0], map.segLo[0], map.segOff[0], map.segLen[0], map.mapsize]).toEqual([
        1,
        hi,
        lo,
        lo,
        len,
        len,
      ]);
      expect([map.addrHi(0), map.addrLo(0), map.length(0)]).toEqual([hi, lo, len]);
      expect(map.busAddr).toBe(hi * DMA_SEGMENT_SPAN + lo);
      expect(map.segAddr[0]).toBe(map.busAddr);
    };
    for (const map of maps) {
      expect(map.loadMbuf(a)).toBe(true);
      expectSeg(map, pool.busHi, a.base, 2048);
      map.sync(BUS_DMASYNC_PREREAD);
      map.unload();
      expect(map.loadMbuf(b)).toBe(true); // the same pool again: the reload
      expectSeg(map, pool.busHi, b.base + 64, 2048);
      // A device-style load writes another arena into segment 0: the next mbuf load stores it all again.
      expect(map.loadAddr(r.busAddr / DMA_SEGMENT_SPAN, 16, 100)).toBe(true);
      expectSeg(map, r.busAddr / DMA_SEGMENT_SPAN, 16, 100);
      expect(map.loadMbuf(a)).toBe(true);
      expectSeg(map, pool.busHi, a.base, 2048);
      expect(map.copyIn(0, Uint8Array.of(7, 8), 0, 2)).toBe(true);
      expect([a.buf[0], a.buf[1]]).toEqual([7, 8]);
    }
    // Each map has its own row of the space's slab: loads of one never show in another.
    expect([maps[0].segLo[0], maps[1].segLo[0], maps[2].segLo[0]]).toEqual([a.base, a.base, a.base]);
    maps[1].loadMbuf(b);
    expect([maps[0].segLo[0], maps[1].segLo[0], maps[2].segLo[0]]).toEqual([a.base, b.base + 64, a.base]);
    expect(maps[0].stats).toMatchObject({ loads: 4, syncs: 1, badAddress: 0, tooBig: 0, outOfRange: 0 });
    expect(dma.busErrors).toBe(0);
    pool.freem(a);
    pool.freem(b);
  });

  it('copies between arenas, within one arena and from whole frames allocate nothing', async () => {
    const dma = new DmaSpace();
    const pool = new MbufPool({ name: 'p', mbufs: 8, clusters: 8, dma });
    const ring = dma.alloc(64 * 1024, 'wire ring');
    const m = pool.getcl()!;
    const rxMap = dma.createMap('rx', 2048);
    const txMap = dma.createMap('tx', 2048);
    const whole = new Uint8Array(1514).fill(9);
    const staging = new Uint8Array(2048);
    const hi = ring.busAddr / DMA_SEGMENT_SPAN;
    let sink = 0;
    const cost = await heapCost((i) => {
      // Device receive: the frame is a whole array (set) or a ring range (words).
      rxMap.loadAddr(pool.busBase / DMA_SEGMENT_SPAN, m.base, 2048);
      if ((i & 1) === 0) rxMap.copyIn(2, whole, 0, 1514);
      else rxMap.copyIn(2, ring.u8, (i & 255) * 200, 1514);
      // Device transmit: gather from the cluster into a staging buffer, and cluster to ring (one space).
      txMap.loadAddr(hi, 4096, 1514);
      txMap.copyOut(0, staging, 0, 1514);
      txMap.copyIn(0, ring.u8, 1, 60);
      sink = (sink + staging[i & 1023]) | 0;
    }, 200_000);
    console.log('dma map copies', cost, sink);
    expect(allocationFree(cost), JSON.stringify(cost)).toBe(true);
    expect(dma.busErrors).toBe(0);
    pool.freem(m);
  });
});

describe('copyBytes', () => {
  it('behaves as a byte-by-byte memmove in every case (shared buffer, whole source, words, unaligned)', () => {
    const buffer = new ArrayBuffer(512);
    const other = new ArrayBuffer(512);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 150 }),
        fc.boolean(),
        fc.boolean(),
        (dBase, sBase, dOff, sOff, len, same, wholeSrc) => {
          const bytes = new Uint8Array(buffer);
          const ob = new Uint8Array(other);
          for (let i = 0; i < 512; i++) {
            bytes[i] = (i * 13) & 0xff;
            ob[i] = (i * 29 + 1) & 0xff;
          }
          const src = wholeSrc
            ? new Uint8Array(same ? buffer : other, sBase, len)
            : new Uint8Array(same ? buffer : other, sBase, 250);
          const so = wholeSrc ? 0 : sOff;
          const dst = new Uint8Array(buffer, dBase, 300);
          const expectSrc = Array.from(src.subarray(so, so + len));
          const before = Array.from(dst);
          copyBytes(dst, dOff, src, so, len);
          const after = Array.from(dst);
          for (let i = 0; i < 300; i++) {
            const inRange = i >= dOff && i < dOff + len;
            if ((inRange ? expectSrc[i - dOff] : before[i]) !== after[i]) return false;
          }
          return true;
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps typed-array semantics for ranges outside the arrays (no write past the view)', () => {
    const buf = new ArrayBuffer(64);
    const dst = new Uint8Array(buf, 0, 16);
    const src = new Uint8Array(40).fill(5);
    copyBytes(dst, 8, src, 0, 32);
    expect(Array.from(new Uint8Array(buf, 16, 48)).every((b) => b === 0)).toBe(true);
    expect(Array.from(dst.subarray(8))).toEqual(new Array(8).fill(5));
  });
});
