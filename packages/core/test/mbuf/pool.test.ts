import { describe, expect, it } from 'vitest';
import { DmaSpace } from '../../src/bus/dma.js';
import type { Ifnet } from '../../src/net/ifnet.js';
import { M_BCAST, M_EXT, M_PKTHDR, type Mbuf, MbufError, MbufPool, m_freem, m_sanity } from '../../src/mbuf/index.js';
import { bytesOf, lensOf, sane, seq } from './helpers.js';

const ifp = { index: 3, name: 'tst0' } as unknown as Ifnet;

function pool(mbufs = 8, clusters = 4, extra: Partial<ConstructorParameters<typeof MbufPool>[0]> = {}) {
  return new MbufPool({ name: 'test', mbufs, clusters, ...extra });
}

describe('MbufPool construction', () => {
  it('defaults MSIZE 256 and MCLBYTES 2048 and lays out one arena', () => {
    const p = pool(4, 2);
    expect(p.msize).toBe(256);
    expect(p.mclbytes).toBe(2048);
    expect(p.arena.byteLength).toBe(2 * 2048 + 4 * 256);
    expect(p.stats.mbufs).toMatchObject({ size: 4, inUse: 0, free: 4, highWater: 0, failures: 0 });
    expect(p.stats.clusters).toMatchObject({ size: 2, inUse: 0, free: 2 });
    p.assertQuiescent();
  });

  it('rejects bad sizes at setup time', () => {
    expect(() => pool(0, 0)).toThrow(RangeError);
    expect(() => pool(1, -1)).toThrow(RangeError);
    expect(() => pool(1, 1, { msize: 256, mclbytes: 128 })).toThrow(RangeError);
    expect(() => pool(1.5, 1)).toThrow(RangeError);
  });

  it('can back the arena with a SharedArrayBuffer', () => {
    const p = pool(2, 1, { shared: true });
    expect(p.arena).toBeInstanceOf(SharedArrayBuffer);
    const m = p.getcl()!;
    m.buf[0] = 7;
    expect(new Uint8Array(p.arena)[0]).toBe(7);
    p.free(m);
  });
});

describe('m_get / m_gethdr / MCLGET / m_getcl', () => {
  it('m_get gives a plain empty mbuf over its own storage', () => {
    const p = pool();
    const m = p.get()!;
    expect(m.flags).toBe(0);
    expect(m.off).toBe(0);
    expect(m.len).toBe(0);
    expect(m.capacity).toBe(256);
    expect(m.buf.length).toBe(256);
    expect(m.view.byteLength).toBe(256);
    expect(m.buf.buffer).toBe(p.arena);
    expect(m.leadingSpace()).toBe(0);
    expect(m.trailingSpace()).toBe(256);
    expect(m.pool).toBe(p);
    expect(m.next).toBeNull();
    expect(m.nextpkt).toBeNull();
    expect(p.stats.mbufs).toMatchObject({ inUse: 1, free: 7, allocations: 1, highWater: 1 });
    expect(p.free(m)).toBeNull();
    p.assertQuiescent();
  });

  it('m_gethdr resets a header left dirty by a previous user', () => {
    const p = pool(1, 0);
    const a = p.gethdr()!;
    expect(a.flags).toBe(M_PKTHDR);
    a.pkthdr.len = 99;
    a.pkthdr.rcvif = ifp;
    a.pkthdr.flowHash = 0xdeadbeef;
    a.pkthdr.csumFlags = 3;
    a.pkthdr.vlanTag = 42;
    a.pkthdr.timestamp = 1e12;
    a.flags |= M_BCAST;
    p.free(a);
    expect(a.pkthdr.rcvif).toBeNull(); // free drops the interface reference
    const b = p.gethdr()!;
    expect(b).toBe(a); // the same pre-built object, reused
    expect(b.flags).toBe(M_PKTHDR);
    expect(b.pkthdr).toMatchObject({ len: 0, rcvif: null, flowHash: 0, csumFlags: 0, vlanTag: 0, timestamp: 0 });
    p.free(b);
    p.assertQuiescent();
  });

  it('MCLGET switches the mbuf to the pre-built cluster views and back on free', () => {
    const p = pool(2, 2);
    const m = p.gethdr()!;
    const ibuf = m.buf;
    const iview = m.view;
    expect(p.clget(m)).toBe(true);
    expect(m.flags & M_EXT).toBe(M_EXT);
    expect(m.capacity).toBe(2048);
    expect(m.buf.length).toBe(2048);
    expect(m.buf.byteOffset % 2048).toBe(0);
    expect(m.view.byteOffset).toBe(m.buf.byteOffset);
    const cbuf = m.buf;
    p.free(m);
    expect(m.buf).toBe(ibuf);
    expect(m.view).toBe(iview);
    const again = p.getcl()!;
    expect(again.buf).toBe(cbuf); // cluster views are pre-built, not re-created
    p.free(again);
    p.assertQuiescent();
  });

  it('MCLGET keeps data already in the mbuf', () => {
    const p = pool(2, 2);
    const m = p.gethdr()!;
    m.off = 10;
    m.buf.set([1, 2, 3], 10);
    m.len = 3;
    m.pkthdr.len = 3;
    expect(p.clget(m)).toBe(true);
    expect(m.off).toBe(10);
    expect([...bytesOf(m)]).toEqual([1, 2, 3]);
    p.free(m);
  });

  it('MCLGET on an mbuf that has a cluster is a bug', () => {
    const p = pool();
    const m = p.getcl()!;
    expect(() => p.clget(m)).toThrow(MbufError);
    p.free(m);
    const other = pool();
    const f = other.get()!;
    expect(() => p.clget(f)).toThrow(/from pool/);
    other.free(f);
    expect(() => p.clget(f)).toThrow(MbufError);
  });

  it('exhaustion returns null / false, counts a failure and never throws', () => {
    const p = pool(2, 1);
    const a = p.getcl()!;
    const b = p.gethdr()!;
    expect(p.get()).toBeNull();
    expect(p.gethdr()).toBeNull();
    expect(p.getcl()).toBeNull();
    expect(p.stats.mbufs.failures).toBe(3);
    expect(p.clget(b)).toBe(false);
    expect(b.flags).toBe(M_PKTHDR); // unchanged
    expect(b.capacity).toBe(256);
    expect(p.stats.clusters.failures).toBe(1);
    p.free(a);
    // an mbuf is free now but no... the cluster is free too; exhaust clusters only:
    const c = p.getcl()!;
    p.free(b);
    expect(p.getcl()).toBeNull(); // mbuf available, cluster not: mbuf given back
    expect(p.stats.clusters.failures).toBe(2);
    expect(p.stats.mbufs.inUse).toBe(1);
    p.free(c);
    expect(p.stats.mbufs.highWater).toBe(2);
    expect(p.stats.clusters.highWater).toBe(1);
    p.assertQuiescent();
  });

  it('double free and foreign free throw MbufError with a code', () => {
    const p = pool();
    const q = pool();
    const m = p.get()!;
    p.free(m);
    const e1 = (() => {
      try {
        p.free(m);
      } catch (e) {
        return e;
      }
    })();
    expect(e1).toBeInstanceOf(MbufError);
    expect((e1 as MbufError).code).toBe('double-free');
    expect((e1 as Error).message).toMatch(/already free/);
    const n = q.get()!;
    expect(() => p.free(n)).toThrow(/m_free of an mbuf from pool/);
    q.free(n);
    p.assertQuiescent();
    q.assertQuiescent();
  });

  it('m_free returns the successor, m_freem frees the whole chain', () => {
    const p = pool();
    const a = p.gethdr()!;
    const b = p.get()!;
    const c = p.getcl()!;
    a.next = b;
    b.next = c;
    expect(p.free(a)).toBe(b);
    p.freem(b);
    p.freem(null);
    m_freem(null);
    p.assertQuiescent();
    expect(p.stats.mbufs.frees).toBe(3);
    expect(p.stats.clusters.frees).toBe(1);
  });
});

describe('m_devget', () => {
  it('copies a small frame into one mbuf with a packet header', () => {
    const p = pool();
    const src = seq(64, 5);
    const m = sane(p.devget(src, 0, 64, ifp)!);
    expect(m.pkthdr.len).toBe(64);
    expect(m.pkthdr.rcvif).toBe(ifp);
    expect(m.next).toBeNull();
    expect(m.flags & M_EXT).toBe(0);
    expect(bytesOf(m)).toEqual(src);
    p.freem(m);
    p.assertQuiescent();
  });

  it('uses a cluster for a 1500-byte frame and honours the source offset and leading space', () => {
    const p = pool();
    const src = seq(1600);
    const m = sane(p.devget(src, 100, 1500, null, 2)!);
    expect(m.flags & M_EXT).toBe(M_EXT);
    expect(m.off).toBe(2);
    expect(m.len).toBe(1500);
    expect(bytesOf(m)).toEqual(src.subarray(100, 1600));
    p.freem(m);
    p.assertQuiescent();
  });

  it('chains clusters and a small mbuf for a jumbo frame', () => {
    const p = pool(8, 4);
    const src = seq(2 * 2048 + 100, 9);
    const m = sane(p.devget(src, 0, src.length, ifp)!);
    expect(lensOf(m)).toEqual([2048, 2048, 100]);
    expect(bytesOf(m)).toEqual(src);
    expect(p.stats.clusters.inUse).toBe(2);
    p.freem(m);
    p.assertQuiescent();
  });

  it('an empty frame is an empty packet', () => {
    const p = pool();
    const m = sane(p.devget(new Uint8Array(0), 0, 0, null)!);
    expect(m.pkthdr.len).toBe(0);
    p.freem(m);
  });

  it('without clusters, a big frame is a chain of small mbufs', () => {
    const p = pool(8, 0, { msize: 128, mclbytes: 128 });
    const src = seq(300);
    const m = sane(p.devget(src, 0, 300, null)!);
    expect(lensOf(m)).toEqual([128, 128, 44]);
    p.freem(m);
    p.assertQuiescent();
  });

  it.each([
    ['first mbuf', 0, 4],
    ['first cluster', 4, 0],
    ['second mbuf', 1, 4],
    ['second cluster', 4, 1],
    ['last small mbuf', 2, 4],
  ])('exhaustion at the %s frees what it took and returns null', (_label, mbufs, clusters) => {
    const p = new MbufPool({ name: 'tiny', mbufs: Math.max(mbufs, 1), clusters });
    const hold: Mbuf[] = [];
    // Leave exactly `mbufs` mbufs and `clusters` clusters free.
    const total = Math.max(mbufs, 1);
    for (let i = 0; i < total - mbufs; i++) hold.push(p.get()!);
    const src = seq(2 * 2048 + 10);
    const before = p.snapshot();
    expect(p.devget(src, 0, src.length, null)).toBeNull();
    const after = p.snapshot();
    expect(after.mbufs.inUse).toBe(before.mbufs.inUse);
    expect(after.clusters.inUse).toBe(before.clusters.inUse);
    expect(after.mbufs.failures + after.clusters.failures).toBe(1);
    for (const m of hold) p.free(m);
    p.assertQuiescent();
  });

  it('a source range outside the array is a caller bug', () => {
    const p = pool();
    expect(() => p.devget(new Uint8Array(10), 5, 6, null)).toThrow(RangeError);
    expect(() => p.devget(new Uint8Array(10), -1, 2, null)).toThrow(RangeError);
    expect(() => p.devget(new Uint8Array(10), 0, 2, null, 4096)).toThrow(RangeError);
    p.assertQuiescent();
  });
});

describe('DMA mapping', () => {
  it('maps the arena once and gives every mbuf and cluster its bus address', () => {
    const dma = new DmaSpace();
    const p = pool(4, 2, { dma });
    expect(p.busBase).toBeGreaterThan(0);
    expect(dma.segmentName(p.busBase)).toBe('mbuf pool test');
    const m = p.gethdr()!;
    expect(m.busAddr).toBe(p.busBase + m.buf.byteOffset);
    expect(p.clget(m)).toBe(true);
    expect(m.busAddr).toBe(p.busBase + m.buf.byteOffset);
    // A device writing at busAddr + off lands in the mbuf's data.
    m.off = 2;
    dma.write32(m.busAddr + m.off, 0x04030201);
    expect([...m.buf.subarray(2, 6)]).toEqual([1, 2, 3, 4]);
    p.free(m);
    expect(m.busAddr).toBe(p.busBase + m.buf.byteOffset);
    const plain = pool();
    const n = plain.get()!;
    expect(n.busAddr).toBe(0);
    plain.free(n);
  });
});

describe('accounting', () => {
  it('snapshot is plain JSON and matches stats', () => {
    const p = pool();
    const m = p.getcl()!;
    const s = p.snapshot();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s).toMatchObject({ name: 'test', msize: 256, mclbytes: 2048, guardViolations: 0 });
    expect(s.mbufs).toEqual({
      size: 8,
      inUse: 1,
      free: 7,
      highWater: 1,
      failures: 0,
      allocations: 1,
      frees: 0,
      reserve: 0,
      reserveRefusals: 0,
      reserveAllocations: 0,
    });
    expect(p.checkAccounting()).toEqual({ ok: true, detail: 'ok' });
    expect(() => p.assertQuiescent()).toThrow(
      /in use: 1 mbufs, 1 clusters; first: #\d+\(len=0 flags=0x3 pkthdr.len=0\)/,
    );
    p.free(m);
    p.assertQuiescent();
  });

  it('checkAccounting catches counters that disagree with the pool', () => {
    const p = pool();
    (p.stats.mbufs as { inUse: number }).inUse = 1;
    const r = p.checkAccounting();
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/mbufs: allocations 0 !== frees 0 \+ inUse 1/);
    expect(r.detail).toMatch(/counter says 1/);
    expect(() => p.assertQuiescent()).toThrow(MbufError);
  });

  it('m_sanity reports a broken invariant', () => {
    const p = pool();
    const m = p.devget(seq(10), 0, 10, null)!;
    m.pkthdr.len = 11;
    expect(m_sanity(m)).toMatch(/pkthdr.len 11 !== sum of m_len 10/);
    m.pkthdr.len = 10;
    m.len = 300;
    expect(m_sanity(m)).toMatch(/capacity/);
    m.len = 10;
    const n = p.gethdr()!;
    m.next = n;
    expect(m_sanity(m)).toMatch(/M_PKTHDR but is not first/);
    n.flags = 0;
    n.next = n; // a cycle
    expect(m_sanity(m)).toMatch(/cycle/);
    n.next = null;
    expect(m_sanity(m)).toBeNull();
    p.freem(m);
    expect(m_sanity(m)).toMatch(/free list/);
  });
});
