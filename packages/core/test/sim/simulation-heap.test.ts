/**
 * The virtual-clock simulation loop allocates nothing per unit of work, also once virtual time is beyond
 * the small-integer range (2^31 ns). The worst case for the loop is the legacy model, where every frame is
 * a unit of its own (an interrupt per frame, `maxWork` 1): the loop picks a CPU, compares its time with the
 * next timer and the run's bound, and runs the unit, about 65 times per burst. Before the loop kept its
 * times in typed-array cells (`Simulation`'s `t`, `Cpu.nowInto`, `VirtualClock.nextExpiryInto`) each of
 * those comparisons could box a returned double: 13–32 B per frame measured.
 *
 * In a file of its own: call sites made polymorphic by other tests in the same process change what V8
 * inlines. V8's own counters through `test/helpers/heap.ts`, never timing.
 */
import { describe, expect, it } from 'vitest';
import { Netisr, Simulation, alwaysUnmask, createPlatform } from '../../src/index.js';
import { heapCost } from '../helpers/heap.js';
import { TOY_ETHERTYPE, ToyNicDevice, ToyNicDriver } from '../helpers/toy-nic.js';

const BURST = 64;

function legacyRig(start: number) {
  const sim = new Simulation({ start });
  const host = createPlatform().createHost({
    name: 'heap',
    runner: sim,
    mitigationPolicy: alwaysUnmask,
    allocationGuard: 'count',
  });
  const dev = new ToyNicDevice(256);
  dev.traceMasks = false;
  const drv = new ToyNicDriver(host, dev);
  drv.ifp.upIf();
  // One frame per interrupt: each frame is a unit of work of its own (the classic interrupt-per-packet model).
  drv.ctx.setInterruptWork({ maxWork: 1, whenExhausted: 'reinterrupt' });
  let delivered = 0;
  const ni = new Netisr(host, {
    name: 'ipintrq',
    input: (m) => {
      delivered++;
      m.pool.freem(m);
    },
  });
  host.ethertypes.unregister(TOY_ETHERTYPE);
  host.ethertypes.register(TOY_ETHERTYPE, 'ipintrq', ni.asInput);
  return { sim, host, dev, delivered: () => delivered };
}

describe('the simulation loop allocates nothing per unit of work', () => {
  // The run at 2^32 ns first: before the fix it was the worse one (about 33 B per frame when run alone).
  for (const start of [2 ** 32, 0]) {
    it(`an interrupt per frame, starting at t=${start} ns: under 1 byte per frame`, async () => {
      const r = legacyRig(start);
      const ITER = 10_000;
      const WARM = 5_000;
      const cost = await heapCost(
        () => {
          for (let j = 0; j < BURST; j++) r.dev.receive(j + 1);
          r.sim.runFor(200_000);
        },
        ITER,
        WARM,
        256,
      );
      const perFrame = cost.medianBytesPerIteration / BURST;
      console.log(`simulation loop, interrupt per frame, start ${start} ns`, cost, { perFrame }, r.sim.now());
      expect(r.delivered()).toBe((ITER + WARM) * 50); // the netisr queue of 50 overflows, as in the classic model
      expect(r.host.cpu.stats.interrupts).toBeGreaterThanOrEqual((ITER + WARM) * 50);
      expect(r.sim.now()).toBeGreaterThan(start + (ITER + WARM) * 199_000);
      // 0.00–0.02 B per frame measured (was 13–32 at t=0 and about 33 beyond 2^31 ns). One heap number
      // (16 B) per 16 frames fails; the margin is for a loaded machine, where V8 optimises later.
      expect(perFrame, JSON.stringify(cost)).toBeLessThan(1);
    });
  }
});
