import {
  type AllocationGuardMode,
  type CostProfile,
  type Host,
  type MitigationPolicyFactory,
  Simulation,
  ZERO_COST_PROFILE,
  alwaysUnmask,
  createPlatform,
} from '../../src/index.js';
import { ToyNicDevice, ToyNicDriver, type ToyDriverOptions } from './toy-nic.js';

export interface Rig {
  sim: Simulation;
  host: Host;
}

/** A simulation with one host (zero-cost profile and always-unmask unless told otherwise). */
export function rig(
  options: {
    seed?: number;
    costs?: CostProfile;
    policy?: MitigationPolicyFactory;
    hz?: number;
    allocationGuard?: AllocationGuardMode;
  } = {},
): Rig {
  const sim = new Simulation({ seed: options.seed ?? 1 });
  const host = createPlatform().createHost({
    name: 'h',
    runner: sim,
    costs: options.costs ?? ZERO_COST_PROFILE,
    mitigationPolicy: options.policy ?? alwaysUnmask,
    hz: options.hz,
    allocationGuard: options.allocationGuard,
  });
  return { sim, host };
}

/** Plugs a toy NIC into the host, attaches the toy driver and brings the interface up. */
export function toyNic(host: Host, options: ToyDriverOptions & { fifoSize?: number } = {}): ToyNicDriver {
  const drv = new ToyNicDriver(host, new ToyNicDevice(options.fifoSize ?? 256), options);
  drv.ifp.upIf();
  return drv;
}

/**
 * A hardware traffic source: `count` frames into `dev`, the first at `start`, then every `interval` ns
 * (or a burst of `count` at once when `interval` is 0). Tags are 1, 2, 3, ...
 */
export function traffic(
  sim: Simulation,
  dev: ToyNicDevice,
  start: number,
  interval: number,
  count: number,
): () => number {
  let sent = 0;
  const timer = sim.clock.createTimer('traffic', () => {
    if (interval === 0) {
      while (sent < count) dev.receive(++sent);
      return;
    }
    dev.receive(++sent);
    if (sent < count) timer.armAfter(interval);
  });
  timer.arm(start);
  return () => sent;
}
