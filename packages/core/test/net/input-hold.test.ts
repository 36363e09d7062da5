import { describe, expect, it } from 'vitest';
import { rig, toyNic, traffic } from '../helpers/setup.js';
import { CAUSE_RX } from '../helpers/toy-nic.js';

describe('input hold (Mogul & Ramakrishnan: feedback from a full queue to input processing)', () => {
  it('parks the poll with the interrupt masked, lets the device drop the excess, and resumes on release', () => {
    const { sim, host } = rig();
    const drv = toyNic(host, { fifoSize: 16 });
    drv.ifp.holdInput();
    expect(drv.ifp.inputHeld).toBe(true);
    expect(drv.ifp.counters.inputHolds).toBe(1);
    traffic(sim, drv.dev, 1000, 0, 40); // a burst of 40 into a FIFO of 16
    sim.runUntilIdle();
    expect(drv.delivered).toEqual([]); // no CPU spent on them
    expect(drv.ctx.stats.holdParks).toBe(1);
    expect(drv.ctx.stats.polls).toBe(0);
    expect(drv.dev.ims & CAUSE_RX).toBe(0); // masked at the device
    expect(drv.dev.missed).toBe(24); // dropped by the device, counted there
    drv.ifp.releaseInput();
    sim.runUntilIdle();
    expect(drv.delivered).toHaveLength(16);
    expect(drv.ctx.state).toBe('idle');
    expect(drv.dev.ims & CAUSE_RX).toBe(CAUSE_RX);
  });

  it('nests holds, ignores a release without a hold, and applies holds to contexts added later', () => {
    const { sim, host } = rig();
    const drv = toyNic(host);
    drv.ifp.releaseInput(); // no hold: no-op
    expect(drv.ifp.inputHeld).toBe(false);
    drv.ifp.holdInput();
    drv.ifp.holdInput();
    traffic(sim, drv.dev, 1000, 0, 3);
    sim.runUntilIdle();
    drv.ifp.releaseInput();
    sim.runUntilIdle();
    expect(drv.delivered).toEqual([]); // one hold still in force
    const late = drv.ifp.addPollContext({
      ops: { poll: () => 0, intrEnable: () => {}, intrDisable: () => {}, workPending: () => false },
    });
    expect(late.held).toBe(true);
    drv.ifp.releaseInput();
    sim.runUntilIdle();
    expect(drv.delivered).toEqual([1, 2, 3]);
    expect(late.held).toBe(false);
  });

  it('a context disabled while parked comes back clean when the interface is brought up again', async () => {
    const { sim, host } = rig();
    const drv = toyNic(host);
    drv.ifp.holdInput();
    traffic(sim, drv.dev, 1000, 0, 2);
    sim.runUntilIdle();
    expect(drv.ctx.stats.holdParks).toBe(1);
    const down = drv.ifp.down();
    sim.runUntilIdle();
    await down;
    drv.ifp.releaseInput();
    drv.ifp.upIf();
    traffic(sim, drv.dev, sim.clock.now() + 1000, 0, 1);
    sim.runUntilIdle();
    expect(drv.delivered.length).toBeGreaterThan(0);
    expect(drv.ctx.state).toBe('idle');
  });
});
