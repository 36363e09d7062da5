import { Simulation } from '@ifnet/core';
import { TrafficSource, lineRate } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { type Nic, addNic, mac, makePlatform, totalDrops } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';
const MS = 1_000_000;

/**
 * One host with an e1000 fed directly by a traffic source. The protocol models real per-packet work
 * (`udp` + `socket` layers of the default cost profile): with driverRx, if_input and ether that is
 * 1,350 ns per packet, so the CPU can deliver about 740,000 packets/s.
 */
function rig(options: { hz?: number; rxDescriptors?: number; clusters?: number } = {}) {
  const sim = new Simulation({ seed: 11 });
  const setup = makePlatform({ rxDescriptors: options.rxDescriptors ?? 1024 });
  const nic: Nic = addNic(sim, setup, 'h', MAC, {
    hz: options.hz ?? 1000,
    mbufs: options.clusters === undefined ? undefined : { clusters: options.clusters },
  });
  const log = setup.proto.log(nic.host);
  log.keep = false;
  log.layers = ['udp', 'socket'];
  const gen = new TrafficSource(sim.clock, { rate: 1000, size: 60, dst: mac(MAC) });
  gen.attach(nic.dev);
  nic.ifp.upIf();
  return { sim, nic, log, gen };
}

describe('wm under overload', () => {
  it('drops in the device, not in software; accounts for every frame; tick mode under load, interrupts at low load', async () => {
    const { sim, nic, log, gen } = rig();
    const { ifp, dev, host } = nic;
    const policy = () => nic.sc.ctx.policy.describe();

    // Phase 1 — heavy but sustainable load: 100,000 frames/s, an interrupt per frame would be 12× the
    // policy's 8,000/s: it stays masked and polls on the 1 ms clock tick instead.
    gen.setRate(100_000);
    gen.start(1 * MS);
    sim.runUntil(21 * MS);
    expect(policy().tickMode).toBe(true);
    const ticks1 = ifp.counters.tickDeferrals;
    expect(ticks1).toBeGreaterThan(10);
    expect(dev.stats.rxMissed).toBe(0);
    const interrupts1 = ifp.counters.interrupts;
    expect(interrupts1).toBeLessThan(20);

    // Phase 2 — overload: line rate for minimum frames (1,488,095/s), twice what the CPU can deliver.
    gen.setRate(lineRate(60, 1e9));
    const delivered2 = log.packets;
    sim.runUntil(41 * MS);
    const overloadDelivered = log.packets - delivered2;
    // The CPU keeps delivering at capacity (no livelock): 20 ms × 740,000/s ≈ 14,800.
    expect(overloadDelivered).toBeGreaterThan(14_000);
    // The excess is missed by the device (MPC), never dropped after the CPU spent work on it.
    expect(dev.stats.rxMissed).toBeGreaterThan(10_000);
    expect(ifp.counters.iqdrops).toBe(0);
    // No interrupts at all while overloaded: the poll never finishes a round.
    expect(ifp.counters.interrupts).toBe(interrupts1);

    // Phase 3 — low load: 2,000 frames/s. A tick round now finds 2 frames (2 × 1000 Hz < 4,000/s):
    // the policy unmasks and each frame interrupts again.
    gen.setRate(2000);
    sim.runUntil(101 * MS);
    expect(policy().tickMode).toBe(false);
    expect(policy().switchesToInterrupt).toBeGreaterThanOrEqual(1);
    const interrupts3 = ifp.counters.interrupts;
    sim.runUntil(111 * MS);
    expect(ifp.counters.interrupts - interrupts3).toBe(20);
    gen.stop();
    sim.runFor(10 * MS);

    // Bring the interface down: the driver harvests MPC and frees its rings.
    await ifp.down();
    host.pool.assertQuiescent();
    // Every offered frame: delivered to the protocol or dropped with a name — and the only name is the
    // device's miss counter.
    expect(Object.keys(ifp.counters.drops)).toEqual(['wm.rx.missed']);
    expect(ifp.counters.drops['wm.rx.missed']).toBe(dev.stats.rxMissed);
    expect(gen.offered).toBe(log.packets + totalDrops(ifp));
    expect(ifp.counters.ipackets).toBe(log.packets);
    expect(ifp.counters.ierrors).toBe(dev.stats.rxMissed);
    expect(nic.sc.events['wm.rx.nobufs']).toBe(0);
  });

  it('is deterministic for a seed', () => {
    const run = () => {
      const { sim, nic, log, gen } = rig();
      gen.setRate(lineRate(60, 1e9));
      gen.start(0);
      sim.runUntil(5 * MS);
      return [log.packets, nic.dev.stats.rxMissed, nic.ifp.counters.polls, nic.host.cpu.stats.interrupts];
    };
    expect(run()).toEqual(run());
  });

  it('with hz=100 and a 256-descriptor ring, tick polling cannot keep up: the policy leaves tick mode for capacity', async () => {
    // Seed 000: "this assumes the system has a high enough value set for HZ". At 100 Hz a 256-slot ring
    // holds 25,500 frames/s of tick-driven polling. At 100,000 frames/s the first tick round finds the
    // ring full (work >= half the poll context's capacity of 255): the policy unmasks and holds off tick
    // mode for 100 ticks; interrupts (each followed by a short poll) carry the load without misses.
    const { sim, nic, log, gen } = rig({ hz: 100, rxDescriptors: 256 });
    gen.setRate(100_000);
    gen.start(0);
    sim.runUntil(200 * MS);
    const p = nic.sc.ctx.policy.describe();
    expect(p.switchesToTick).toBe(1);
    expect(p.capacityExits).toBe(1);
    expect(p.tickMode).toBe(false);
    const missedEarly = nic.dev.stats.rxMissed;
    expect(missedEarly).toBeGreaterThan(0); // the ring overflowed once, during the first tick period
    expect(missedEarly).toBeLessThan(1000);
    gen.stop();
    sim.runFor(20 * MS);
    await nic.ifp.down();
    expect(gen.offered).toBe(log.packets + nic.ifp.counters.drops['wm.rx.missed']);
    nic.host.pool.assertQuiescent();
  });

  it('an exhausted pool leaves slots unrefilled (wm.rx.nobufs): the ring shrinks and the device misses', async () => {
    // 300 clusters for a 256-descriptor ring: the protocol holds every packet it gets, so after 45
    // packets the pool is dry and each reaped slot stays empty.
    const { sim, nic, log, gen } = rig({ rxDescriptors: 256, clusters: 300 });
    const held: import('@ifnet/core').Mbuf[] = [];
    nic.host.ethertypes.unregister(0x88b5);
    nic.host.ethertypes.register(0x88b5, 'hold', (m) => {
      log.packets++;
      held.push(m);
    });
    gen.setRate(50_000);
    gen.start(0);
    sim.runUntil(20 * MS);
    expect(log.packets).toBe(300);
    expect(nic.sc.rxBuffers).toBe(0);
    expect(nic.sc.events['wm.rx.nobufs']).toBeGreaterThan(0);
    expect(nic.dev.stats.rxMissed).toBe(gen.offered - 300);
    // Release the packets: the next poll refills the ring and reception resumes.
    for (const m of held.splice(0)) m.pool.freem(m);
    const before = log.packets;
    sim.runUntil(40 * MS);
    gen.stop();
    expect(log.packets - before).toBeGreaterThan(0);
    for (const m of held.splice(0)) m.pool.freem(m);
    sim.runFor(10 * MS);
    for (const m of held.splice(0)) m.pool.freem(m);
    await nic.ifp.down();
    expect(gen.offered).toBe(log.packets + totalDrops(nic.ifp));
    nic.host.pool.assertQuiescent();
  });
});
