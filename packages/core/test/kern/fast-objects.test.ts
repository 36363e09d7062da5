/**
 * Objects the data path updates per packet stay in V8's fast (hidden-class) mode. An object in dictionary
 * mode turns every `x.count++` into a hash-table lookup: `cpu.stats` was one (its `chargedInterrupt` key
 * redefined as an accessor), which cost 4–5 % of the e1000 receive path without showing up as a line of
 * its own in a profile. V8's `%HasFastProperties`, enabled for this file only (`--allow-natives-syntax`).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Simulation, ZERO_COST_PROFILE, createPlatform } from '../../src/index.js';

setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

describe('hot-path objects stay in fast mode', () => {
  it('the CPU, its counters, its queues, an interface and its counters', () => {
    const sim = new Simulation();
    const host = createPlatform().createHost({ name: 'h', runner: sim, costs: ZERO_COST_PROFILE, loopback: true });
    const lo = host.lo0!;
    const cpu = host.cpu;
    cpu.chargeLayerId(0);
    cpu.preempt();
    lo.input(host.pool.devget(new Uint8Array(20), 0, 20, null)!);
    sim.runFor(1_000_000);
    const objects: Record<string, object> = {
      cpu,
      'cpu.stats': cpu.stats,
      'cpu.sched': cpu.sched,
      'cpu.sched.stats': cpu.sched.stats,
      'cpu.intr': cpu.intr,
      ifnet: lo,
      'ifnet.counters': lo.counters,
      dispatch: host.ethertypes,
    };
    for (const [name, o] of Object.entries(objects)) expect(hasFastProperties(o), name).toBe(true);
    // The snapshot still shows the interrupt-context charge as an own key.
    expect(Object.keys({ ...cpu.stats })).toContain('chargedInterrupt');
  });
});
