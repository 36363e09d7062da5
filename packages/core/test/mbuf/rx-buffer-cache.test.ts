import { describe, expect, it } from 'vitest';
import { DMA_SEGMENT_SPAN, DmaSpace, M_EXT, M_PKTHDR, MbufError, MbufPool, RxBufferCache } from '../../src/index.js';
import { allocationFree, heapCost } from '../helpers/heap.js';

function setup(capacity = 4) {
  const pool = new MbufPool({ name: 'rx', mbufs: 32, clusters: 16, dma: new DmaSpace() });
  const cache = new RxBufferCache(pool, { name: 'q0', capacity, leading: 2 });
  return { pool, cache };
}

describe('RxBufferCache (page_pool)', () => {
  it('a freed receive buffer comes back to its queue with its cluster and descriptor words', () => {
    const { pool, cache } = setup();
    const m = cache.get()!;
    expect(m.flags & (M_PKTHDR | M_EXT)).toBe(M_PKTHDR | M_EXT);
    expect(m.off).toBe(2);
    expect(cache.addrHi(m) * DMA_SEGMENT_SPAN + cache.addrLo(m)).toBe(m.busAddr + m.off);
    const lo = cache.addrLo(m);
    m.len = 100;
    m.pkthdr.len = 100;
    m.buf[2] = 0xaa;
    pool.freem(m);
    expect(cache.stats).toMatchObject({ allocated: 1, recycled: 1, cached: 1 });
    // Still allocated from the pool's point of view: accounting stays exact.
    expect(pool.stats.clusters.inUse).toBe(1);
    expect(pool.checkAccounting().ok).toBe(true);
    const again = cache.get()!;
    expect(again).toBe(m);
    expect([again.off, again.len, again.pkthdr.len, again.flags]).toEqual([2, 0, 0, M_PKTHDR | M_EXT]);
    expect(cache.addrLo(again)).toBe(lo);
    expect(cache.stats).toMatchObject({ reused: 1, cached: 0 });
    pool.freem(again);
    cache.drain();
    pool.assertQuiescent();
  });

  it('a recycled header is fresh but for rcvif, which keeps the interface (cleared when it goes to the pool)', () => {
    const { pool, cache } = setup(1);
    const m = cache.get()!;
    expect(m.pkthdr.rcvif).toBeNull();
    const ifp = {} as NonNullable<typeof m.pkthdr.rcvif>;
    const h = m.pkthdr;
    h.rcvif = ifp;
    Object.assign(h, { len: 60, flowHash: 7, flowHashType: 1, rxQueue: 2, csumFlags: 3, vlanTag: 4, timestamp: 5 });
    pool.freem(m);
    const again = cache.get()!;
    expect(again).toBe(m);
    expect({ ...again.pkthdr }).toEqual({
      len: 0,
      rcvif: ifp,
      flowHash: 0,
      flowHashType: 0,
      rxQueue: -1,
      csumFlags: 0,
      vlanTag: 0,
      timestamp: 0,
    });
    // The cache is full while `again` is out; a second buffer overflows to the pool, which clears rcvif.
    const other = cache.get()!;
    pool.freem(again);
    other.pkthdr.rcvif = ifp;
    pool.freem(other);
    expect(cache.stats).toMatchObject({ overflow: 1, cached: 1 });
    expect(other.pkthdr.rcvif).toBeNull();
    // Drained buffers go to the pool: rcvif cleared there too.
    cache.drain();
    expect(again.pkthdr.rcvif).toBeNull();
    pool.assertQuiescent();
  });

  it('recycles every mbuf of a freed chain, up to its capacity; the rest goes to the pool', () => {
    const { pool, cache } = setup(2);
    const a = cache.get()!;
    const b = cache.get()!;
    const c = cache.get()!;
    a.next = b;
    b.next = c;
    pool.freem(a);
    expect(cache.stats).toMatchObject({ recycled: 2, overflow: 1, cached: 2 });
    // Cached buffers are unlinked from the packet they were part of.
    expect([a.next, b.next, c.next]).toEqual([null, null, null]);
    expect(pool.stats.clusters.inUse).toBe(2);
    expect(pool.checkAccounting().ok).toBe(true);
    cache.drain();
    pool.assertQuiescent();
  });

  it('a second free of a recycled buffer is a double free', () => {
    const { pool, cache } = setup();
    const m = cache.get()!;
    pool.free(m);
    expect(m.cached).toBe(true);
    expect(() => pool.free(m)).toThrow(MbufError);
    expect(() => pool.free(m)).toThrow(/already recycled/);
    expect(cache.stats).toMatchObject({ recycled: 1, cached: 1, overflow: 0 });
    cache.drain();
    pool.assertQuiescent();
  });

  it('after drain, buffers still out go back to the pool; reopen recycles again', () => {
    const { pool, cache } = setup();
    const out = cache.get()!;
    const kept = cache.get()!;
    pool.free(kept);
    cache.drain();
    expect(cache.stats.cached).toBe(0);
    pool.free(out);
    pool.assertQuiescent();
    cache.reopen();
    const m = cache.get()!;
    pool.free(m);
    expect(cache.stats.cached).toBe(1);
    cache.drain();
    pool.assertQuiescent();
  });

  it('stats: reused counts buffers handed out again, not those drained (worked out when read)', () => {
    const { pool, cache } = setup(4);
    const [a, b, c] = [cache.get()!, cache.get()!, cache.get()!];
    pool.free(a);
    pool.free(b);
    pool.free(c);
    expect(cache.stats).toEqual({ reused: 0, allocated: 3, recycled: 3, overflow: 0, failures: 0, cached: 3 });
    const again = cache.get()!;
    expect(again).toBe(c);
    expect(again.cached).toBe(false);
    expect(cache.stats).toMatchObject({ reused: 1, recycled: 3, cached: 2 });
    cache.drain();
    // Two drained: still recycled 3, reused 1; none cached, and their marks cleared.
    expect(cache.stats).toMatchObject({ reused: 1, recycled: 3, cached: 0 });
    expect([a.isFree, b.isFree, a.cached, b.cached]).toEqual([true, true, false, false]);
    pool.free(again);
    expect(cache.stats).toMatchObject({ reused: 1, recycled: 3, overflow: 1, cached: 0 });
    pool.assertQuiescent();
    // A snapshot: reading it twice gives two objects, and writing one changes nothing.
    const s = cache.stats;
    s.reused = 99;
    expect(cache.stats.reused).toBe(1);
  });

  it('counts a failure when both the cache and the pool are empty', () => {
    const pool = new MbufPool({ name: 'tiny', mbufs: 4, clusters: 1, dma: new DmaSpace() });
    const cache = new RxBufferCache(pool, { name: 'q', capacity: 4 });
    const m = cache.get()!;
    expect(cache.get()).toBeNull();
    expect(cache.stats.failures).toBe(1);
    pool.free(m);
    expect(cache.get()).toBe(m);
    pool.free(m);
    cache.drain();
    pool.assertQuiescent();
  });

  it('refill, fill and free through the cache allocate nothing', async () => {
    const { pool, cache } = setup(8);
    let sink = 0;
    const cost = await heapCost((i) => {
      const m = cache.get()!;
      m.buf[m.off] = i;
      m.len = 60;
      m.pkthdr.len = 60;
      sink = (sink + cache.addrLo(m) + m.buf[m.off]) | 0;
      pool.freem(m);
    });
    console.log('rx buffer cache', cost, sink);
    expect(allocationFree(cost), JSON.stringify(cost)).toBe(true);
    expect(cache.stats.allocated).toBe(1);
    cache.drain();
    pool.assertQuiescent();
  });
});
