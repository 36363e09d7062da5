import type { Clock } from '../kern/clock.js';
import type { Cpu } from '../kern/cpu.js';

/**
 * What drives CPUs: the {@link Simulation} (virtual clock, deterministic) or the {@link RealTimeRunner}
 * (wall clock, event loop). Hosts register their CPU with the runner of the clock they were built on.
 */
export interface Runner {
  readonly clock: Clock;
  addCpu(cpu: Cpu): void;
}
