/**
 * The same class of defect as `m_adj(NaN)` outside the mbuf layer (issue 8 review of core): numeric
 * arguments that would silently poison a clock, a counter or a table are refused with a RangeError that
 * names the function, at the caller.
 */
import { describe, expect, it } from 'vitest';
import { Callout, IFT_LOOP, Prng, Simulation, createPlatform } from '../../src/index.js';
import { rig } from '../helpers/setup.js';

const BAD = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

describe('numeric arguments outside the mbuf layer', () => {
  it('callout_reset with NaN or Infinity ticks throws at the caller; the hardclock keeps ticking', () => {
    const { sim, host } = rig();
    const c = new Callout('c', () => {}, null);
    for (const t of BAD) {
      expect(() => host.callouts.reset(c, t)).toThrow(/callout_reset: ticks must be a finite number/);
      expect(() => host.callouts.resetPeriodic(c, t)).toThrow(RangeError);
    }
    expect(c.pending).toBe(false);
    const ok = new Callout('ok', () => {}, null);
    host.callouts.reset(ok, 2);
    sim.runFor(30_000_000);
    expect(ok.fired).toBe(1);
    expect(() => host.ticksFor(Number.NaN)).toThrow(/ticksFor/);
    expect(() => host.ticksFor(-1)).toThrow(RangeError);
  });

  it('Simulation run bounds refuse NaN (and Infinity where the clock would be left there)', () => {
    const sim = new Simulation();
    expect(() => sim.runFor(Number.NaN)).toThrow(/runFor: ns must be a finite number/);
    expect(() => sim.runUntil(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => sim.runUntilIdle(Number.NaN)).toThrow(RangeError);
    expect(() => sim.runUntilTrue(() => true, -5)).toThrow(RangeError);
    expect(sim.runUntilIdle(Number.POSITIVE_INFINITY)).toBe(true);
    expect(sim.now()).toBe(0);
    expect(() => new Simulation({ stallLimit: 0 })).toThrow(RangeError);
  });

  it('cpu.charge, softQuota, countDrop, MTUs, poll capacity, dispatch keys and Prng refuse bad values', () => {
    const { host } = rig();
    for (const ns of [Number.NaN, -1, Number.POSITIVE_INFINITY]) expect(() => host.cpu.charge(ns)).toThrow(RangeError);
    expect(host.now()).toBe(0);
    expect(() => createPlatform().createHost({ name: 'x', runner: new Simulation(), softQuota: Number.NaN })).toThrow(
      /softQuota/,
    );
    const lo = host.lo0!;
    expect(() => lo.countDrop('x', Number.NaN)).toThrow(/countDrop/);
    expect(() => lo.countDrop('x', 1.5)).toThrow(RangeError);
    const ops = { init() {}, stop() {}, start() {} };
    expect(() => host.ifAttach({ name: 'a', ifType: IFT_LOOP, ops, mtu: Number.NaN })).toThrow(/mtu NaN/);
    expect(() => host.ifAttach({ name: 'b', ifType: IFT_LOOP, ops, mtu: 9000, maxMtu: 1500 })).toThrow(RangeError);
    const ifp = host.ifAttach({ name: 'c', ifType: IFT_LOOP, ops });
    const pops = { poll: () => 0, intrEnable() {}, intrDisable() {}, workPending: () => false };
    expect(() => ifp.addPollContext({ ops: pops, capacity: Number.NaN })).toThrow(/capacity/);
    expect(() => ifp.addPollContext({ ops: pops, capacity: 0.5 })).toThrow(RangeError);
    expect(() => host.ethertypes.unregister(1.5)).toThrow(/out of range/);
    const rng = new Prng(1);
    expect(() => rng.int(Number.NaN)).toThrow(/Prng.int/);
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.exponential(-1)).toThrow(RangeError);
  });
});
