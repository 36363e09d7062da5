/**
 * Hardware timers firing on the virtual clock allocate nothing, also beyond 2^31 ns: a device timer
 * re-armed from its own callback (as a device model's interrupt throttle or a periodic tick is), fired by
 * the simulation loop advancing the clock (`advanceToCell` from the loop's cells; 16 B per firing before,
 * when the loop passed the next expiry to `clock.advanceTo` as a double).
 * V8's own counters through `test/helpers/heap.ts`.
 *
 * Not covered, and not allocation-free: `timer.arm(at)` with a time computed by a caller V8 does not inline
 * passes a double across a call (16 B per arming measured beyond 2^31 ns); `armAfter(delta)` with a small
 * delta does not.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/index.js';
import { heapCost } from '../helpers/heap.js';

const PERIOD = 1000;
const FIRES = 200;

describe('virtual-clock timers allocate nothing per firing', () => {
  it('a timer re-armed by armAfter from its callback, from 2^32 ns: under 0.1 bytes per firing', async () => {
    const sim = new Simulation({ start: 2 ** 32 });
    let fired = 0;
    const timer = sim.clock.createTimer('dev.tick', () => {
      fired++;
      timer.armAfter(PERIOD);
    });
    timer.armAfter(PERIOD);
    const ITER = 5_000;
    const WARM = 2_000;
    const cost = await heapCost(() => sim.runFor(FIRES * PERIOD), ITER, WARM, 64);
    // The median interval: robust to a stray allocation elsewhere in the process (see helpers/heap.ts).
    const perFiring = cost.medianBytesPerIteration / FIRES;
    console.log('timer re-armed by armAfter', cost, { perFiring });
    expect(fired).toBe((ITER + WARM) * FIRES);
    // 0.003–0.004 B per firing measured; a heap number (16 B) per 160 firings fails.
    expect(perFiring, JSON.stringify(cost)).toBeLessThan(0.1);
  });
});
