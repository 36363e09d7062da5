/**
 * `ethtool -C rx-usecs` on the NE2000: the DP8390 has no interrupt moderation, so core emulates it — after
 * a round that found work the card's per-packet interrupts stay masked and the poll drains the card by
 * port I/O `rx-usecs` later (the same drain as tick mode), until a re-poll finds nothing.
 */
import { DEFAULT_COST_PROFILE, Simulation, adaptiveCoalescing, alwaysUnmask } from '@ifnet/core';
import { TrafficSource, VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { addNe, drops, mac, makePlatform } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';
const MS = 1_000_000;

/** 60-byte frames at `rate` for 20 ms over a 10 Mb/s cable (at most 14,880 frames/s fit on it). */
function run(rate: number, rxUsecs: number | null) {
  const sim = new Simulation({ seed: 1 });
  const setup = makePlatform({ rxBuffers: 64 });
  const nic = addNe(sim, setup, 'h', MAC, {
    costs: DEFAULT_COST_PROFILE,
    mitigationPolicy: rxUsecs === null ? adaptiveCoalescing() : alwaysUnmask,
  });
  setup.log(nic.host).keep = false;
  if (rxUsecs !== null) nic.ifp.setCoalescing({ rxUsecs });
  const gen = new TrafficSource(sim.clock, { rate, size: 60, dst: mac(MAC), count: rate / 50 });
  new VirtualCable(sim.clock, { bitRate: 10e6, delay: 0 }).connect(gen, nic.dev);
  nic.ifp.upIf();
  gen.start(MS);
  sim.runUntil(30 * MS);
  const ctx = nic.ifp.pollContexts[0];
  return { nic, ctx, delivered: setup.log(nic.host).packets, offered: rate / 50 };
}

describe('ne: receive coalescing, emulated by the framework', () => {
  it('is reported as emulated and refuses rx-frames', () => {
    const { nic, ctx } = run(1000, 0);
    expect(ctx.coalescingInHardware).toBe(false);
    expect(() => nic.ifp.setCoalescing({ rxFrames: 4 })).toThrow(/rx-frames is not supported/);
  });

  it('rx-usecs 500 at 10,000 frames/s: every frame delivered, a tenth of the interrupts, the card drained by the poll', () => {
    const plain = run(10_000, 0);
    const co = run(10_000, 500);
    expect(plain.delivered).toBe(200);
    expect(co.delivered).toBe(200);
    expect(drops(co.nic.ifp)).toBe(0);
    expect(plain.ctx.stats.interrupts).toBeGreaterThanOrEqual(200); // one per frame, plus transmit-free extras
    // 100 µs between frames, 500 µs hold-off: about five frames per re-poll, interrupts only after a gap.
    expect(co.ctx.stats.interrupts).toBeLessThanOrEqual(3);
    expect(co.ctx.stats.coalesceDeferrals).toBeGreaterThanOrEqual(35);
    expect(co.ctx.stats.coalesceDeferrals).toBeLessThanOrEqual(41);
  });

  it('the adaptive policy: an interrupt per frame at 2,000 frames/s', () => {
    const r = run(2_000, null);
    expect(r.delivered).toBe(40);
    expect(r.ctx.coalescing.rxUsecs).toBe(14); // lowest_latency, emulated
    expect(r.ctx.stats.interrupts).toBeGreaterThanOrEqual(40);
  });
});
