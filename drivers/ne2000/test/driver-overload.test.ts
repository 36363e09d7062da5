import {
  type MitigationPolicyFactory,
  type RateThresholdPolicy,
  Simulation,
  alwaysUnmask,
  rateThreshold,
} from '@ifnet/core';
import { FrameSink, TrafficSource, VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { ETHERTYPE_EXP, addNe, drops, mac, makePlatform, packet } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';
const MS = 1_000_000;

describe('ne: receive ring overflow (OVW) and the DP8390 recovery sequence', () => {
  it('a burst larger than the ring: the ring is drained, the rest counted as missed, reception resumes', () => {
    const sim = new Simulation({ seed: 1 });
    const setup = makePlatform({ rxBuffers: 64 });
    const nic = addNe(sim, setup, 'h', MAC);
    const sink = new FrameSink({ clock: sim.clock });
    sink.attach(nic.dev);
    nic.ifp.upIf();
    const f = new Uint8Array(60);
    f.set(mac(MAC));
    f[12] = 0x88;
    f[13] = 0xb5;
    for (let i = 0; i < 60; i++) sink.send(f); // 51 fit in the ring, then OVW: the receiver wedges
    expect(nic.dev.stats.overflows).toBe(1);
    sim.runUntilIdle();
    expect(nic.sc.events['ne.overflow']).toBe(1);
    expect(nic.ifp.counters.ipackets).toBe(51);
    expect(nic.ifp.counters.drops['ne.rx.missed']).toBe(9); // CNTR2, read during the recovery
    expect(nic.dev.peek().wedged).toBe(false);
    expect(nic.dev.peek().tcr).toBe(0); // back out of loopback
    for (let i = 0; i < 20; i++) sink.send(f);
    sim.runUntilIdle();
    expect(nic.ifp.counters.ipackets).toBe(71);
    expect(nic.ifp.counters.ipackets + drops(nic.ifp)).toBe(80);
  });

  it('under a flood: every offered frame is delivered, dropped by name, or was on the wire while the card was stopped; an interrupted transmission is resent once', async () => {
    const sim = new Simulation({ seed: 1 });
    const setup = makePlatform({ rxBuffers: 32 });
    const nic = addNe(sim, setup, 'h', MAC);
    const gen = new TrafficSource(sim.clock, { rate: 1_000_000, size: 60, dst: mac(MAC), count: 3000 });
    new VirtualCable(sim.clock, { bitRate: 1e9, delay: 0 }).connect(gen, nic.dev);
    nic.ifp.upIf();
    // A 1500-byte frame takes 1.2 ms on the 10 Mb/s card: the first overflow's STOP cuts it.
    nic.ifp.output(packet(nic.host, new Uint8Array(1500)), ETHERTYPE_EXP, mac('02:00:00:00:00:fe'));
    gen.start(sim.now());
    sim.runUntilIdle();
    await nic.ifp.down();
    const st = nic.dev.stats;
    const c = nic.ifp.counters;
    expect(nic.sc.events['ne.overflow']).toBeGreaterThan(1);
    expect(st.overflows).toBe(nic.sc.events['ne.overflow']);
    // Each STOP that cut the transmission short was followed by a resend (a later overflow may cut the
    // resent one too); the frame left the card exactly once.
    expect(st.txStoppedMidway).toBeGreaterThanOrEqual(1);
    expect(nic.sc.events['ne.tx.resend']).toBe(st.txStoppedMidway);
    expect(gen.received).toBe(1);
    // The accounting identity: what the driver saw plus what the card could not see (stopped/loopback).
    const driverDrops = drops(nic.ifp, 'ne.rx.');
    expect(gen.offered).toBe(3000);
    expect(c.ipackets + driverDrops + st.rxStopped + st.rxLoopback).toBe(3000);
    expect(nic.ifp.counters.drops['ne.rx.missed']).toBe(st.rxMissed);
    expect(st.rxDelivered).toBe(
      c.ipackets + (nic.ifp.counters.drops['ne.rx.nobufs'] ?? 0) + (nic.ifp.counters.drops['ne.rx.flushed'] ?? 0),
    );
    nic.host.pool.assertQuiescent();
  });
});

describe('ne: masking for a PIO device (DESIGN.md §1) — tick-driven draining under an interrupt storm', () => {
  function storm(hz: number, policy: MitigationPolicyFactory) {
    const sim = new Simulation({ seed: 7 });
    const setup = makePlatform();
    const nic = addNe(sim, setup, 'h', MAC, { hz, mitigationPolicy: policy });
    setup.log(nic.host).keep = false;
    // Minimum frames at the 10 Mb/s line rate: 14,881 per second, one interrupt each if nothing masks.
    const gen = new TrafficSource(sim.clock, { rate: 14_881, size: 60, dst: mac(MAC) });
    new VirtualCable(sim.clock, { bitRate: 10e6 }).connect(gen, nic.dev);
    nic.ifp.upIf();
    gen.start(sim.now());
    sim.runUntil(500 * MS);
    const half = {
      irqs: nic.sc.ctx.stats.interrupts,
      delivered: nic.ifp.counters.ipackets,
      tickMode: (nic.sc.ctx.policy as RateThresholdPolicy).tickMode,
      tickDriven: nic.sc.tickDriven,
    };
    sim.runUntil(1000 * MS);
    gen.stop();
    sim.runUntilIdle();
    return { nic, gen, half };
  }

  it('hz = 1000: the card stays masked and the poll drains it by PIO on every tick; nothing is lost', () => {
    const { nic, gen, half } = storm(1000, rateThreshold());
    const ctx = nic.sc.ctx;
    const policy = ctx.policy as RateThresholdPolicy;
    expect(policy.switchesToTick).toBeGreaterThanOrEqual(1);
    expect(half.tickMode).toBe(true);
    expect(half.tickDriven).toBe(true);
    // In the second half second: no interrupts at all (until the flood ends and the policy unmasks),
    // about 500 tick polls, every frame delivered.
    expect(ctx.stats.interrupts - half.irqs).toBeLessThanOrEqual(1);
    expect(ctx.stats.tickDeferrals).toBeGreaterThan(450);
    expect(nic.ifp.counters.ipackets - half.delivered).toBeGreaterThan(7400);
    expect(nic.ifp.counters.ipackets).toBe(gen.offered);
    expect(drops(nic.ifp)).toBe(0);
    expect(nic.dev.stats.overflows).toBe(0);
  });

  it('always unmasked: one interrupt per frame, drained in the interrupt routine', () => {
    const { nic, gen } = storm(1000, alwaysUnmask);
    expect(nic.sc.ctx.stats.interrupts).toBeGreaterThan(0.95 * gen.offered);
    expect(nic.ifp.counters.ipackets).toBe(gen.offered);
    expect(nic.ifp.counters.tickDeferrals).toBe(0);
  });

  it('hz = 100: a tick would hold 149 frames but the ring holds 51 — the policy leaves tick mode (capacity exit)', () => {
    const { nic, gen, half } = storm(100, rateThreshold());
    const policy = nic.sc.ctx.policy as RateThresholdPolicy;
    expect(policy.capacityExits).toBeGreaterThanOrEqual(1);
    expect(half.tickDriven).toBe(false);
    // The tick that found the ring overflowing recovered it; after that, interrupts kept up.
    expect(nic.ifp.counters.ipackets + drops(nic.ifp) + nic.dev.stats.rxStopped + nic.dev.stats.rxLoopback).toBe(
      gen.offered,
    );
    expect(nic.ifp.counters.ipackets).toBeGreaterThan(0.95 * gen.offered);
  });
});

describe('ne: no receive livelock in the interrupt routine when the CPU is overloaded', () => {
  it('1 M frames/s: the starved interrupt routine leaves the card to the poll; the CPU delivers at capacity and the card drops the rest', async () => {
    const sim = new Simulation({ seed: 11 });
    const setup = makePlatform();
    const nic = addNe(sim, setup, 'h', MAC);
    const log = setup.log(nic.host);
    log.keep = false;
    log.layers = ['udp', 'socket']; // a consumer with real per-packet work
    const gen = new TrafficSource(sim.clock, { rate: 1_000_000, size: 60, dst: mac(MAC) });
    new VirtualCable(sim.clock, { bitRate: 1e9, delay: 0 }).connect(gen, nic.dev);
    nic.ifp.upIf();
    gen.start(sim.now());
    sim.runUntil(50 * MS);
    gen.stop();
    sim.runUntilIdle();
    await nic.ifp.down();
    const c = nic.ifp.counters;
    // Without the starved mask the interrupt routine took the whole CPU (no poll ever ran, nothing was
    // delivered): it copied every frame in only to drop it for lack of a free mbuf.
    expect(log.packets).toBeGreaterThan(10_000);
    expect(nic.sc.events['ne.rx.starved']).toBeGreaterThanOrEqual(1);
    expect(c.drops['ne.rx.nobufs'] ?? 0).toBeLessThan(10);
    expect(c.drops['ne.rx.missed']).toBeGreaterThan(20_000); // dropped by the card, for free
    expect(c.interrupts).toBeLessThan(100);
    expect(nic.host.cpu.stats.chargedInterrupt).toBeLessThan(5 * MS);
    const st = nic.dev.stats;
    expect(c.ipackets + drops(nic.ifp, 'ne.rx.') + st.rxStopped + st.rxLoopback).toBe(gen.offered);
    nic.host.pool.assertQuiescent();
  });
});
