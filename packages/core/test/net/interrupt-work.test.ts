import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_PROFILE, Netisr, usec } from '../../src/index.js';
import { rig, toyNic, traffic } from '../helpers/setup.js';
import { CAUSE_RX, TOY_ETHERTYPE } from '../helpers/toy-nic.js';

/** Puts a netisr queue (`ipintrq`) between the link layer and the toy protocol, as BSD's ether_input did. */
function interposeNetisr(host: ReturnType<typeof rig>['host'], maxlen = 50): Netisr {
  const entry = host.ethertypes.lookup(TOY_ETHERTYPE)!;
  host.ethertypes.unregister(TOY_ETHERTYPE);
  const ni = new Netisr(host, { name: 'ipintrq', maxlen, input: entry.input });
  host.ethertypes.register(TOY_ETHERTYPE, 'ipintrq', ni.asInput);
  return ni;
}

describe('interrupt-work mode (receive in the interrupt routine, pre-NAPI)', () => {
  it("'reinterrupt' with maxWork 1 takes one frame per interrupt, in interrupt context", () => {
    const { sim, host } = rig({ allocationGuard: 'count' });
    const nic = toyNic(host);
    nic.ctx.setInterruptWork({ maxWork: 1, whenExhausted: 'reinterrupt' });
    let inInterrupt = 0;
    const entry = host.ethertypes.lookup(TOY_ETHERTYPE)!;
    host.ethertypes.unregister(TOY_ETHERTYPE);
    host.ethertypes.register(TOY_ETHERTYPE, 'spy', (m, off, ifp) => {
      if (host.cpu.inInterrupt) inInterrupt++;
      entry.input(m, off, ifp);
    });
    traffic(sim, nic.dev, 1000, 0, 5); // a burst of 5: one cause, then the driver re-raises it
    sim.runUntilIdle();
    expect(nic.delivered).toEqual([1, 2, 3, 4, 5]);
    expect(inInterrupt).toBe(5);
    expect(nic.ctx.stats).toMatchObject({ interrupts: 5, polls: 5, work: 5, maxWorkHits: 4, schedules: 0 });
    expect(nic.dev.trace).toEqual(['t=0 IMS']); // never masked
    expect(host.guard.violations).toBe(5); // the toy poll allocates an mbuf per frame: counted
    expect(nic.ctx.state).toBe('idle');
    host.pool.assertQuiescent();
  });

  it("'timer' masks after maxWork and leaves the rest for a timer that unmasks on a later tick (3c59x)", () => {
    const { sim, host } = rig({ allocationGuard: 'count', hz: 1000 });
    const nic = toyNic(host);
    nic.ctx.setInterruptWork({ maxWork: 4, whenExhausted: 'timer' });
    const at: number[] = [];
    const entry = host.ethertypes.lookup(TOY_ETHERTYPE)!;
    host.ethertypes.unregister(TOY_ETHERTYPE);
    host.ethertypes.register(TOY_ETHERTYPE, 'spy', (m, off, ifp) => {
      at.push(host.now());
      entry.input(m, off, ifp);
    });
    traffic(sim, nic.dev, 1000, 0, 10);
    sim.runUntilIdle();
    expect(nic.delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(nic.ctx.stats).toMatchObject({ interrupts: 3, work: 10, maxWorkHits: 2 });
    expect(at.slice(0, 4).every((t) => t === 1000)).toBe(true);
    expect(at[4]).toBeGreaterThanOrEqual(1_000_000); // the next tick
    expect(at[8]).toBeGreaterThanOrEqual(2_000_000);
    expect(nic.dev.trace.filter((l) => l.endsWith('IMC'))).toHaveLength(2);
    expect(nic.dev.ims & CAUSE_RX).toBe(CAUSE_RX);
    host.pool.assertQuiescent();
  });

  it('an input hold masks the source at the interrupt; the last release unmasks it', () => {
    const { sim, host } = rig({ allocationGuard: 'count' });
    const nic = toyNic(host, { fifoSize: 8 });
    nic.ctx.setInterruptWork({ maxWork: 1, whenExhausted: 'reinterrupt' });
    nic.ifp.holdInput();
    traffic(sim, nic.dev, 1000, 0, 12);
    sim.runUntilIdle();
    expect(nic.delivered).toEqual([]);
    expect(nic.ctx.stats.holdParks).toBe(1);
    expect(nic.dev.missed).toBe(4);
    nic.ifp.releaseInput();
    sim.runUntilIdle();
    expect(nic.delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(nic.ctx.state).toBe('idle');
  });

  it('refuses a bad maxWork, and reinterrupt without a driver that can retrigger', () => {
    const { host } = rig();
    const nic = toyNic(host);
    expect(() => nic.ctx.setInterruptWork({ maxWork: 0, whenExhausted: 'timer' })).toThrow(RangeError);
    expect(() => nic.ctx.setInterruptWork({ maxWork: 2, whenExhausted: 'timer', timerTicks: 0.5 })).toThrow(RangeError);
    const bare = nic.ifp.addPollContext({
      ops: { poll: () => 0, intrEnable: () => {}, intrDisable: () => {}, workPending: () => false },
    });
    expect(() => bare.setInterruptWork({ maxWork: 1, whenExhausted: 'reinterrupt' })).toThrow(/intrRetrigger/);
    nic.ctx.setInterruptWork({ maxWork: 32, whenExhausted: 'timer' });
    expect(nic.ctx.interruptWorkMode).toEqual({ maxWork: 32, whenExhausted: 'timer', timerTicks: 1 });
    nic.ctx.setInterruptWork(null);
    expect(nic.ctx.interruptWorkMode).toBeNull();
  });
});

describe('Netisr (ipintrq + soft interrupt)', () => {
  it('queues up to maxlen at interrupt level, drops the rest with a named reason, then processes at softnet', () => {
    const { sim, host } = rig({ allocationGuard: 'count' });
    const nic = toyNic(host);
    nic.ctx.setInterruptWork({ maxWork: 1, whenExhausted: 'reinterrupt' });
    const ni = interposeNetisr(host, 50);
    traffic(sim, nic.dev, 1000, 0, 60);
    sim.runUntilIdle();
    // Pending interrupts are taken before any soft interrupt runs: all 60 reach the queue first.
    expect(nic.delivered).toHaveLength(50);
    expect(nic.delivered[49]).toBe(50);
    expect(ni.stats).toMatchObject({ enqueued: 50, full: 10, processed: 50, highWater: 50 });
    expect(nic.ifp.counters.drops['ipintrq.full']).toBe(10);
    expect(nic.ifp.counters.iqdrops).toBe(10);
    expect(ni.queue.drops).toBe(10);
    host.pool.assertQuiescent();
  });

  it('hardware interrupts preempt the bottom half at every packet', () => {
    const { sim, host } = rig({ allocationGuard: 'count', costs: DEFAULT_COST_PROFILE });
    const nic = toyNic(host);
    nic.ctx.setInterruptWork({ maxWork: 1, whenExhausted: 'reinterrupt' });
    const entry = host.ethertypes.lookup(TOY_ETHERTYPE)!;
    host.ethertypes.unregister(TOY_ETHERTYPE);
    const events: string[] = [];
    const ni = new Netisr(host, {
      name: 'ipintrq',
      input: (m, off, ifp) => {
        events.push('p');
        host.cpu.charge(usec(20)); // protocol work, longer than the gap between frames
        entry.input(m, off, ifp);
      },
    });
    host.ethertypes.register(TOY_ETHERTYPE, 'ipintrq', (m, off, ifp) => {
      events.push('i');
      ni.enqueue(m, off, ifp);
    });
    traffic(sim, nic.dev, 1000, usec(10), 20);
    sim.runUntilIdle();
    expect(nic.delivered).toHaveLength(20);
    // After the first packet processed, about two interrupts land between consecutive packets.
    const firstP = events.indexOf('p');
    const between = events.slice(firstP, firstP + 12).join('');
    expect(between).toMatch(/^p(i+p){3,}/);
    expect(ni.stats.runs).toBeGreaterThan(0);
    host.pool.assertQuiescent();
  });

  it("a run processes only what was queued when it started, then re-queues itself; purgeIf frees an interface's packets", () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    const entry = host.ethertypes.lookup(TOY_ETHERTYPE)!;
    let ni: Netisr | undefined;
    let refed = 0;
    ni = new Netisr(host, {
      name: 'q',
      input: (m, off, ifp) => {
        // Each processed packet queues one more, for three rounds: the run must not loop on them.
        if (refed < 3) {
          refed++;
          const again = host.pool.gethdr()!;
          again.len = 8;
          again.pkthdr.len = 8;
          again.view.setUint32(again.off, TOY_ETHERTYPE, false);
          again.view.setUint32(again.off + 4, 100 + refed, false);
          ni!.enqueue(again, 4, ifp);
        }
        entry.input(m, off, ifp);
      },
    });
    const m = host.pool.gethdr()!;
    m.len = 8;
    m.pkthdr.len = 8;
    m.view.setUint32(m.off, TOY_ETHERTYPE, false);
    m.view.setUint32(m.off + 4, 7, false);
    ni.enqueue(m, 0, nic.ifp);
    sim.runUntilIdle();
    expect(ni.stats).toMatchObject({ runs: 4, processed: 4, requeued: 3 });
    const m2 = host.pool.gethdr()!;
    m2.len = 8;
    m2.pkthdr.len = 8;
    ni.enqueue(m2, 0, nic.ifp);
    expect(ni.purgeIf(nic.ifp)).toBe(1);
    sim.runUntilIdle();
    host.pool.assertQuiescent();
  });
});
