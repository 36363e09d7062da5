/**
 * The coalescing check: `ethtool -C` on a driver (core's `ifp.setCoalescing`). A driver either maps the
 * parameters onto its moderation hardware (`PollOps.setCoalescing`) or leaves `rx-usecs` to core's
 * emulation; either way the setting reads back, frames still pass, and the interrupt rate falls.
 *
 * @module
 */
import type { ConformanceCheck } from './checks.js';
import { MS } from './rig.js';
import { ContractViolation, expectRule } from './rules.js';
import { expectAccounted, mark, stream } from './traffic.js';

/** `rx-usecs` the check sets: 500 µs, so a 10,000 frames/s stream needs at most one interrupt per 5 frames. */
const RX_USECS = 500;
const FRAMES = 100;
const RATE = 10_000; // within a 10 Mb/s card's line rate for 60-byte frames

export const COALESCING_CHECK: ConformanceCheck = {
  id: 'coalescing',
  title:
    'ethtool -C: rx-usecs is accepted and read back on every queue; rx-frames is applied or refused with a RangeError that changes nothing; frames pass with fewer interrupts',
  rules: ['coalescing', 'accounting'],
  async run(rig) {
    const nic = rig.up();
    const ifp = nic.ifp;
    try {
      ifp.setCoalescing({ rxUsecs: RX_USECS });
    } catch (e) {
      throw new ContractViolation(
        'coalescing',
        `setCoalescing({ rxUsecs: ${RX_USECS} }) threw (${(e as Error).message}): map rx-usecs onto the hardware, or leave PollOps.setCoalescing out so the kernel emulates it`,
      );
    }
    for (const ctx of ifp.pollContexts) {
      const c = ctx.coalescing;
      expectRule(
        c.rxUsecs === RX_USECS,
        'coalescing',
        () => `${ctx.name} reads back rx-usecs ${c.rxUsecs} after ${RX_USECS} was set`,
      );
    }
    const before = ifp.getCoalescing();
    try {
      ifp.setCoalescing({ rxFrames: 8 });
      expectRule(
        ifp.getCoalescing().rxFrames === 8,
        'coalescing',
        () => 'rx-frames 8 was accepted but reads back otherwise',
      );
      ifp.setCoalescing({ rxFrames: 0 });
    } catch (e) {
      if (e instanceof ContractViolation) throw e;
      expectRule(
        e instanceof RangeError,
        'coalescing',
        () =>
          `refusing rx-frames must throw a RangeError (EOPNOTSUPP), got ${(e as Error).name}: ${(e as Error).message}`,
      );
      const after = ifp.getCoalescing();
      expectRule(
        after.rxUsecs === before.rxUsecs && after.rxFrames === before.rxFrames,
        'coalescing',
        () => `a refused rx-frames changed the setting (${JSON.stringify(before)} → ${JSON.stringify(after)})`,
      );
    }
    const from = mark(rig, nic);
    const interrupts = ifp.counters.interrupts;
    stream(rig, nic, RATE, FRAMES);
    rig.run(FRAMES * (1e9 / RATE) + 5 * MS);
    const taken = ifp.counters.interrupts - interrupts;
    expectRule(
      taken <= FRAMES / 2,
      'coalescing',
      () =>
        `${taken} interrupts for ${FRAMES} frames 100 µs apart with rx-usecs ${RX_USECS}: the setting has no effect`,
    );
    await expectAccounted(rig, nic, from, FRAMES, 'a stream with rx-usecs set');
  },
};
