import { describe, expect, it } from 'vitest';
import { Callout, Continuation, IPL_SOFTCLOCK, IPL_SOFTNET, msec } from '../../src/index.js';
import { rig } from '../helpers/setup.js';

describe('hardclock and callouts', () => {
  it('a one-shot callout fires at its tick boundary at softclock, then the clock goes quiet', () => {
    const { sim, host } = rig({ hz: 100 });
    const fired: string[] = [];
    const c = new Callout('once', () => fired.push(`${host.now()}/ipl${host.cpu.ipl}`), null);
    sim.runUntil(msec(3)); // not at a boundary: 3 ticks from now is the 30 ms boundary
    host.callouts.reset(c, 3);
    expect(sim.runUntilIdle()).toBe(true);
    expect(fired).toEqual([`${msec(30)}/ipl${IPL_SOFTCLOCK}`]);
    expect(host.hardclock.interrupts).toBe(1); // tickless: only the tick that mattered
    expect(c.pending).toBe(false);
  });

  it('periodic callouts re-arm until stopped; stop and reset move or cancel them', () => {
    const { sim, host } = rig({ hz: 100 });
    const times: number[] = [];
    const p = new Callout('periodic', () => times.push(host.now() / msec(1)), null);
    host.callouts.resetPeriodic(p, 2);
    sim.runUntil(msec(75));
    expect(times).toEqual([20, 40, 60]);
    host.callouts.stop(p);
    expect(sim.runUntilIdle()).toBe(true);
    expect(times).toEqual([20, 40, 60]);

    const moved: number[] = [];
    const m = new Callout('moved', () => moved.push(host.now() / msec(1)), null);
    host.callouts.reset(m, 10);
    host.callouts.reset(m, 1); // re-arming moves it earlier
    const cancelled = new Callout('cancelled', () => moved.push(-1), null);
    host.callouts.reset(cancelled, 1);
    expect(host.callouts.stop(cancelled)).toBe(true);
    sim.runUntilIdle();
    expect(moved).toEqual([90]);
  });

  it('callouts due on the same tick run in a deterministic order', () => {
    const { sim, host } = rig({ hz: 100 });
    const order: string[] = [];
    for (const name of ['c', 'a', 'b']) host.callouts.reset(new Callout(name, () => order.push(name), null), 1);
    sim.runUntilIdle();
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('a continuation deferred to the tick runs at the next boundary at its own level', () => {
    const { sim, host } = rig({ hz: 1000 });
    const ran: string[] = [];
    const kc = new Continuation('poll-later', IPL_SOFTNET, () => ran.push(`${host.now()}/ipl${host.cpu.ipl}`), null);
    sim.runUntil(msec(2) + 300);
    expect(host.cpu.sched.deferToTick(kc)).toBe(true);
    expect(host.cpu.sched.deferToTick(kc)).toBe(false); // idempotent while pending
    sim.runUntilIdle();
    expect(ran).toEqual([`${msec(3)}/ipl${IPL_SOFTNET}`]);
    expect(kc.tickDeferrals).toBe(1);
  });

  it('a callout re-armed while waiting for softclock and due again does not cut the due list', () => {
    const { host } = rig({ hz: 100 });
    const ran: string[] = [];
    const table = host.callouts;
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new Callout(n, () => ran.push(n), null));
    for (const x of [a, b, c]) table.reset(x, 1);
    expect(table.expire(1)).toBe(3); // all three wait for softclock
    table.reset(a, 1); // re-armed while waiting...
    expect(table.expire(2)).toBe(1); // ...and due again before softclock ran
    table.runDue();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect([a, b, c].map((x) => x.pending)).toEqual([false, false, false]);
    expect(table.size).toBe(0);
  });

  it('a far callout does not delay a continuation deferred to the next tick', () => {
    const { sim, host } = rig({ hz: 100 });
    host.callouts.reset(new Callout('far', () => {}, null), 100); // the tick timer is armed for 1 s
    const ran: number[] = [];
    const kc = new Continuation('soon', IPL_SOFTNET, () => ran.push(host.now()), null);
    sim.runUntil(msec(4));
    host.cpu.sched.deferToTick(kc);
    sim.runUntil(msec(50));
    expect(ran).toEqual([msec(10)]);
  });

  it('ticks and ticksFor follow hz', () => {
    const { sim, host } = rig({ hz: 250 });
    sim.runUntil(msec(41));
    expect(host.ticks).toBe(10);
    expect(host.ticksFor(msec(10))).toBe(3);
    expect(host.ticksFor(1)).toBe(1);
  });

  it('rejects an absurd hz', () => {
    expect(() => rig({ hz: 0 })).toThrow(RangeError);
  });
});
