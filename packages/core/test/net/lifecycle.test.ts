/**
 * Interface lifecycle under any interleaving (issue 8): `down()` and `upIf()` issued from outside, from
 * inside a running poll (as a protocol input would) or from the hardware side at a preemption point in
 * the middle of a poll, in any order, end in the state last asked for — and when that is "up", packets
 * flow again.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../src/index.js';
import { rig, toyNic } from '../helpers/setup.js';

type Where = 'outside' | 'poll' | 'preempt';
interface Action {
  op: 'down' | 'up';
  where: Where;
  /** ns after the previous action. */
  gap: number;
}

describe('down/up from anywhere ends in the last-asked state', () => {
  it('regression: down() then upIf() from inside a running poll leaves the interface polling', () => {
    const { sim, host } = rig();
    let once = true;
    const drv = toyNic(host, {
      duringPoll: (ctx) => {
        if (!once) return;
        once = false;
        void ctx.ifp.down();
        ctx.ifp.upIf();
      },
    });
    drv.dev.receive(1);
    sim.runFor(1_000_000);
    expect(drv.ifp.up).toBe(true);
    expect(drv.ctx.state).not.toBe('disabled');
    drv.dev.receive(2);
    sim.runFor(1_000_000);
    expect(drv.delivered).toContain(2);
  });

  it('property: random sequences from outside, inside the poll and at preemption points', async () => {
    const action = fc.record({
      op: fc.constantFrom<'down' | 'up'>('down', 'up'),
      where: fc.constantFrom<Where>('outside', 'poll', 'preempt'),
      gap: fc.integer({ min: 0, max: 50_000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions: Action[]) => {
        const { sim, host } = rig();
        const executed: ('down' | 'up')[] = [];
        const inPoll: ('down' | 'up')[] = [];
        const waits: Promise<void>[] = [];
        const apply = (op: 'down' | 'up') => {
          executed.push(op);
          if (op === 'up') drv.ifp.upIf();
          else waits.push(drv.ifp.down());
        };
        const drv = toyNic(host, {
          duringPoll: () => {
            while (inPoll.length > 0) apply(inPoll.shift()!);
          },
        });
        // Steady traffic keeps polls running, so "inside a poll" and "at a preemption point" happen.
        let tag = 0;
        const src = sim.clock.createTimer('traffic', () => {
          drv.dev.receive(++tag);
          src.armAfter(2_000);
        });
        src.arm(0);
        for (const a of actions) {
          sim.runFor(a.gap);
          if (a.where === 'outside') apply(a.op);
          else if (a.where === 'poll') inPoll.push(a.op);
          else {
            // Fires when the clock next catches up: at a preemption point inside a poll if one is running.
            const t = sim.clock.createTimer('preempt-action', () => apply(a.op));
            t.armAfter(1);
          }
          await Promise.resolve();
        }
        sim.runFor(100_000);
        src.cancel();
        inPoll.length = 0; // requests that never found a poll to run in were never issued
        sim.runFor(100_000);
        await Promise.all(waits); // every down() resolves
        const last = executed.at(-1);
        if (last === undefined) return;
        expect(drv.ifp.up).toBe(last === 'up');
        if (last === 'up') {
          expect(drv.ctx.state).not.toBe('disabled');
          const before = drv.delivered.length;
          drv.dev.receive(1_000_000);
          sim.runFor(100_000);
          expect(drv.delivered.length).toBe(before + 1);
        } else {
          expect(drv.ctx.state).toBe('disabled');
        }
        host.pool.assertQuiescent();
      }),
      fuzzParameters({ seed: 0x11fe, numRuns: 200 }),
    );
  });
});
