/**
 * Receive coalescing (`ethtool -C rx-usecs / rx-frames`) on a poll context, and the adaptive policy that
 * sets it, on the virtual clock with the toy NIC — a device without moderation hardware, so the
 * framework's emulation (a high-resolution re-poll timer) is what runs.
 */
import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_RANGES,
  AdaptiveCoalescingPolicy,
  HrTimer,
  IPL_CLOCK,
  type PollContext,
  adaptiveCoalescing,
  formatCoalescing,
  msec,
  parseCoalescing,
  usec,
} from '../../src/index.js';
import { rig, toyNic, traffic } from '../helpers/setup.js';

describe('coalescing control (ethtool -C)', () => {
  it('starts off, is set and read per interface and per queue, and refuses bad values', () => {
    const { host } = rig();
    const nic = toyNic(host);
    expect(nic.ifp.getCoalescing()).toEqual({ rxUsecs: 0, rxFrames: 0 });
    expect(nic.ctx.coalescingInHardware).toBe(false);
    nic.ifp.setCoalescing({ rxUsecs: 50 });
    expect(nic.ifp.getCoalescing(0)).toEqual({ rxUsecs: 50, rxFrames: 0 });
    nic.ctx.setCoalescing({});
    expect(nic.ctx.coalescing.rxUsecs).toBe(50);
    expect(nic.ctx.stats.coalesceChanges).toBe(1);
    expect(() => nic.ifp.setCoalescing({ rxUsecs: -1 })).toThrow(/rx-usecs must be an integer/);
    expect(() => nic.ifp.setCoalescing({ rxUsecs: 1.5 })).toThrow(RangeError);
    // The emulation cannot count frames while the device is masked: EOPNOTSUPP.
    expect(() => nic.ifp.setCoalescing({ rxFrames: 8 })).toThrow(/rx-frames is not supported/);
    expect(nic.ifp.getCoalescing()).toEqual({ rxUsecs: 50, rxFrames: 0 }); // unchanged after a refusal
    expect(() => nic.ifp.getCoalescing(1)).toThrow(/no queue 1/);
    expect(() => nic.ifp.setCoalescing({ rxUsecs: 1 }, 3)).toThrow(RangeError);
    expect(nic.ctx.snapshot().coalescing).toEqual({ rxUsecs: 50, rxFrames: 0 });
  });

  it('parses and prints the ethtool form', () => {
    expect(parseCoalescing('rx-usecs=50,rx-frames=8')).toEqual({ rxUsecs: 50, rxFrames: 8 });
    expect(parseCoalescing('rx-usecs 14')).toEqual({ rxUsecs: 14 });
    expect(() => parseCoalescing('tx-usecs=3')).toThrow(/unknown field 'tx-usecs'/);
    expect(() => parseCoalescing('rx-usecs=x')).toThrow(/needs a number/);
    expect(() => parseCoalescing('')).toThrow(/nothing given/);
    expect(formatCoalescing({ rxUsecs: 50, rxFrames: 0 })).toBe('rx-usecs 50 rx-frames 0');
  });

  it('emulated rx-usecs: after a round with work the queue stays masked and is re-polled rx-usecs later', () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    nic.ifp.setCoalescing({ rxUsecs: 100 });
    // 100,000 frames/s for 2 ms: frames at 1.000, 1.010, ..., 2.990 ms.
    traffic(sim, nic.dev, msec(1), usec(10), 200);
    sim.runUntil(msec(10));
    expect(nic.delivered).toHaveLength(200);
    // One interrupt at 1 ms (one frame), then re-polls every 100 µs (10 frames each) until the re-poll
    // at 3.1 ms finds nothing and unmasks: 20 re-polls with work, 21 deferrals. Unmasking exposes the RX
    // cause the device latched while masked (as the e1000's ICR does): one more interrupt, an empty poll.
    expect(nic.ctx.stats.interrupts).toBe(2);
    expect(nic.ctx.stats.coalesceDeferrals).toBe(21);
    expect(nic.ctx.stats.polls).toBe(23);
    expect(nic.ctx.stats.completions).toBe(2);
    expect(nic.dev.trace).toEqual([
      't=0 IMS',
      `t=${msec(1)} IMC`,
      `t=${msec(3.1)} IMS`,
      `t=${msec(3.1)} IMC`,
      `t=${msec(3.1)} IMS`,
    ]);
    expect(nic.ctx.interruptLine?.masked).toBe(false);
  });

  it('a tracer sees each emulated deferral as a coalesce-deferral event on the context', () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    nic.ifp.setCoalescing({ rxUsecs: 100 });
    const events: string[] = [];
    const noop = () => {};
    host.cpu.tracer = {
      interruptBegin: noop,
      interruptEnd: noop,
      continuationBegin: noop,
      continuationEnd: noop,
      pollBegin: noop,
      pollEnd: noop,
      pollEvent: (ctx, e) => events.push(`${ctx.name} ${e}`),
    };
    traffic(sim, nic.dev, msec(1), usec(50), 4); // frames at 1.00, 1.05, 1.10, 1.15 ms
    sim.runUntil(msec(2));
    host.cpu.tracer = null;
    const name = nic.ctx.name;
    // Round 1 finds 1 frame, the re-poll at 1.1 ms finds 2, the one at 1.2 ms finds 1, the one at 1.3 ms
    // none: unmask (and the cause latched while masked makes one more, empty, round).
    expect(events.slice(0, 5)).toEqual([
      `${name} defer`,
      `${name} coalesce-deferral`,
      `${name} coalesce-deferral`,
      `${name} coalesce-deferral`,
      `${name} unmask`,
    ]);
  });

  it('emulated rx-usecs costs no latency at low load: an interrupt per frame, then one empty re-poll', () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    nic.ifp.setCoalescing({ rxUsecs: 100 });
    const at: number[] = [];
    traffic(sim, nic.dev, msec(1), msec(1), 5);
    const seen = () => nic.delivered.length;
    for (let t = 1; t <= 5; t++) {
      sim.runUntil(msec(t));
      at.push(seen());
    }
    // Zero-cost profile: each frame is delivered at the instant it arrives.
    expect(at).toEqual([1, 2, 3, 4, 5]);
    sim.runUntil(msec(10));
    expect(nic.ctx.stats.interrupts).toBe(5);
    expect(nic.ctx.stats.coalesceDeferrals).toBe(5);
    expect(nic.ctx.stats.completions).toBe(5);
  });

  it('going down while a re-poll waits cancels it; coming up again starts afresh', async () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    nic.ifp.setCoalescing({ rxUsecs: 500 });
    traffic(sim, nic.dev, msec(1), 0, 3);
    sim.runUntil(msec(1.1));
    expect(nic.ctx.stats.coalesceDeferrals).toBe(1);
    expect(nic.ctx.state).toBe('scheduled');
    const down = nic.ifp.down();
    sim.runUntil(msec(2));
    await down;
    expect(nic.ctx.state).toBe('disabled');
    expect(nic.ctx.stats.polls).toBe(1); // the re-poll at 1.5 ms never ran
    nic.ifp.upIf();
    traffic(sim, nic.dev, msec(3), 0, 2);
    sim.runUntil(msec(5));
    expect(nic.delivered).toHaveLength(5);
  });
});

/** A stand-in for the poll context that records what the policy applies. */
function recorder(): { ctx: PollContext; applied: number[] } {
  const applied: number[] = [];
  const ctx = { applyCoalescing: (us: number) => applied.push(us) } as unknown as PollContext;
  return { ctx, applied };
}

describe('the adaptive policy (e1000 dynamic ITR ranges)', () => {
  it('classifies the measured rate into ranges with hysteresis and applies their rx-usecs', () => {
    const p = new AdaptiveCoalescingPolicy(1000);
    const { ctx, applied } = recorder();
    p.attach(ctx);
    p.onInterrupt(0);
    // 1 ms samples: packets per ms × 1000 = rate.
    const sample = (ms: number, packets: number) => expect(p.decide(packets, false, msec(ms))).toBe('unmask');
    sample(0.5, 5); // under a sample: nothing decided yet
    expect(applied).toEqual([]);
    sample(1, 5); // 10,000/s
    expect(p.range).toBe(0);
    sample(2, 30); // 30,000/s > 20,000: low_latency
    sample(3, 15); // 15,000/s: above low_latency's 10,000 floor, stays
    expect(p.range).toBe(1);
    sample(4, 300); // 300,000/s: bulk_latency
    sample(5, 60); // 60,000/s: stays bulk (floor 50,000)
    expect(p.range).toBe(2);
    sample(6, 5); // 5,000/s: falls through both floors to lowest_latency
    expect(p.range).toBe(0);
    expect(applied).toEqual([14, 50, 125, 14]);
    expect(p.switches).toBe(3);
    expect(p.describe()).toMatchObject({ policy: 'adaptive', range: 'lowest_latency', rxUsecs: 14 });
    expect(ADAPTIVE_RANGES.map((r) => r.rxUsecs)).toEqual([14, 50, 125]);
  });

  it('shortens rx-usecs so that one hold-off cannot overflow the ring', () => {
    const p = new AdaptiveCoalescingPolicy(1000);
    const { ctx, applied } = recorder();
    p.attach(ctx);
    p.onInterrupt(0);
    p.decide(1600, false, msec(1), 255); // 1,600,000/s into 255 descriptors: half of them fill in 79 µs
    expect(p.range).toBe(2);
    expect(applied).toEqual([79]);
  });

  it('counts a refusal by the driver instead of failing the poll', () => {
    const p = new AdaptiveCoalescingPolicy(1000);
    p.attach({
      applyCoalescing: () => {
        throw new RangeError('no');
      },
    } as unknown as PollContext);
    p.onInterrupt(0);
    p.decide(10, false, msec(1));
    expect(p.refused).toBe(1);
    expect(() => new AdaptiveCoalescingPolicy(1000, { sampleNs: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveCoalescingPolicy(1000, { capacityFraction: 2 })).toThrow(RangeError);
    expect(() => new AdaptiveCoalescingPolicy(1000, { ranges: [] })).toThrow(/no ranges/);
    const r = (name: string, rxUsecs: number, enterAbove: number, leaveBelow: number) => ({
      name,
      rxUsecs,
      enterAbove,
      leaveBelow,
    });
    expect(() => new AdaptiveCoalescingPolicy(1000, { ranges: [r('a', 10, 0, 0), r('b', 5, 100, 50)] })).toThrow(
      /must climb/,
    );
    expect(() => new AdaptiveCoalescingPolicy(1000, { ranges: [r('a', 10, 0, 0), r('b', 20, 100, 200)] })).toThrow(
      /leaveBelow > enterAbove/,
    );
  });

  it('drives a device without moderation hardware through the emulation: interrupts at low load, re-polls at high load', () => {
    const { sim, host } = rig({ policy: adaptiveCoalescing() });
    const nic = toyNic(host, { fifoSize: 1024 });
    const policy = nic.ctx.policy as AdaptiveCoalescingPolicy;
    // 5,000 frames/s for 10 ms: an interrupt per frame.
    traffic(sim, nic.dev, msec(1), usec(200), 50);
    sim.runUntil(msec(12));
    expect(policy.range).toBe(0);
    expect(nic.ctx.stats.interrupts).toBe(50);
    // 500,000 frames/s for 10 ms: bulk_latency, re-polled every 125 µs with the interrupt masked.
    traffic(sim, nic.dev, msec(20), usec(2), 5000);
    sim.runUntil(msec(32));
    expect(nic.delivered).toHaveLength(5050);
    expect(policy.range).toBe(2);
    expect(nic.ctx.coalescing.rxUsecs).toBe(125);
    expect(nic.ctx.stats.interrupts - 50).toBeLessThan(10);
    expect(nic.dev.missed).toBe(0);
  });
});

describe('HrTimer (the emulation re-poll timer)', () => {
  it('fires at its exact time at IPL_CLOCK, can be cancelled, and releases its line', () => {
    const { sim, host } = rig();
    const fired: number[] = [];
    const t = new HrTimer(host.cpu, 'test', (h: typeof host) => fired.push(h.now()), host);
    t.armAfter(usec(37));
    expect(t.pending).toBe(true);
    sim.runUntil(msec(1));
    expect(fired).toEqual([usec(37)]);
    expect(t.fired).toBe(1);
    expect(t.line.ipl).toBe(IPL_CLOCK);
    t.armAfter(usec(10));
    t.cancel();
    sim.runUntil(msec(2));
    expect(fired).toHaveLength(1);
    t.destroy();
    expect(t.line.handler).toBeUndefined();
  });

  it('a poll context removed or detached releases its re-poll timer line', async () => {
    const { host } = rig();
    const nic = toyNic(host);
    nic.ifp.setCoalescing({ rxUsecs: 100 });
    const line = host.cpu.intr.sources.find((s) => s.name === `${nic.ctx.name}.hrtimer`);
    expect(line?.handler).toBeDefined();
    await host.ifDetach(nic.ifp);
    expect(line?.handler).toBeUndefined();
  });
});
