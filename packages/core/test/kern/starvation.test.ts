/**
 * Softnet overload must not starve the clock (issue 8): with a poll that always fills its budget,
 * callouts (watchdogs, ARP and reassembly timers) still run — softclock gets a bounded share like process
 * level does — and with a zero-cost profile, where such a poll makes virtual time stand still, the run
 * stops with a clear error instead of spinning forever.
 */
import { describe, expect, it } from 'vitest';
import {
  Callout,
  DEFAULT_COST_PROFILE,
  type Host,
  IFT_LOOP,
  type Ifnet,
  Simulation,
  SimulationLimitError,
  ZERO_COST_PROFILE,
  createPlatform,
} from '../../src/index.js';

/** An interface whose poll always finds a full budget of work (charging the CPU for it). */
function busyInterface(host: Host): Ifnet {
  const ifp = host.ifAttach({ name: 'busy', ifType: IFT_LOOP, ops: { init() {}, stop() {}, start() {} } });
  const ctx = ifp.addPollContext({
    ops: {
      poll(c, budget) {
        for (let i = 0; i < budget; i++) c.ifp.host.cpu.chargeLayer('driverRx');
        return budget;
      },
      intrEnable() {},
      intrDisable() {},
      workPending: () => true,
    },
  });
  ifp.upIf();
  ctx.kick();
  return ifp;
}

function host(
  costs = DEFAULT_COST_PROFILE,
  sim = new Simulation(),
  softQuota?: number,
): { sim: Simulation; host: Host } {
  return { sim, host: createPlatform().createHost({ name: 'h', runner: sim, costs, softQuota }) };
}

describe('softclock under softnet overload', () => {
  for (const softQuota of [undefined, Number.POSITIVE_INFINITY]) {
    it(`callouts fire on time within a bounded share (softQuota ${softQuota ?? 'default'})`, () => {
      const { sim, host: h } = host(DEFAULT_COST_PROFILE, new Simulation(), softQuota);
      busyInterface(h);
      const fired: number[] = [];
      const c = new Callout('timer', () => fired.push(h.now()), null);
      h.callouts.resetPeriodic(c, 1); // every tick (10 ms at hz 100)
      sim.runFor(200_000_000);
      // 20 ticks in 200 ms; each fires at most a softclock share after its tick.
      expect(fired.length).toBeGreaterThanOrEqual(18);
      for (let i = 0; i < fired.length; i++) expect(fired[i] - (i + 1) * 10_000_000).toBeLessThan(3_000_000);
      expect(h.cpu.stats.softclockTurns).toBeGreaterThan(0);
    });
  }

  it('the interface watchdog (a callout) still runs', () => {
    const { sim, host: h } = host();
    const ifp = busyInterface(h);
    let watchdogs = 0;
    (ifp.ops as { watchdog?: () => void }).watchdog = () => watchdogs++;
    ifp.watchdogTimer = 2;
    h.armWatchdog();
    sim.runFor(3_000_000_000);
    expect(watchdogs).toBe(1);
    expect(ifp.counters.drops['watchdog.timeout']).toBe(1);
  });
});

describe('zero-cost profile with a poll that always fills its budget', () => {
  it('runFor stops with a clear SimulationLimitError instead of spinning', () => {
    const { sim, host: h } = host(ZERO_COST_PROFILE, new Simulation({ stallLimit: 20_000 }));
    busyInterface(h);
    expect(() => sim.runFor(1_000_000)).toThrow(SimulationLimitError);
    expect(() => sim.runFor(1_000_000)).toThrow(/virtual time stands still at t=0 ns: 20000 units .*last: busy0.poll0/);
  });

  it('the default limit stops it too', () => {
    const { sim, host: h } = host(ZERO_COST_PROFILE);
    busyInterface(h);
    expect(() => sim.runUntilIdle()).toThrow(/stands still/);
  });

  it('a zero-cost run that makes progress is not stopped', () => {
    const { sim, host: h } = host(ZERO_COST_PROFILE, new Simulation({ stallLimit: 10 }));
    const c = new Callout('t', () => {}, null);
    h.callouts.resetPeriodic(c, 1);
    sim.runFor(1_000_000_000);
    expect(c.fired).toBe(100);
  });
});
