import { Simulation, adaptiveCoalescing, alwaysUnmask } from '@ifnet/core';
import { TrafficSource } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { type E1000Options, WM_MAX_RX_USECS } from '../src/index.js';
import { E1000_ITR, E1000_RADV, E1000_RDTR } from '../src/regs.js';
import { addNic, mac, makePlatform } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';

/**
 * 100 minimum frames 10 µs apart into one host whose poll always unmasks (so only the hardware's
 * moderation decides how often the CPU is interrupted), with the driver's moderation tunables.
 */
function run(options: E1000Options, rxUsecs?: number) {
  const sim = new Simulation({ seed: 3 });
  const setup = makePlatform(options);
  const nic = addNic(sim, setup, 'h', MAC, { mitigationPolicy: alwaysUnmask });
  if (rxUsecs !== undefined) nic.ifp.setCoalescing({ rxUsecs });
  const log = setup.proto.log(nic.host);
  const gen = new TrafficSource(sim.clock, { rate: 100_000, count: 100, dst: mac(MAC) });
  gen.attach(nic.dev);
  nic.ifp.upIf();
  gen.start(1_000_000);
  sim.runUntil(10_000_000);
  expect(log.packets).toBe(100);
  return {
    interrupts: nic.ifp.counters.interrupts,
    polls: nic.ifp.counters.polls,
    lastInput: log.payloads[99].at,
  };
}

describe('wm: hardware interrupt moderation through the full driver', () => {
  it('no moderation: one interrupt per frame', () => {
    expect(run({})).toMatchObject({ interrupts: 100, polls: 100 });
  });

  it('RDTR (packet timer, 20.48 µs) restarted every 10 µs: a single interrupt after the last frame', () => {
    const r = run({ rdtr: 20 });
    expect(r).toMatchObject({ interrupts: 1, polls: 2 }); // budget 64: one poll again
    // The last frame arrives at 1,990,000; RXT0 at + 20,480.
    expect(r.lastInput).toBeGreaterThan(1_990_000 + 20_480);
  });

  it('RDTR + RADV (absolute 51.2 µs): an interrupt every 6 frames, the last one by the packet timer', () => {
    // Frames at 0, 10, ..., 50 µs; RADV fires at 51.2 µs; the next frame restarts both timers at 60 µs:
    // 16 cycles of 6 frames, then frames 96..99 end with the packet timer at 990 + 20.48 µs.
    expect(run({ rdtr: 20, radv: 50 })).toMatchObject({ interrupts: 17, polls: 17 });
  });

  it('ITR (49.92 µs minimum interval): 21 interrupts for 100 frames over 990 µs', () => {
    // Assertions at k × 49.92 µs, k = 0..20; each poll reaps what arrived in between.
    expect(run({ itr: 195 })).toMatchObject({ interrupts: 21, polls: 21 });
  });
});

describe('wm: intrRetrigger (ICS) for core interrupt-work mode', () => {
  it('a burst taken one frame per interrupt: each frame beyond the first is re-raised through ICS', () => {
    const sim = new Simulation({ seed: 3 });
    const setup = makePlatform({});
    const nic = addNic(sim, setup, 'h', MAC, { mitigationPolicy: alwaysUnmask, allocationGuard: 'count' });
    const log = setup.proto.log(nic.host);
    nic.ifp.upIf();
    nic.ifp.pollContexts[0].setInterruptWork({ maxWork: 1, whenExhausted: 'reinterrupt' });
    const trace = nic.host.traceRegisters({ filter: /^(ICS|IMC)$/ });
    // A burst of 8 back to back at 1 Gb/s (672 ns apart): the CPU takes one frame per interrupt.
    const gen = new TrafficSource(sim.clock, { rate: 1_488_095, count: 8, dst: mac(MAC) });
    gen.attach(nic.dev);
    gen.start(1_000_000);
    sim.runUntil(999_999);
    const before = nic.ifp.counters.interrupts; // the link-up (LSC) interrupt
    sim.runUntil(10_000_000);
    expect(log.packets).toBe(8);
    expect(nic.ifp.counters.interrupts - before).toBe(8);
    expect(nic.ifp.pollContexts[0].stats.work).toBe(8);
    const writes = trace.names();
    expect(writes.filter((w) => w === 'write IMC')).toEqual([]); // never masked
    // Re-raised whenever a frame was still waiting after the interrupt's one.
    expect(writes.filter((w) => w === 'write ICS').length).toBe(nic.ifp.pollContexts[0].stats.maxWorkHits);
    expect(nic.ifp.pollContexts[0].stats.maxWorkHits).toBeGreaterThan(0);
  });
});

describe('wm: ethtool -C rx-usecs maps onto ITR', () => {
  function nic(options: E1000Options = {}) {
    const sim = new Simulation({ seed: 3 });
    return { sim, ...addNic(sim, makePlatform(options), 'h', MAC, { mitigationPolicy: alwaysUnmask }) };
  }

  it('writes ITR = rx-usecs / 256 ns, at once when running and again at every init; RDTR/RADV untouched', () => {
    const n = nic();
    expect(n.ifp.getCoalescing()).toEqual({ rxUsecs: 0, rxFrames: 0 });
    expect(n.ifp.pollContexts[0].coalescingInHardware).toBe(true);
    n.ifp.setCoalescing({ rxUsecs: 50 }); // down: remembered, written by init
    expect(n.dev.read32(E1000_ITR)).toBe(0);
    n.ifp.upIf();
    expect(n.dev.read32(E1000_ITR)).toBe(195); // 50,000 ns / 256 = 195.3 → 49.92 µs, 20,032 interrupts/s
    n.ifp.setCoalescing({ rxUsecs: 14 }); // running: written now
    expect(n.dev.read32(E1000_ITR)).toBe(55); // Linux e1000's lowest_latency value (70,000/s)
    n.ifp.setCoalescing({ rxUsecs: 250 });
    expect(n.dev.read32(E1000_ITR)).toBe(977);
    expect(n.dev.read32(E1000_RDTR)).toBe(0);
    expect(n.dev.read32(E1000_RADV)).toBe(0);
    n.ifp.setCoalescing({ rxUsecs: 0 });
    expect(n.dev.read32(E1000_ITR)).toBe(0);
    expect(n.ifp.getCoalescing()).toEqual({ rxUsecs: 0, rxFrames: 0 });
  });

  it('refuses rx-frames (no frame-count threshold on the 8254x) and rx-usecs beyond ITR, changing nothing', () => {
    const n = nic();
    n.ifp.upIf();
    n.ifp.setCoalescing({ rxUsecs: 100 });
    expect(() => n.ifp.setCoalescing({ rxFrames: 16 })).toThrow(/rx-frames is not supported/);
    expect(() => n.ifp.setCoalescing({ rxUsecs: WM_MAX_RX_USECS + 1 })).toThrow(/rx-usecs at most 16777/);
    expect(n.ifp.getCoalescing()).toEqual({ rxUsecs: 100, rxFrames: 0 });
    expect(n.dev.read32(E1000_ITR)).toBe(391);
    n.ifp.setCoalescing({ rxUsecs: WM_MAX_RX_USECS });
    expect(n.dev.read32(E1000_ITR)).toBe(0xffff);
  });

  it('reports the itr tunable as the initial rx-usecs', () => {
    expect(nic({ itr: 488 }).ifp.getCoalescing()).toEqual({ rxUsecs: 125, rxFrames: 0 });
  });

  it('rx-usecs 50 moderates like ITR 195: 21 interrupts for 100 frames over 990 µs', () => {
    expect(run({}, 50)).toMatchObject({ interrupts: 21, polls: 21 });
  });

  it('the adaptive policy moves ITR with the measured rate', () => {
    const sim = new Simulation({ seed: 3 });
    const n = addNic(sim, makePlatform({}), 'h', MAC, { mitigationPolicy: adaptiveCoalescing() });
    n.ifp.upIf();
    const low = new TrafficSource(sim.clock, { rate: 5_000, count: 20, dst: mac(MAC) });
    low.attach(n.dev);
    low.start(1_000_000);
    sim.runUntil(6_000_000);
    expect(n.dev.read32(E1000_ITR)).toBe(55); // lowest_latency: 14 µs
    expect(n.ifp.counters.interrupts).toBe(21); // link up (LSC at init), then an interrupt per frame
    const high = new TrafficSource(sim.clock, { rate: 300_000, count: 3000, dst: mac(MAC) });
    high.attach(n.dev);
    high.start(10_000_000);
    sim.runUntil(12_000_000);
    // Within two 1 ms samples the rate (300,000/s) has moved the queue up to bulk_latency: 125 µs.
    expect(n.dev.read32(E1000_ITR)).toBe(488);
    const before = n.ifp.counters.interrupts;
    sim.runUntil(20_000_000);
    // 8 ms at 300,000/s with ITR at 124.9 µs: at most 8,000 interrupts/s, about 37 frames per interrupt.
    expect(n.ifp.counters.interrupts - before).toBeLessThanOrEqual(65);
    expect(n.ifp.counters.interrupts - before).toBeGreaterThanOrEqual(60);
    expect(n.dev.stats.rxMissed).toBe(0);
  });
});
