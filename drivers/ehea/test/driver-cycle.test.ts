import { Simulation, alwaysUnmask, usec } from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { RSS_DEFAULT_KEY, ToeplitzHasher, rssInputIpv4 } from '../src/index.js';
import { type Nic, addNic, ipv4Frame, makePlatform } from './helpers.js';

const MAC = '02:00:00:00:00:01';
const hasher = new ToeplitzHasher(RSS_DEFAULT_KEY);

/** A UDP source port whose flow (10.0.0.2:sport → 10.0.0.1:9) the default 4-queue table steers to `q`. */
function sportFor(q: number, from = 1000): number {
  for (let s = from; ; s++) {
    if ((hasher.hash(rssInputIpv4('10.0.0.2', '10.0.0.1', s, 9), 0, 12) & 127) % 4 === q) return s;
  }
}

function rig(queues = 4, policy = alwaysUnmask) {
  const sim = new Simulation({ seed: 1 });
  const setup = makePlatform();
  const nic = addNic(sim, setup, 'h', MAC, queues, { mitigationPolicy: policy });
  const sink = new FrameSink({ clock: sim.clock, capture: false });
  sink.attach(nic.dev);
  nic.ifp.upIf();
  const frame = (sport: number) => ipv4Frame({ dst: MAC, srcIp: '10.0.0.2', dstIp: '10.0.0.1', sport, dport: 9 });
  return { sim, nic, sink, frame };
}

function lineStats(nic: Nic, q: number) {
  const snap = nic.host.cpu.intr.snapshot();
  const key = Object.keys(snap).find((k) => k.endsWith(`.irq${q}`))!;
  return snap[key];
}

describe('ehea: per-queue poll contexts', () => {
  it('interrupts and polls are counted per queue, on per-queue lines', () => {
    const { sim, nic, sink, frame } = rig(4);
    const s1 = sportFor(1);
    const s3 = sportFor(3);
    // 5 frames for queue 1 and 2 for queue 3, 50 µs apart: one interrupt and one poll each.
    for (let i = 0; i < 5; i++) {
      sim.clock.createTimer('t', () => sink.send(frame(s1))).arm(usec(50 * i + 10));
    }
    for (let i = 0; i < 2; i++) {
      sim.clock.createTimer('t', () => sink.send(frame(s3))).arm(usec(50 * i + 30));
    }
    sim.runUntilIdle();
    const ctxs = nic.ifp.pollContexts;
    expect(ctxs.map((c) => c.stats.interrupts)).toEqual([0, 5, 0, 2]);
    expect(ctxs.map((c) => c.stats.polls)).toEqual([0, 5, 0, 2]);
    expect(ctxs.map((c) => c.stats.completions)).toEqual([0, 5, 0, 2]);
    expect(ctxs.map((c) => c.stats.work)).toEqual([0, 5, 0, 2]);
    expect(nic.sc.queues.map((q) => q.stats.interrupts)).toEqual([0, 5, 0, 2]);
    expect([0, 1, 2, 3].map((q) => lineStats(nic, q).taken)).toEqual([0, 5, 0, 2]);
    expect(ctxs.map((c) => c.interruptLine?.stats.taken)).toEqual([0, 5, 0, 2]); // each context's own line
    expect(nic.ifp.counters.interrupts).toBe(7);
    expect(nic.obs.perQueue.slice(0, 4)).toEqual([0, 5, 0, 2]);
  });

  it('a frame arriving between the last completion check and the re-arm is picked up by the re-check', () => {
    const { sim, nic, sink, frame } = rig(4);
    const s2 = sportFor(2);
    const ctx = nic.ifp.pollContexts[2];
    const ops = ctx.ops;
    const poll = ops.poll.bind(ops);
    let injected = false;
    ops.poll = (c, budget) => {
      const n = poll(c, budget);
      if (!injected) {
        injected = true;
        sink.send(frame(s2 + 0)); // the hardware completes a frame now: after the last look, before the arm
      }
      return n;
    };
    sink.send(frame(s2));
    sim.runUntilIdle();
    expect(nic.obs.perQueue[2]).toBe(2);
    expect(ctx.stats.raceRechecks).toBe(1);
    expect(ctx.stats.interrupts).toBe(1);
    expect(ctx.stats.polls).toBe(2);
    expect(nic.dev.queues[2].armed).toBe(true); // back to waiting for the next completion
  });

  it('without the re-check the same frame is stranded: the arm does not fire for completions already there', () => {
    const { sim, nic, sink, frame } = rig(4);
    const s2 = sportFor(2);
    const ctx = nic.ifp.pollContexts[2];
    const ops = ctx.ops;
    const poll = ops.poll.bind(ops);
    let injected = false;
    ops.poll = (c, budget) => {
      const n = poll(c, budget);
      if (!injected) {
        injected = true;
        sink.send(frame(s2));
      }
      return n;
    };
    ops.workPending = () => false;
    sink.send(frame(s2));
    sim.runUntil(usec(1000));
    expect(nic.obs.perQueue[2]).toBe(1);
    expect(nic.dev.queues[2].stats.rxDelivered).toBe(2); // completed by the device, never polled
    expect(nic.dev.queues[2].armed).toBe(true);
    expect(ctx.stats.interrupts).toBe(1);
  });

  it('close disables every context and waits for a running poll; open re-enables them', async () => {
    const { sim, nic, sink, frame } = rig(4);
    const s1 = sportFor(1);
    let closed: Promise<void> | undefined;
    const states: string[] = [];
    let resolvedInPoll = false;
    nic.obs.onPacket = (m) => {
      if (closed !== undefined || m.pkthdr.rxQueue !== 1) return;
      closed = nic.ifp.down();
      closed.then(() => {
        resolvedInPoll = nic.ifp.pollContexts[1].state !== 'disabled';
      });
      states.push(...nic.ifp.pollContexts.map((c) => c.state));
    };
    for (let i = 0; i < 10; i++) sink.send(frame(s1));
    sink.send(frame(sportFor(3))); // queue 3's poll is queued behind queue 1's
    sim.runUntilIdle();
    // At close: queue 1 was running (it waits), the others were disabled at once (queue 3's run cancelled).
    expect(states).toEqual(['disabled', 'running', 'disabled', 'disabled']);
    await closed;
    expect(resolvedInPoll).toBe(false);
    expect(nic.ifp.pollContexts.every((c) => c.state === 'disabled')).toBe(true);
    expect(nic.ifp.pollContexts[1].stats.polls).toBe(1);
    expect(nic.ifp.pollContexts[3].stats.polls).toBe(0);
    // Everything the rings held was freed; what the device completed but nobody reaped is counted.
    expect(nic.obs.perQueue[1]).toBe(1);
    expect(nic.ifp.counters.drops['ehea.rx.flushed']).toBe(10);
    expect(nic.sc.queues[1].stats.rxFlushed).toBe(9);
    expect(nic.sc.queues[3].stats.rxFlushed).toBe(1);
    nic.host.pool.assertQuiescent();
    // No interrupt, no poll after the close.
    sink.send(frame(s1));
    sim.runUntilIdle();
    expect(nic.ifp.pollContexts[1].stats.polls).toBe(1);
    // Open: every context back, traffic flows on every queue.
    nic.obs.onPacket = undefined;
    nic.ifp.upIf();
    expect(nic.ifp.pollContexts.every((c) => c.state === 'idle')).toBe(true);
    for (let q = 0; q < 4; q++) sink.send(frame(sportFor(q)));
    sim.runUntilIdle();
    expect(nic.obs.perQueue.slice(0, 4)).toEqual([1, 2, 1, 1]);
  });

  it('no allocation in interrupt context: handlers only acknowledge and defer', () => {
    const sim = new Simulation({ seed: 1 });
    const setup = makePlatform();
    const nic = addNic(sim, setup, 'h', MAC, 4, { allocationGuard: 'count', mitigationPolicy: alwaysUnmask });
    const sink = new FrameSink({ clock: sim.clock, capture: false });
    sink.attach(nic.dev);
    nic.ifp.upIf();
    for (let i = 0; i < 2000; i++) {
      const f = ipv4Frame({ dst: MAC, srcIp: '10.0.0.2', dstIp: '10.0.0.1', sport: 1000 + (i % 97), dport: 9 });
      sim.clock.createTimer('t', () => sink.send(f)).arm(usec(2 * i));
    }
    sim.runUntilIdle();
    expect(nic.obs.packets).toBe(2000);
    expect(nic.ifp.counters.interrupts).toBeGreaterThan(100);
    expect(nic.host.guard.violations).toBe(0);
  });
});
