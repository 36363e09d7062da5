import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_PROFILE, Simulation, createPlatform, msec, rateThreshold } from '../../src/index.js';
import { toyNic } from '../helpers/setup.js';

/** Two toy NICs under Poisson load from the simulation's seeded PRNG, default costs, seed-000 policy. */
function run(seed: number): string {
  const sim = new Simulation({ seed });
  const host = createPlatform().createHost({
    name: 'h',
    runner: sim,
    costs: DEFAULT_COST_PROFILE,
    mitigationPolicy: rateThreshold({ maxInterruptRate: 20_000 }),
  });
  const nics = [toyNic(host, { fifoSize: 128 }), toyNic(host, { fifoSize: 128 })];
  for (const [i, nic] of nics.entries()) {
    let tag = 0;
    const t = sim.clock.createTimer(`poisson${i}`, () => {
      nic.dev.receive(++tag);
      t.armAfter(sim.rng.exponential(i === 0 ? 4_000 : 25_000)); // 250k/s and 40k/s mean rates
    });
    t.arm(sim.rng.exponential(10_000));
  }
  sim.runUntil(msec(50));
  return JSON.stringify({
    host: host.snapshot(),
    delivered: nics.map((n) => n.delivered.length),
    missed: nics.map((n) => n.dev.missed),
    last: nics.map((n) => n.delivered.slice(-5)),
    units: sim.units,
  });
}

describe('determinism', () => {
  it('the same seed gives the same run, byte for byte', () => {
    const a = run(42);
    const b = run(42);
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThan(1000);
  });

  it('a different seed gives a different run', () => {
    expect(run(42)).not.toBe(run(43));
  });

  it('the run is a real overload: the device drops, software never does', () => {
    const r = JSON.parse(run(42)) as {
      delivered: number[];
      missed: number[];
      host: { interfaces: { counters: { drops: object } }[] };
    };
    expect(r.missed[0]).toBeGreaterThan(0);
    for (const ifc of r.host.interfaces) expect(ifc.counters.drops).toEqual({});
  });
});
