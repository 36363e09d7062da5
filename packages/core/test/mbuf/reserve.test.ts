/**
 * The pool reserve (issue 8): buffers held elsewhere (sockets, ARP hold queues, reassembly) cannot starve
 * a driver's receive-ring refill, because ordinary allocations leave the reserve alone and only
 * `ALLOC_RESERVE` allocations (ring refill) may take it.
 */
import { describe, expect, it } from 'vitest';
import { ALLOC_RESERVE, type Mbuf, MbufPool, Simulation, createPlatform } from '../../src/index.js';

describe('pool reserve for receive-ring refill', () => {
  it('a holder that takes every buffer it can leaves the reserve to ring refill', () => {
    const pool = new MbufPool({ name: 'p', mbufs: 64, clusters: 32, reserve: { mbufs: 8, clusters: 8 } });
    const held: Mbuf[] = [];
    // A socket nobody reads: grabs clusters until the pool refuses.
    for (;;) {
      const m = pool.getcl();
      if (m === null) break;
      held.push(m);
    }
    expect(held).toHaveLength(24);
    expect(pool.pressure).toBe(true);
    expect(pool.stats.clusters.reserveRefusals).toBe(1);
    expect(pool.stats.clusters.failures).toBe(1);
    // Every ordinary allocation path refuses now...
    expect(pool.devget(new Uint8Array(1500), 0, 1500, null)).toBeNull();
    const small = pool.gethdr()!;
    expect(pool.clget(small)).toBe(false);
    // ...while the ring still refills from the reserve.
    const ring: Mbuf[] = [];
    for (let i = 0; i < 8; i++) ring.push(pool.getcl(ALLOC_RESERVE)!);
    expect(ring.every((m) => m !== null && m.capacity === 2048)).toBe(true);
    expect(pool.getcl(ALLOC_RESERVE)).toBeNull(); // the reserve is bounded too
    expect(pool.stats.clusters.reserveAllocations).toBe(8);
    for (const m of [...held, ...ring, small]) pool.freem(m);
    expect(pool.pressure).toBe(false);
    pool.assertQuiescent();
  });

  it('mbuf reserve works the same way (PIO drivers pre-allocating small mbufs)', () => {
    const pool = new MbufPool({ name: 'p', mbufs: 10, clusters: 0, reserve: { mbufs: 2 } });
    const held: Mbuf[] = [];
    for (let m = pool.get(); m !== null; m = pool.get()) held.push(m);
    expect(held).toHaveLength(8);
    const a = pool.gethdr(ALLOC_RESERVE);
    const b = pool.devget(new Uint8Array(10), 0, 10, null, 0, ALLOC_RESERVE);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(pool.stats.mbufs.reserveAllocations).toBe(2);
    for (const m of [...held, a!, b!]) pool.freem(m);
    pool.assertQuiescent();
  });

  it('validates the reserve and hosts default to 1/8 of the clusters and 1/16 of the mbufs', () => {
    expect(() => new MbufPool({ name: 'p', mbufs: 4, clusters: 4, reserve: { clusters: 5 } })).toThrow(RangeError);
    expect(() => new MbufPool({ name: 'p', mbufs: 4, clusters: 4, reserve: { mbufs: 0.5 } })).toThrow(RangeError);
    const host = createPlatform().createHost({ name: 'h', runner: new Simulation() });
    expect(host.pool.stats.clusters.reserve).toBe(256);
    expect(host.pool.stats.mbufs.reserve).toBe(256);
    const custom = createPlatform().createHost({
      name: 'c',
      runner: new Simulation(),
      mbufs: { clusters: 100, reserve: { clusters: 30 } },
    });
    expect(custom.pool.stats.clusters.reserve).toBe(30);
  });
});
