/**
 * The classic receive path built from core's interrupt-work mode and `Netisr` (the top half receiving in
 * the interrupt routine and queueing on `ipintrq`, the soft interrupt dispatching) allocates nothing on the
 * JavaScript heap. In a file of its own: call sites made polymorphic by other tests in the same process
 * would box doubles.
 *
 * The burst is taken by one interrupt (`maxWork` 64). With an interrupt per frame every frame is a unit
 * of work of its own: `test/sim/simulation-heap.test.ts` measures that case (the simulation loop boxed up
 * to two doubles per unit there, 13–32 B per frame, until it kept its times in typed-array cells).
 */
import { describe, expect, it } from 'vitest';
import { Netisr, Simulation, alwaysUnmask, createPlatform } from '../../src/index.js';
import { heapCost } from '../helpers/heap.js';
import { TOY_ETHERTYPE, ToyNicDevice, ToyNicDriver } from '../helpers/toy-nic.js';

describe('the classic path allocates nothing on the JS heap', () => {
  it('receive in the interrupt routine + ipintrq (with overflow drops) + soft interrupt: under 4 bytes per packet', async () => {
    const BURST = 64;
    const sim = new Simulation();
    const host = createPlatform().createHost({
      name: 'heap',
      runner: sim,
      mitigationPolicy: alwaysUnmask,
      allocationGuard: 'count',
    });
    let delivered = 0;
    host.ethertypes.register(TOY_ETHERTYPE, 'heap-sink', (m) => {
      delivered++;
      m.pool.freem(m);
    });
    const dev = new ToyNicDevice(256);
    dev.traceMasks = false;
    const drv = new ToyNicDriver(host, dev);
    drv.ifp.upIf();
    drv.ctx.setInterruptWork({ maxWork: BURST, whenExhausted: 'reinterrupt' });
    host.ethertypes.unregister(TOY_ETHERTYPE);
    const ni = new Netisr(host, {
      name: 'ipintrq',
      input: (m) => {
        delivered++;
        m.pool.freem(m);
      },
    });
    host.ethertypes.register(TOY_ETHERTYPE, 'ipintrq', ni.asInput);
    const cost = await heapCost(
      () => {
        for (let j = 0; j < BURST; j++) dev.receive(j + 1);
        sim.runFor(200_000);
      },
      10_000,
      5_000,
      256,
    );
    const perPacket = cost.medianBytesPerIteration / BURST;
    expect(delivered).toBe(15_000 * 50);
    expect(ni.stats.full).toBe(15_000 * 14); // 64 per burst into a queue of 50
    // 0.00–0.01 B per packet measured (about 0.1 before the simulation loop kept its times in cells); one
    // object per 16 packets fails (the margin is for a loaded machine, where V8 optimises later and some
    // of the warm-up's unoptimised code can reach the measured window).
    expect(perPacket, JSON.stringify(cost)).toBeLessThan(1);
  });
});
