/**
 * M_SANITY-like argument checks (issue 8): every numeric argument of the mbuf API is validated (NaN,
 * fractions, negatives, out of range → RangeError naming the function and the argument), operations on a
 * freed mbuf and chain cycles are detected with MbufError, and mbufs of another host's pool are refused at
 * the interface boundary.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COST_PROFILE,
  IFT_LOOP,
  LAYER_DRIVER_RX,
  type Mbuf,
  MbufError,
  MbufPool,
  MbufQueue,
  Simulation,
  ZERO_COST_PROFILE,
  assertOwnMbuf,
  createPlatform,
  hostOwnsChain,
  m_adj,
  m_cat,
  m_copyback,
  m_copydata,
  m_getByte,
  m_getUint16,
  m_getUint32,
  m_prepend,
  m_pullup,
  m_split,
  ownsMbuf,
} from '../../src/index.js';
import { chain, seq } from './helpers.js';

const BAD = [Number.NaN, 1.5, -1, Number.POSITIVE_INFINITY, -0.5];

function pool(): MbufPool {
  return new MbufPool({ name: 'p', mbufs: 32, clusters: 8 });
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MbufError ? e.code : (e as Error).name;
  }
  return undefined;
}

describe('numeric arguments', () => {
  const cases: [string, (m: Mbuf, v: number) => unknown][] = [
    ['m_adj', (m, v) => m_adj(m, v)],
    ['m_prepend', (m, v) => m_prepend(m, v)],
    ['m_pullup', (m, v) => m_pullup(m, v)],
    ['m_split', (m, v) => m_split(m, v)],
    ['m_copydata off', (m, v) => m_copydata(m, v, 1, new Uint8Array(4), 0)],
    ['m_copydata len', (m, v) => m_copydata(m, 0, v, new Uint8Array(4), 0)],
    ['m_copydata dstOff', (m, v) => m_copydata(m, 0, 1, new Uint8Array(4), v)],
    ['m_copyback off', (m, v) => m_copyback(m, v, 1, new Uint8Array(4), 0)],
    ['m_copyback len', (m, v) => m_copyback(m, 0, v, new Uint8Array(4), 0)],
    ['m_copyback srcOff', (m, v) => m_copyback(m, 0, 1, new Uint8Array(4), v)],
    ['m_getByte', (m, v) => m_getByte(m, v)],
    ['m_getUint16', (m, v) => m_getUint16(m, v)],
    ['m_getUint32', (m, v) => m_getUint32(m, v)],
    ['m_devget off', (m, v) => m.pool.devget(new Uint8Array(8), v, 1, null)],
    ['m_devget len', (m, v) => m.pool.devget(new Uint8Array(8), 0, v, null)],
    ['m_devget leading', (m, v) => m.pool.devget(new Uint8Array(8), 0, 1, null, v)],
  ];
  for (const [name, op] of cases) {
    it(`${name}: NaN, fractions, negatives and Infinity throw RangeError, the chain is untouched`, () => {
      const p = pool();
      const m = chain(p, seq(40), [20, 20], 8);
      for (const v of BAD) {
        // m_adj takes negative integers (tail trim); -1 is valid there.
        if (name === 'm_adj' && v === -1) continue;
        expect(
          code(() => op(m, v)),
          `${name}(${v})`,
        ).toBe('RangeError');
      }
      expect(m.pkthdr.len).toBe(40);
      expect(m.next?.len).toBe(20);
      p.freem(m);
      p.assertQuiescent();
    });
  }

  it('m_adj(NaN) and m_adj(1.5) used to corrupt the packet: now the message names the argument', () => {
    const p = pool();
    const m = chain(p, seq(10), [10]);
    expect(() => m_adj(m, Number.NaN)).toThrow(/m_adj: byte count must be an integer.*NaN/);
    expect(() => m_adj(m, 1.5)).toThrow(/got 1.5/);
    expect(m.off).toBe(0);
    expect(m.len).toBe(10);
    p.freem(m);
  });
});

describe('operations on a freed mbuf (use after free)', () => {
  const ops: [string, (m: Mbuf, spare: Mbuf) => unknown][] = [
    ['m_prepend', (m) => m_prepend(m, 4)],
    ['m_copyback', (m) => m_copyback(m, 0, 2, new Uint8Array(2), 0)],
    ['m_cat (m)', (m, spare) => m_cat(m, spare)],
    ['m_split', (m) => m_split(m, 1)],
    ['m_adj', (m) => m_adj(m, 1)],
    ['m_pullup', (m) => m_pullup(m, 1)],
    ['m_copydata', (m) => m_copydata(m, 0, 1, new Uint8Array(1), 0)],
    ['IF_ENQUEUE', (m) => new MbufQueue(4).enqueue(m)],
  ];
  for (const [name, op] of ops) {
    it(`${name} throws MbufError use-after-free`, () => {
      const p = pool();
      const m = chain(p, seq(10), [10], 8);
      const spare = p.gethdr()!;
      p.free(m);
      expect(code(() => op(m, spare))).toBe('use-after-free');
      // The failed call took nothing from the pool and changed nothing.
      expect(p.stats.mbufs.inUse).toBe(1);
      expect(spare.isFree).toBe(false);
      p.free(spare);
      p.assertQuiescent();
    });
  }

  it('m_cat with a freed mbuf inside the appended chain is refused before anything is linked', () => {
    const p = pool();
    const m = chain(p, seq(10), [10]);
    const n = chain(p, seq(20), [10, 10]);
    const tail = n.next!;
    n.next = null;
    p.free(tail);
    n.next = tail; // a stale link left behind by buggy code
    expect(code(() => m_cat(m, n))).toBe('use-after-free');
    expect(m.next).toBeNull();
    expect(m.pkthdr.len).toBe(10);
  });
});

describe('chain cycles', () => {
  it('m_cat(m, m) throws MbufError cycle and leaves the chain as it was', () => {
    const p = pool();
    const m = chain(p, seq(30), [10, 20]);
    expect(code(() => m_cat(m, m))).toBe('cycle');
    expect(() => m_cat(m, m)).toThrow(/would make a cycle/);
    expect(m.pkthdr.len).toBe(30);
    expect(m.next?.next).toBeNull();
    p.freem(m);
    p.assertQuiescent();
  });

  it('m_cat(m, m.next) and m_cat(m.next, m) are cycles too', () => {
    const p = pool();
    const m = chain(p, seq(30), [10, 20]);
    expect(code(() => m_cat(m, m.next))).toBe('cycle');
    expect(code(() => m_cat(m.next!, m))).toBe('cycle');
    p.freem(m);
    p.assertQuiescent();
  });

  it('a chain that already loops is reported instead of spinning', () => {
    const p = pool();
    const m = chain(p, seq(10), [10]);
    const n = chain(p, seq(20), [10, 10]);
    n.next!.next = n; // corrupted by hand
    expect(code(() => m_cat(m, n))).toBe('cycle');
  });
});

describe('foreign mbufs at the interface boundary', () => {
  function twoHosts() {
    const sim = new Simulation();
    const platform = createPlatform();
    const a = platform.createHost({ name: 'a', runner: sim, costs: ZERO_COST_PROFILE });
    const b = platform.createHost({ name: 'b', runner: sim, costs: ZERO_COST_PROFILE });
    return { sim, a, b };
  }

  it('ownsMbuf / assertOwnMbuf: own pool and pools mapped into the host DMA space belong, others do not', () => {
    const { a, b } = twoHosts();
    const mine = a.pool.gethdr()!;
    const theirs = b.pool.gethdr()!;
    const driverPool = new MbufPool({ name: 'a.rx', mbufs: 4, clusters: 4, dma: a.dma });
    const rx = driverPool.gethdr()!;
    expect(ownsMbuf(a, mine)).toBe(true);
    expect(ownsMbuf(a, rx)).toBe(true);
    expect(ownsMbuf(a, theirs)).toBe(false);
    expect(ownsMbuf(a.pool, rx)).toBe(false);
    expect(() => assertOwnMbuf(a, theirs, 'relay')).toThrow(
      /relay: mbuf #\d+ comes from pool 'b.mbuf', not from host 'a'/,
    );
    mine.next = theirs; // a mixed chain: the second mbuf would be DMAed from the wrong memory
    expect(code(() => assertOwnMbuf(a, mine, 'x'))).toBe('foreign');
    mine.next = null;
    a.pool.free(mine);
    b.pool.free(theirs);
    driverPool.free(rx);
  });

  it('hostOwnsChain: the cached pool of the last owned chain still refuses a free, foreign or mixed chain', () => {
    const { a, b } = twoHosts();
    const driverPool = new MbufPool({ name: 'a.rx', mbufs: 4, clusters: 4, dma: a.dma });
    const rx = driverPool.gethdr()!;
    const theirs = b.pool.gethdr()!;
    expect(a.ownedPool).toBe(null);
    expect(hostOwnsChain(a, rx)).toBe(true);
    expect(a.ownedPool).toBe(driverPool); // the next packet of this pool: one compare
    expect(hostOwnsChain(a, rx)).toBe(true);
    expect(hostOwnsChain(a, theirs)).toBe(false);
    rx.next = theirs;
    expect(hostOwnsChain(a, rx)).toBe(false);
    rx.next = null;
    const spare = driverPool.gethdr()!;
    driverPool.free(spare);
    expect(hostOwnsChain(a, spare)).toBe(false); // free, of the cached pool
    const mine = a.pool.gethdr()!;
    mine.next = rx; // two pools of this host in one chain
    expect(hostOwnsChain(a, mine)).toBe(true);
    expect(hostOwnsChain({ name: 'a', pool: a.pool, dma: a.dma }, mine)).toBe(true); // an owner without a cache
    mine.next = null;
    a.pool.free(mine);
    b.pool.free(theirs);
    driverPool.free(rx);
  });

  it('if_output, if_transmit and if_input refuse an mbuf of another host: the caller keeps it, nothing is freed into the wrong pool', () => {
    const { sim, a, b } = twoHosts();
    const lo = a.lo0!;
    const m = b.pool.devget(new Uint8Array(20), 0, 20, null)!;
    expect(code(() => lo.output(m, 0x88b5, null))).toBe('foreign');
    expect(code(() => lo.transmit(m))).toBe('foreign');
    expect(code(() => lo.input(m))).toBe('foreign');
    // Also after if_input has seen (and remembered) a pool of its own host.
    lo.input(a.pool.devget(new Uint8Array(20), 0, 20, null)!);
    expect(code(() => lo.input(m))).toBe('foreign');
    expect(lo.sendQueue.length).toBe(0);
    sim.runFor(1_000_000);
    expect(b.pool.stats.mbufs.inUse).toBe(1);
    b.pool.freem(m);
    b.pool.assertQuiescent();
    a.pool.assertQuiescent();
  });

  it('if_input drops (counted input.badlen) a packet whose length does not fit its buffer', () => {
    const { sim, a } = twoHosts();
    const lo = a.lo0!;
    expect(lo.ifType).toBe(IFT_LOOP);
    const m = a.pool.getcl()!;
    m.len = 9000; // a driver that trusted the device's length: beyond the 2 KiB cluster
    m.pkthdr.len = 9000;
    lo.input(m);
    expect(lo.counters.drops['input.badlen']).toBe(1);
    const n = a.pool.devget(new Uint8Array(20), 0, 20, null)!;
    n.pkthdr.len = 21; // disagrees with the chain
    lo.input(n);
    expect(lo.counters.drops['input.badlen']).toBe(2);
    sim.runFor(1_000_000);
    a.pool.assertQuiescent();
  });

  it('if_input refuses a free mbuf (use-after-free), also of the pool it last saw', () => {
    const { a } = twoHosts();
    const lo = a.lo0!;
    lo.input(a.pool.devget(new Uint8Array(20), 0, 20, null)!); // a.pool is now the remembered one
    const m = a.pool.devget(new Uint8Array(20), 0, 20, null)!;
    a.pool.freem(m);
    expect(code(() => lo.input(m))).toBe('use-after-free');
    expect(code(() => lo.inputCharging(m, LAYER_DRIVER_RX))).toBe('use-after-free');
  });

  it('inputCharging(m, layer) is chargeLayerId(layer) then input(m): the same tallies and clock, to the bit', () => {
    // Fractional costs whose sums round differently by association: (t + driver) + ifInput both ways.
    const costs = {
      ...DEFAULT_COST_PROFILE,
      layer: { ...DEFAULT_COST_PROFILE.layer, driverRx: 0.1, ifInput: 0.7 },
    };
    const hosts = [0, 1].map((i) => {
      const sim = new Simulation();
      const host = createPlatform().createHost({ name: `h${i}`, runner: sim, costs });
      return { sim, host };
    });
    for (let k = 0; k < 200; k++) {
      const [one, two] = hosts.map(({ host }) => host);
      one.lo0!.inputCharging(one.pool.devget(new Uint8Array(20), 0, 20, null)!, LAYER_DRIVER_RX);
      two.cpu.chargeLayerId(LAYER_DRIVER_RX);
      two.lo0!.input(two.pool.devget(new Uint8Array(20), 0, 20, null)!);
      // A bad length too: charged the same, dropped the same.
      const bad = [one, two].map((h) => {
        const m = h.pool.devget(new Uint8Array(20), 0, 20, null)!;
        m.pkthdr.len = 21;
        return m;
      });
      one.lo0!.inputCharging(bad[0], LAYER_DRIVER_RX);
      two.cpu.chargeLayerId(LAYER_DRIVER_RX);
      two.lo0!.input(bad[1]);
    }
    const [one, two] = hosts.map(({ host }) => host);
    expect(Object.is(one.cpu.now(), two.cpu.now())).toBe(true);
    expect(Array.from(one.cpu.stats.chargedSoft)).toEqual(Array.from(two.cpu.stats.chargedSoft));
    expect(one.cpu.stats.chargedInterrupt).toBe(two.cpu.stats.chargedInterrupt);
    expect(one.lo0!.counters.drops['input.badlen']).toBe(200);
    expect(two.lo0!.counters.drops['input.badlen']).toBe(200);
    expect(one.lo0!.counters.ipackets).toBe(two.lo0!.counters.ipackets);
    for (const { sim, host } of hosts) {
      sim.runFor(1_000_000);
      host.pool.assertQuiescent();
    }
  });
});
