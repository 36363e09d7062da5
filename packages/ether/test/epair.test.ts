import { type Host, type Ifnet, M_BCAST, type Mbuf } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { createEpair, EPAIR_QUEUE_LENGTH, epairSoftc, formatMac, parseMac } from '../src/index.js';
import { ETHERTYPE_TEST, expectQuiescent, hex, packet, sink, world } from './helpers.js';

function payload(host: Host, bytes: number[] | Uint8Array): Mbuf {
  const b = Uint8Array.from(bytes);
  return host.pool.devget(b, 0, b.length, null, 16)!;
}

function send(ifp: Ifnet, to: Ifnet, bytes: number[]): boolean {
  return ifp.output(payload(ifp.host, bytes), ETHERTYPE_TEST, to.lladdr);
}

describe('epair', () => {
  it('names ends per host, gives them distinct locally administered MACs, link up, interfaces up', () => {
    const { hosts } = world(2);
    const [h1, h2] = hosts;
    const p0 = createEpair(h1, h2);
    const p1 = createEpair(h1, h2);
    const p2 = createEpair(h2, h2);
    expect([p0.a.name, p0.b.name, p1.a.name, p1.b.name, p2.a.name, p2.b.name]).toEqual([
      'epair0a',
      'epair0b',
      'epair1a',
      'epair1b',
      'epair2a',
      'epair2b',
    ]);
    expect([p0.a.unit, p2.b.unit]).toEqual([0, 2]);
    expect(h1.ifunit('epair1a')).toBe(p1.a);
    const macs = [p0.a, p0.b, p1.a, p1.b, p2.a, p2.b].map((i) => formatMac(i.lladdr));
    expect(new Set(macs).size).toBe(6);
    for (const mac of macs) expect(mac).toMatch(/^02:00:[0-9a-f]{2}:[0-9a-f]{2}:0[0-2]:0[ab]$/);
    for (const i of [p0.a, p0.b]) {
      expect(i.linkState).toBe('up');
      expect(i.up && i.running).toBe(true);
      expect(i.pollContexts.map((c) => c.name)).toEqual([`${i.name}.rx`]);
    }
    const p3 = createEpair(h1, h2, { macA: parseMac('02:aa:00:00:00:01'), up: false });
    expect(formatMac(p3.a.lladdr)).toBe('02:aa:00:00:00:01');
    expect(p3.a.up).toBe(false);
    expect(() => createEpair(h1, h2, { macB: new Uint8Array(5) })).toThrow(RangeError);
  });

  it('delivers both ways between two hosts through the receiver poll continuation, copying into its pool', () => {
    const { sim, hosts } = world(2);
    const [h1, h2] = hosts;
    const got1 = sink(h1, ETHERTYPE_TEST);
    const got2 = sink(h2, ETHERTYPE_TEST);
    const { a, b } = createEpair(h1, h2);

    expect(send(a, b, [1, 2, 3])).toBe(true);
    expect(send(b, a, [4, 5])).toBe(true);
    // Nothing is delivered from inside output: it waits for the peer's continuation.
    expect(got2).toHaveLength(0);
    expect(got1).toHaveLength(0);
    // The sender's mbufs went back to the sender's pool at once; the copies live in the receiver's pool.
    expect(h1.pool.stats.mbufs.inUse).toBe(1);
    expect(h2.pool.stats.mbufs.inUse).toBe(1);
    expect(sim.runUntilIdle()).toBe(true);

    expect(got2.map((d) => [d.ifname, hex(d.bytes), d.unit])).toEqual([['epair0b', '01 02 03', 'epair0b.rx']]);
    expect(got1.map((d) => [d.ifname, hex(d.bytes), d.unit])).toEqual([['epair0a', '04 05', 'epair0a.rx']]);
    expect(a.counters).toMatchObject({ opackets: 1, obytes: 17, ipackets: 1, ibytes: 16, polls: 1 });
    expect(b.counters).toMatchObject({ opackets: 1, obytes: 16, ipackets: 1, ibytes: 17, polls: 1 });
    expect(epairSoftc(b)!.stats).toMatchObject({ enqueued: 1, copied: 1, queueHighWater: 1 });
    expectQuiescent(h1, h2);
  });

  it('works with both ends on one host, passing the mbuf itself', () => {
    const { sim, hosts } = world(1);
    const h = hosts[0];
    const got = sink(h, ETHERTYPE_TEST);
    const { a, b } = createEpair(h, h);
    expect([a.name, b.name]).toEqual(['epair0a', 'epair0b']);
    send(a, b, [0xaa]);
    send(b, a, [0xbb]);
    send(a, b, [0xcc]);
    sim.runUntilIdle();
    expect(got.map((d) => `${d.ifname}:${hex(d.bytes)}:${d.unit}`)).toEqual([
      'epair0b:aa:epair0b.rx',
      'epair0b:cc:epair0b.rx',
      'epair0a:bb:epair0a.rx',
    ]);
    expect(epairSoftc(b)!.stats.copied).toBe(0);
    expect(b.counters.polls).toBe(1); // both frames in one poll
    expectQuiescent(h);
  });

  it('scrubs the sender-side packet flags on the same host (the broadcast flag comes from the frame)', () => {
    const { sim, hosts } = world(1);
    const h = hosts[0];
    const got = sink(h, ETHERTYPE_TEST);
    const { a } = createEpair(h, h);
    a.output(payload(h, [1]), ETHERTYPE_TEST, parseMac('ff:ff:ff:ff:ff:ff'));
    sim.runUntilIdle();
    expect(got[0].flags & M_BCAST).toBe(M_BCAST);
    expect(a.counters.omcasts).toBe(1);
    expectQuiescent(h);
  });

  it('copies a multi-mbuf packet across hosts intact', () => {
    const { sim, hosts } = world(2);
    const [h1, h2] = hosts;
    const got = sink(h2, ETHERTYPE_TEST);
    const { a, b } = createEpair(h1, h2);
    const bytes = Uint8Array.from({ length: 700 }, (_, i) => i & 0xff);
    const m = packet(h1.pool, bytes, 100)!;
    expect(m.next).not.toBeNull();
    a.output(m, ETHERTYPE_TEST, b.lladdr);
    sim.runUntilIdle();
    expect(got).toHaveLength(1);
    expect(got[0].bytes).toEqual(bytes);
    expectQuiescent(h1, h2);
  });

  it('bounds the receive queue: overflow is a drop counted on the receiver', () => {
    const { sim, hosts } = world(2);
    const [h1, h2] = hosts;
    const got = sink(h2, ETHERTYPE_TEST);
    const { a, b } = createEpair(h1, h2, { queueLength: 4 });
    for (let i = 0; i < 10; i++) send(a, b, [i]);
    expect(b.counters.iqdrops).toBe(6);
    expect(b.counters.drops).toEqual({ 'epair.rxq-full': 6 });
    expect(a.counters.opackets).toBe(10);
    sim.runUntilIdle();
    expect(got.map((d) => d.bytes[0])).toEqual([0, 1, 2, 3]);
    expect(b.counters.ipackets).toBe(4);
    expect(EPAIR_QUEUE_LENGTH).toBe(256);
    expectQuiescent(h1, h2);
  });

  it('polls with its budget: more than a weight of frames takes several polls', () => {
    const { sim, hosts } = world(2);
    const [h1, h2] = hosts;
    const got = sink(h2, ETHERTYPE_TEST);
    const { a, b } = createEpair(h1, h2, { weight: 4 });
    for (let i = 0; i < 10; i++) send(a, b, [i]);
    sim.runUntilIdle();
    expect(got).toHaveLength(10);
    expect(b.counters.polls).toBe(3);
    expect(b.counters.pollAgain).toBe(2);
    expectQuiescent(h1, h2);
  });

  it('counts frames for a peer that is down on the sender, and purges a queue when its end goes down', async () => {
    const { sim, hosts } = world(2);
    const [h1, h2] = hosts;
    const got = sink(h2, ETHERTYPE_TEST);
    const { a, b } = createEpair(h1, h2);
    send(a, b, [1]);
    send(a, b, [2]);
    await b.down();
    expect(b.counters.drops).toEqual({ 'epair.rxq-purged': 2 });
    expect(b.counters.iqdrops).toBe(2);
    send(a, b, [3]);
    expect(a.counters.drops).toEqual({ 'epair.peer-down': 1 });
    expect(a.counters.oerrors).toBe(1);
    expect(a.counters.opackets).toBe(2);
    b.upIf();
    send(a, b, [4]);
    sim.runUntilIdle();
    expect(got.map((d) => d.bytes[0])).toEqual([4]);
    expectQuiescent(h1, h2);
  });

  it('counts a receiver pool with no mbuf left as epair.nobufs', () => {
    const { sim, hosts } = world(2);
    const [h1, h2] = hosts;
    sink(h2, ETHERTYPE_TEST);
    const { a, b } = createEpair(h1, h2);
    const hog: Mbuf[] = [];
    for (let m = h2.pool.get(); m !== null; m = h2.pool.get()) hog.push(m);
    send(a, b, [1]);
    expect(b.counters.drops).toEqual({ 'epair.nobufs': 1 });
    for (const m of hog) h2.pool.freem(m);
    sim.runUntilIdle();
    expectQuiescent(h1, h2);
  });
});
