import { Simulation, alwaysUnmask } from '@ifnet/core';
import { TrafficSource } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import type { E1000Options } from '../src/index.js';
import { addNic, mac, makePlatform } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';

/**
 * 100 minimum frames 10 µs apart into one host whose poll always unmasks (so only the hardware's
 * moderation decides how often the CPU is interrupted), with the driver's moderation tunables.
 */
function run(options: E1000Options) {
  const sim = new Simulation({ seed: 3 });
  const setup = makePlatform(options);
  const nic = addNic(sim, setup, 'h', MAC, { mitigationPolicy: alwaysUnmask });
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
