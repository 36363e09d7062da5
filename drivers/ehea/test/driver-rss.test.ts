import { M_HASHTYPE_NONE, M_HASHTYPE_RSS_IPV4, M_HASHTYPE_RSS_UDP_IPV4, Simulation } from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { RSS_DEFAULT_KEY, ToeplitzHasher, rssInputIpv4 } from '../src/index.js';
import { addNic, ipv4Frame, makePlatform } from './helpers.js';

const MAC = '02:00:00:00:00:01';
const hasher = new ToeplitzHasher(RSS_DEFAULT_KEY);

/** The queue a UDP flow from 10.0.0.2:sport to 10.0.0.1:9 must land on, by the definition. */
function expectedQueue(table: ArrayLike<number>, sport: number, h = hasher): number {
  const hash = h.hash(rssInputIpv4('10.0.0.2', '10.0.0.1', sport, 9), 0, 12);
  return table[hash & 127];
}

function rig(queues = 4) {
  const sim = new Simulation({ seed: 1 });
  const setup = makePlatform();
  const nic = addNic(sim, setup, 'h', MAC, queues);
  const sink = new FrameSink({ clock: sim.clock, capture: false });
  sink.attach(nic.dev);
  nic.ifp.upIf();
  const send = (sport: number, extra: Partial<Parameters<typeof ipv4Frame>[0]> = {}) =>
    sink.send(ipv4Frame({ dst: MAC, srcIp: '10.0.0.2', dstIp: '10.0.0.1', sport, dport: 9, ...extra }));
  return { sim, nic, sink, send };
}

describe('ehea: receive-side scaling through the driver', () => {
  it('one interface, one poll context per queue, each on its own interrupt line', () => {
    const { nic } = rig(4);
    expect(nic.host.interfaces.map((i) => i.name)).toEqual(['ehea0']);
    expect(nic.ifp.pollContexts.map((c) => c.name)).toEqual(['ehea0.q0', 'ehea0.q1', 'ehea0.q2', 'ehea0.q3']);
    expect(nic.ifp.pollContexts.every((c) => c.weight === 64 && c.state === 'idle')).toBe(true);
    const lines = nic.host.cpu.intr.snapshot();
    expect(Object.keys(lines).filter((k) => k.includes('pci0')).length).toBe(4);
  });

  it('spreads flows by the indirection table and reports hash, type and queue in the packet header', () => {
    const { sim, nic, send } = rig(4);
    const table = nic.sc.rssState().indirectionTable;
    for (let sport = 1000; sport < 1064; sport++) send(sport);
    sim.runUntilIdle();
    expect(nic.obs.packets).toBe(64);
    for (const s of nic.obs.seen) {
      expect(s.hashType).toBe(M_HASHTYPE_RSS_UDP_IPV4);
      expect(s.hash).toBe(hasher.hash(rssInputIpv4('10.0.0.2', '10.0.0.1', s.sport, 9), 0, 12));
      expect(s.queue).toBe(expectedQueue(table, s.sport));
    }
    // Every queue got some flows; each queue's frames were polled by its own context.
    const perQueue = nic.obs.perQueue.slice(0, 4);
    expect(perQueue.every((n) => n > 5)).toBe(true);
    nic.ifp.pollContexts.forEach((ctx, q) => {
      expect(ctx.stats.work).toBe(perQueue[q]);
      expect(nic.sc.queues[q].stats.rxPackets).toBe(perQueue[q]);
      expect(nic.dev.queues[q].stats.rxDelivered).toBe(perQueue[q]);
    });
  });

  it('non-IP frames and broadcasts go to queue 0 without a hash; fragments hash on addresses', () => {
    const { sim, nic, sink, send } = rig(4);
    // A flow whose 4-tuple steers away from queue 0.
    let sport = 1000;
    while (expectedQueue(nic.sc.rssState().indirectionTable, sport) === 0) sport++;
    send(sport, { dst: 'ff:ff:ff:ff:ff:ff' });
    send(sport, { moreFragments: true });
    const other = ipv4Frame({ dst: MAC, srcIp: '10.0.0.2', dstIp: '10.0.0.1', sport });
    other[12] = 0x88; // 0x88B5: not IPv4
    other[13] = 0xb5;
    sink.send(other);
    sim.runUntilIdle();
    const [bcast, frag] = nic.obs.seen;
    expect(bcast).toMatchObject({ queue: 0, hash: 0, hashType: M_HASHTYPE_NONE });
    expect(frag.hashType).toBe(M_HASHTYPE_RSS_IPV4);
    expect(frag.hash).toBe(hasher.hash(rssInputIpv4('10.0.0.2', '10.0.0.1'), 0, 8));
    expect(nic.dev.queues[0].stats.rxSteered).toBe(2); // the broadcast and the 0x88B5 frame
    expect(nic.ifp.counters.noproto).toBe(1); // the 0x88B5 frame: steered to 0, nobody serves it
    expect(nic.dev.stats.rxDelivered).toBe(3);
  });

  it('re-steers flows at once when the indirection table changes (interface stays up)', async () => {
    const { sim, nic, send } = rig(4);
    for (let sport = 1000; sport < 1032; sport++) send(sport);
    sim.runUntilIdle();
    // Everything to queue 3.
    await nic.sc.configure({ indirectionTable: new Array(128).fill(3) });
    expect(nic.ifp.up).toBe(true);
    nic.obs.seen.length = 0;
    for (let sport = 1000; sport < 1032; sport++) send(sport);
    sim.runUntilIdle();
    expect(nic.obs.seen.map((s) => s.queue)).toEqual(new Array(32).fill(3));
    // A reversed table moves each flow exactly where the definition says.
    const reversed = Array.from({ length: 128 }, (_, i) => 3 - (i % 4));
    await nic.sc.configure({ indirectionTable: reversed });
    nic.obs.seen.length = 0;
    for (let sport = 1000; sport < 1032; sport++) send(sport);
    sim.runUntilIdle();
    for (const s of nic.obs.seen) expect(s.queue).toBe(expectedQueue(reversed, s.sport));
  });

  it('a new key re-steers by the new hash', async () => {
    const { sim, nic, send } = rig(4);
    const key = new Uint8Array(40).map((_, i) => (i * 37 + 11) & 0xff);
    await nic.sc.configure({ rssKey: key });
    for (let sport = 1000; sport < 1032; sport++) send(sport);
    sim.runUntilIdle();
    const h = new ToeplitzHasher(key);
    const table = nic.sc.rssState().indirectionTable;
    for (const s of nic.obs.seen) {
      expect(s.hash).toBe(h.hash(rssInputIpv4('10.0.0.2', '10.0.0.1', s.sport, 9), 0, 12));
      expect(s.queue).toBe(expectedQueue(table, s.sport, h));
    }
    expect(nic.dev.rssKey).toEqual(key);
  });

  it('changing the queue count takes the interface down and up, with contexts removed or added', async () => {
    const { sim, nic, send } = rig(8);
    expect(nic.ifp.pollContexts).toHaveLength(8);
    await nic.sc.configure({ queues: 2 });
    expect(nic.ifp.up).toBe(true);
    expect(nic.ifp.pollContexts.map((c) => c.name)).toEqual(['ehea0.q0', 'ehea0.q1']);
    expect(nic.dev.activeQueues).toBe(2);
    for (let sport = 1000; sport < 1064; sport++) send(sport);
    sim.runUntilIdle();
    const table = nic.sc.rssState().indirectionTable;
    expect(Array.from(new Set(table)).sort()).toEqual([0, 1]);
    for (const s of nic.obs.seen) expect(s.queue).toBe(expectedQueue(table, s.sport));
    expect(nic.obs.perQueue.slice(2).every((n) => n === 0)).toBe(true);
    await nic.sc.configure({ queues: 6 });
    expect(nic.ifp.pollContexts).toHaveLength(6);
    nic.obs.seen.length = 0;
    for (let sport = 1000; sport < 1064; sport++) send(sport);
    sim.runUntilIdle();
    const t6 = nic.sc.rssState().indirectionTable;
    for (const s of nic.obs.seen) expect(s.queue).toBe(expectedQueue(t6, s.sport));
    expect(new Set(nic.obs.seen.map((s) => s.queue)).size).toBe(6);
    await nic.ifp.down();
    nic.host.pool.assertQuiescent();
  });

  it('bad control values are refused before anything changes', async () => {
    const { nic } = rig(4);
    await expect(nic.sc.configure({ queues: 5 })).rejects.toThrow(RangeError);
    await expect(nic.sc.configure({ rssKey: new Uint8Array(39) })).rejects.toThrow(RangeError);
    await expect(nic.sc.configure({ indirectionTable: new Array(128).fill(4) })).rejects.toThrow(RangeError);
    await expect(nic.sc.configure({ indirectionTable: [0, 1] })).rejects.toThrow(RangeError);
    expect(nic.sc.activeQueues).toBe(4);
    expect(nic.ifp.up).toBe(true);
  });
});
