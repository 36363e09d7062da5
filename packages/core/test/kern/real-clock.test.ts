import { describe, expect, it } from 'vitest';
import { Callout, type Mbuf, RealClock, RealTimeRunner, createPlatform, m_copydata } from '../../src/index.js';

describe('the real clock runs the same kernel code', () => {
  it('loops packets through lo0 and fires callouts in wall time', async () => {
    const runner = new RealTimeRunner();
    const platform = createPlatform();
    const got: string[] = [];
    let resolveAll!: () => void;
    const allIn = new Promise<void>((r) => {
      resolveAll = r;
    });
    platform.registerProtocol({
      name: 'echo-test',
      attach(host) {
        host.ethertypes.register(0x88b5, 'test', (m: Mbuf) => {
          const b = new Uint8Array(m.pkthdr.len);
          m_copydata(m, 0, b.length, b, 0);
          got.push(new TextDecoder().decode(b));
          m.pool.freem(m);
          if (got.length === 3) resolveAll();
        });
      },
    });
    const host = platform.createHost({ name: 'real', runner, hz: 100 });
    try {
      const start = performance.now();
      for (const word of ['a', 'bb', 'ccc']) {
        const m = host.pool.devget(new TextEncoder().encode(word), 0, word.length, null)!;
        host.lo0!.output(m, 0x88b5, null);
      }
      await allIn;
      expect(got).toEqual(['a', 'bb', 'ccc']);

      const fired = new Promise<number>((resolve) => {
        host.callouts.reset(new Callout('wall', () => resolve(performance.now() - start), null), 3);
      });
      const elapsed = await fired;
      // Three ticks at hz=100 are at least 20 ms of wall time away (the first boundary may be close).
      expect(elapsed).toBeGreaterThanOrEqual(20);
      expect(host.lo0!.counters.ipackets).toBe(3);
      host.pool.assertQuiescent();
    } finally {
      runner.stop();
    }
  });
});

describe('RealClock event-loop wakeups', () => {
  it('arming earlier timers many times in one task moves the wakeup once, when the task ends', async () => {
    const clock = new RealClock();
    try {
      const far = clock.createTimer('far', () => {});
      far.armAfter(10e9);
      await Promise.resolve();
      const before = clock.wakeupsArmed;
      expect(before).toBe(1);
      // A device arming its timer per frame, each time earlier than the far wakeup.
      let fired = 0;
      const tx = clock.createTimer('tx', () => fired++);
      for (let i = 0; i < 10_000; i++) {
        tx.arm(clock.now() + 1e6);
        clock.advanceTo(clock.now() + 2e6); // fires it, as a preemption point would
      }
      expect(fired).toBe(10_000);
      expect(clock.wakeupsArmed).toBe(before);
      // The last arming, left pending, gets its wakeup once the task ends (a microtask) and fires from
      // the event loop with no CPU running.
      const done = new Promise<void>((resolve) => {
        const last = clock.createTimer('last', () => resolve());
        last.armAfter(2e6);
      });
      await done;
      // Its wakeup, plus one for the far timer again, plus one per early wake of the event loop (a
      // `setTimeout` may fire before the nanosecond deadline it was rounded from; on a loaded machine
      // that happened twice). The property under test is a handful of wakeups, not one per arming.
      expect(clock.wakeupsArmed).toBeGreaterThan(before);
      expect(clock.wakeupsArmed).toBeLessThanOrEqual(before + 10);
    } finally {
      clock.stop();
    }
  });

  it('after stop no wakeup is armed', async () => {
    const clock = new RealClock();
    clock.stop();
    clock.createTimer('t', () => {}).armAfter(1e6);
    await Promise.resolve();
    expect(clock.wakeupsArmed).toBe(0);
  });
});
