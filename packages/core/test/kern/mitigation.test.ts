import { describe, expect, it } from 'vitest';
import { RateThresholdPolicy, msec, rateThreshold, usec } from '../../src/index.js';
import { rig, toyNic, traffic } from '../helpers/setup.js';

describe('interrupt mitigation (seed 000 rule 5)', () => {
  it('stays masked and polls on the tick above the rate threshold, and backs off below it', () => {
    const { sim, host } = rig({ policy: rateThreshold({ maxInterruptRate: 10_000, hysteresis: 2 }), hz: 100 });
    const nic = toyNic(host, { fifoSize: 2048 });
    const policy = nic.ctx.policy as RateThresholdPolicy;

    // 50,000 frames/s for 100 ms: 5000 frames, the first at t = 1 ms.
    traffic(sim, nic.dev, msec(1), usec(20), 5000);
    sim.runUntil(msec(5));
    // Frame 1: first interrupt, no rate estimate yet → unmask. Frame 2, 20 µs later: 50,000/s > 10,000/s →
    // stay masked, poll on the next tick.
    expect(nic.ctx.stats.interrupts).toBe(2);
    expect(policy.tickMode).toBe(true);
    expect(nic.ctx.stats.tickDeferrals).toBe(1);

    sim.runUntil(msec(105));
    // Ticks at 10, 20, ..., 100 ms each find ~500 frames (≥ 5000/s × 10 ms): stay in tick mode.
    expect(nic.ctx.stats.interrupts).toBe(2);
    expect(nic.ctx.stats.tickDeferrals).toBe(11);
    expect(nic.delivered).toHaveLength(4951); // frames up to and including the one at exactly 100 ms

    sim.runUntil(msec(130));
    // The 110 ms tick finds the last 49 frames: 4,900/s < 10,000/2 → unmask, back to interrupts.
    expect(policy.tickMode).toBe(false);
    expect(policy.switchesToTick).toBe(1);
    expect(policy.switchesToInterrupt).toBe(1);
    expect(nic.delivered).toHaveLength(5000);
    expect(nic.ctx.stats.tickDeferrals).toBe(11);
    expect(nic.ifp.counters.tickDeferrals).toBe(11);
    expect(nic.dev.missed).toBe(0);
    expect(nic.dev.trace.at(-1)).toBe(`t=${msec(110)} IMS`);
    // Unmasking exposes the RX cause latched while masked (as the e1000's ICR accumulates under IMC): one
    // more interrupt at 110 ms whose poll finds nothing.
    expect(nic.ctx.stats.interrupts).toBe(3);

    // Low load afterwards: 1000 frames/s → one interrupt per frame, no tick deferral.
    traffic(sim, nic.dev, msec(200), msec(1), 50);
    sim.runUntil(msec(300));
    expect(nic.ctx.stats.interrupts).toBe(53);
    expect(nic.ctx.stats.tickDeferrals).toBe(11);
    expect(nic.delivered).toHaveLength(5050);
    // The moving average started from the 90 ms gap after the stale interrupt, then 49 samples of 1 ms.
    const avg = msec(1) + (msec(90) - msec(1)) * (7 / 8) ** 49;
    expect(policy.interruptRate).toBeCloseTo(1e9 / avg, 6);
  });

  it('each tick round may poll again within the budget before deciding', () => {
    const { sim, host } = rig({ policy: rateThreshold({ maxInterruptRate: 1000 }), hz: 100 });
    const nic = toyNic(host, { fifoSize: 2048, weight: 64 });
    traffic(sim, nic.dev, msec(1), usec(100), 200); // 10,000/s for 20 ms
    sim.runUntil(msec(15));
    // At the 10 ms tick 89 frames are waiting (t = 1.2 .. 10 ms): two polls, one "poll again".
    expect(nic.ctx.stats.tickDeferrals).toBe(2);
    expect(nic.ctx.stats.pollAgain).toBe(1);
    expect(nic.delivered).toHaveLength(91);
  });

  it('leaves tick mode when a tick brings close to what the device can hold, and holds off re-entry', () => {
    const p = new RateThresholdPolicy(100, { maxInterruptRate: 1000, capacityHoldOffTicks: 10 });
    p.onInterrupt(0);
    p.onInterrupt(usec(100)); // 10,000/s
    expect(p.decide(1, false, usec(100), 255)).toBe('tick');
    // A tick round finding 200 of 255 possible: polling once a tick would overflow the ring.
    expect(p.decide(200, true, msec(10), 255)).toBe('unmask');
    expect(p.capacityExits).toBe(1);
    p.onInterrupt(msec(10) + usec(1));
    p.onInterrupt(msec(10) + usec(2)); // a million per second, but held off until 10 + 100 ms
    expect(p.decide(1, false, msec(50), 255)).toBe('unmask');
    expect(p.decide(1, false, msec(110), 255)).toBe('tick');
    // A busy round without a known capacity stays in tick mode.
    expect(p.decide(200, true, msec(120), Number.POSITIVE_INFINITY)).toBe('tick');
  });

  it('validates its options', () => {
    expect(() => new RateThresholdPolicy(100, { maxInterruptRate: 0 })).toThrow(RangeError);
    expect(() => new RateThresholdPolicy(100, { hysteresis: 0.5 })).toThrow(RangeError);
    expect(() => new RateThresholdPolicy(100, { gain: 2 })).toThrow(RangeError);
    expect(() => new RateThresholdPolicy(100, { capacityFraction: 0 })).toThrow(RangeError);
  });
});
