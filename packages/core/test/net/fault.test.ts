/**
 * Fault containment (issue 8, needed by the conformance kit of issue 12): an exception thrown inside a
 * driver's poll or interrupt routine is contained by the framework — counted on the interface, the
 * interface reset through its ops (stop + init), or marked down if that fails or it faults again at once —
 * while other interfaces keep working and no mbuf is lost.
 */
import { describe, expect, it } from 'vitest';
import { FAULT_HOLDDOWN_NS, type Host, IFT_LOOP, type Ifnet, type Mbuf } from '../../src/index.js';
import { rig, toyNic } from '../helpers/setup.js';

const ETHERTYPE = 0x88b6;
const RING = 8;

/** A software NIC with a receive ring of pre-allocated clusters: stop frees them, init refills. */
class RingNic {
  readonly ifp: Ifnet;
  readonly ring: Mbuf[] = [];
  readonly pending: number[] = [];
  readonly delivered: number[] = [];
  pollThrows = 0;
  initThrows = false;

  constructor(readonly host: Host) {
    this.ifp = host.ifAttach({
      name: 'ring',
      ifType: IFT_LOOP,
      softc: this,
      ops: {
        init: () => {
          if (this.initThrows) throw new Error('init cannot talk to the chip');
          while (this.ring.length < RING) this.ring.push(host.pool.getcl()!);
        },
        stop: () => {
          for (const m of this.ring.splice(0)) host.pool.freem(m);
        },
        start: () => {},
      },
    });
    this.ifp.addPollContext({
      ops: {
        poll: (_ctx, budget) => {
          if (this.pollThrows > 0) {
            this.pollThrows--;
            throw new TypeError('driver bug: descriptor index undefined');
          }
          let n = 0;
          while (n < budget && this.pending.length > 0 && this.ring.length > 0) {
            const m = this.ring.pop()!;
            m.len = 8;
            m.pkthdr.len = 8;
            m.view.setUint32(m.off, ETHERTYPE);
            m.view.setUint32(m.off + 4, this.pending.shift()!);
            this.ifp.input(m);
            n++;
            const fresh = host.pool.getcl();
            if (fresh !== null) this.ring.push(fresh);
          }
          return n;
        },
        intrEnable() {},
        intrDisable() {},
        workPending: () => this.pending.length > 0,
      },
    });
    if (host.ethertypes.lookup(ETHERTYPE) === undefined) {
      host.ethertypes.register(ETHERTYPE, 'ring', (m, off, ifp) => {
        (ifp.softc as RingNic).delivered.push(m.view.getUint32(m.off + off));
        m.pool.freem(m);
      });
    }
    this.ifp.upIf();
  }

  receive(...tags: number[]): void {
    this.pending.push(...tags);
    this.ifp.pollContexts[0].kick();
  }
}

describe('a driver poll that throws', () => {
  it('is counted, the interface reset (stop + init), the other interface unaffected, no mbuf lost', () => {
    const { sim, host } = rig();
    const a = new RingNic(host);
    const b = new RingNic(host);
    a.pollThrows = 1;
    a.receive(1, 2, 3);
    b.receive(10, 11);
    sim.runFor(1_000_000);
    expect(a.ifp.counters.faults).toBe(1);
    expect(a.ifp.counters.resets).toBe(1);
    expect(a.ifp.lastFault).toBe('ring0.poll0 poll: TypeError: driver bug: descriptor index undefined');
    expect(a.ifp.up).toBe(true);
    // The reset re-checked for work: the frames waiting when it threw are delivered.
    expect(a.delivered).toEqual([1, 2, 3]);
    expect(b.delivered).toEqual([10, 11]);
    expect(b.ifp.counters.faults).toBe(0);
    // Every cluster is in a ring: stop freed the old ones, init refilled.
    expect(host.pool.stats.clusters.inUse).toBe(2 * RING);
    a.receive(4);
    sim.runFor(1_000_000);
    expect(a.delivered).toEqual([1, 2, 3, 4]);
    void a.ifp.down();
    void b.ifp.down();
    host.pool.assertQuiescent();
  });

  it('faulting again within the hold-down marks the interface down (no reset loop)', () => {
    const { sim, host } = rig();
    const a = new RingNic(host);
    const b = new RingNic(host);
    a.pollThrows = 2;
    a.receive(1);
    sim.runFor(1_000_000);
    expect(a.ifp.counters.faults).toBe(2);
    expect(a.ifp.counters.resets).toBe(1);
    expect(a.ifp.counters.faultDowns).toBe(1);
    expect(a.ifp.up).toBe(false);
    expect(a.ifp.pollContexts[0].state).toBe('disabled');
    expect(a.ifp.lastFault).toMatch(/marked down: faulted again within the hold-down/);
    b.receive(5);
    sim.runFor(1_000_000);
    expect(b.delivered).toEqual([5]);
    expect(host.pool.stats.clusters.inUse).toBe(RING); // a's ring was freed by stop
    // Up again by hand, after the hold-down: it works.
    sim.runFor(FAULT_HOLDDOWN_NS);
    a.ifp.upIf();
    a.receive(2);
    sim.runFor(1_000_000);
    expect(a.delivered).toEqual([1, 2]); // frame 1 was still waiting in the (software) device
  });

  it('a reset that throws marks the interface down', () => {
    const { sim, host } = rig();
    const a = new RingNic(host);
    a.pollThrows = 1;
    a.initThrows = true;
    a.receive(1);
    sim.runFor(1_000_000);
    expect(a.ifp.counters.faultDowns).toBe(1);
    expect(a.ifp.up).toBe(false);
    expect(a.ifp.lastFault).toMatch(/reset failed: Error: init cannot talk to the chip/);
    host.pool.assertQuiescent();
  });
});

describe('an interrupt routine that throws', () => {
  it('masks the line, counts the fault, resets the interface at softnet, and frames flow again', () => {
    const { sim, host } = rig();
    const drv = toyNic(host);
    const line = drv.ctx.interruptLine!;
    const handler = line.handler!;
    let throwOnce = true;
    line.handler = (arg: unknown) => {
      if (throwOnce) {
        throwOnce = false;
        throw new RangeError('ICR bit the driver does not know');
      }
      return handler(arg);
    };
    const other = new RingNic(host);
    drv.dev.receive(1);
    other.receive(7);
    sim.runFor(1_000_000);
    expect(line.stats.faults).toBe(1);
    expect(drv.ifp.counters.faults).toBe(1);
    expect(drv.ifp.counters.resets).toBe(1);
    expect(drv.ifp.lastFault).toMatch(/^toy0 interrupt \(h\.pci0:0\.irq0\): RangeError: ICR bit/);
    expect(line.masked).toBe(false);
    expect(drv.delivered).toEqual([1]);
    expect(other.delivered).toEqual([7]);
    drv.dev.receive(2);
    sim.runFor(1_000_000);
    expect(drv.delivered).toEqual([1, 2]);
  });

  it('on a line no interface claims, the line stays masked and the run goes on', () => {
    const { sim, host } = rig();
    const line = host.cpu.intr.createLine('orphan');
    host.cpu.intr.establish(
      line,
      4,
      () => {
        throw new Error('boom');
      },
      null,
      'orphan',
    );
    line.assert();
    sim.runFor(1_000_000);
    expect(line.masked).toBe(true);
    expect(line.stats.faults).toBe(1);
    expect(host.strayFaults).toBe(1);
  });
});
