/**
 * The switching rules of the interrupt-thread model, on a bare CPU (virtual clock) with two interrupt lines
 * and hand-made continuations: which unit runs in which thread, when a switch is charged, and where its time
 * is booked.
 */
import {
  Continuation,
  Cpu,
  IPL_CLOCK,
  IPL_NET,
  IPL_NONE,
  IPL_SOFTCLOCK,
  IPL_SOFTNET,
  type InterruptSource,
  VirtualClock,
  ZERO_COST_PROFILE,
} from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { CONTEXT_SWITCH_LAYER, InterruptThreads, THREAD_NAMES } from '../src/index.js';

const SWITCH = 1000;

function rig() {
  const cpu = new Cpu('cpu0', new VirtualClock(), {
    ...ZERO_COST_PROFILE,
    layer: { [CONTEXT_SWITCH_LAYER]: SWITCH },
  });
  const order: string[] = [];
  const nic = cpu.intr.createLine('nic');
  const card = cpu.intr.createLine('card');
  const clock = cpu.intr.createLine('clock');
  const poll = new Continuation('nic poll', IPL_SOFTNET, () => order.push('poll'), null);
  const softint = new Continuation('ipintr', IPL_SOFTNET, () => order.push('softint'), null);
  const callout = new Continuation('callout', IPL_SOFTCLOCK, () => order.push('callout'), null);
  const app = new Continuation('app', IPL_NONE, () => order.push('app'), null);
  const th = new InterruptThreads(cpu, nic, poll, card).install();
  const to = () => Object.fromEntries(THREAD_NAMES.map((n, i) => [n, th.stats.switchesTo[i]]));
  return { cpu, nic, card, clock, poll, softint, callout, app, th, order, to };
}

/** A handler that acknowledges its level-triggered line (as a driver reading ISR does), then does `fn`. */
const ack = (line: InterruptSource, fn: () => void) => () => {
  line.deassert();
  fn();
  return true;
};

const drain = (cpu: Cpu) => {
  while (cpu.runUnit()) {}
};

describe('InterruptThreads: units, threads and switches', () => {
  it("one packet's path costs the seed's six switches, booked as their own CPU time", () => {
    const r = rig();
    // The poll hands the packet to ipintrq (schedules the softint); the softint dispatches to the card and
    // returns; the card's completion schedules ESP's continuation, which wakes the application.
    const ipintr = new Continuation('ipintr', IPL_SOFTNET, () => r.order.push('ip → esp → dispatch'), null);
    const espCb = new Continuation(
      'esp_input_cb',
      IPL_SOFTNET,
      () => {
        r.order.push('esp cb → udp');
        r.cpu.sched.schedule(r.app);
      },
      null,
    );
    const poll = new Continuation(
      'nic poll',
      IPL_SOFTNET,
      () => {
        r.order.push('poll → ether');
        r.cpu.sched.schedule(ipintr);
      },
      null,
    );
    r.th.uninstall();
    const th = new InterruptThreads(r.cpu, r.nic, poll, r.card).install();
    r.cpu.intr.establish(
      r.nic,
      IPL_NET,
      ack(r.nic, () => r.cpu.sched.schedule(poll)),
      null,
      'nic',
    );
    r.cpu.intr.establish(
      r.card,
      IPL_NET,
      ack(r.card, () => r.cpu.sched.schedule(espCb)),
      null,
      'card',
    );
    r.nic.assert();
    drain(r.cpu);
    r.card.assert();
    drain(r.cpu);
    expect(r.order).toEqual(['poll → ether', 'ip → esp → dispatch', 'esp cb → udp', 'app']);
    expect(th.stats.switches).toBe(6);
    expect(Array.from(th.stats.switchesTo)).toEqual([2, 1, 1, 2, 0]); // user, NIC, crypto, softint, softclock
    expect(th.stats.switchNs.reduce((a, b) => a + b, 0)).toBe(6 * SWITCH);
    expect(r.cpu.now()).toBe(6 * SWITCH); // nothing else costs anything in this profile
  });

  it('an interrupt taken inside another thread’s unit switches to its ithread and back when it returns', () => {
    const r = rig();
    r.cpu.intr.establish(
      r.nic,
      IPL_NET,
      ack(r.nic, () => {}),
      null,
      'nic',
    );
    const long = new Continuation(
      'softnet loop',
      IPL_SOFTNET,
      () => {
        r.nic.assert();
        r.cpu.preempt(); // the interrupt is taken here, nested
        r.order.push('after');
      },
      null,
    );
    r.cpu.sched.schedule(long);
    drain(r.cpu);
    // user → softint, softint → NIC ithread (nested), NIC ithread → softint (resumed), softint → user (idle).
    expect(r.th.stats.switches).toBe(4);
    expect(r.to()).toMatchObject({ user: 1, 'NIC ithread': 1, 'softint (swi_net)': 2 });
    expect(r.order).toEqual(['after']);
  });

  it('an unthreaded interrupt (the clock) runs in the current context: no switch; callouts run in the clock swi thread', () => {
    const r = rig();
    r.cpu.intr.establish(
      r.clock,
      IPL_CLOCK,
      ack(r.clock, () => r.cpu.sched.schedule(r.callout)),
      null,
      'hardclock',
    );
    r.clock.assert();
    drain(r.cpu);
    expect(r.order).toEqual(['callout']);
    expect(r.to()).toMatchObject({ user: 1, 'softclock (swi_clock)': 1, 'NIC ithread': 0 });
    expect(r.th.stats.switches).toBe(2);
  });

  it('units of the running thread back to back cost nothing more; uninstall leaves the CPU without a tracer', () => {
    const r = rig();
    r.cpu.sched.schedule(r.softint);
    r.cpu.sched.schedule(new Continuation('esp cb', IPL_SOFTNET, () => r.order.push('cb'), null));
    drain(r.cpu);
    expect(r.order).toEqual(['softint', 'cb']);
    expect(r.th.stats.switches).toBe(2); // user → softint once, back to user once
    r.th.uninstall();
    expect(r.cpu.tracer).toBe(null);
  });
});
