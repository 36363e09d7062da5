import type { Cpu } from '../kern/cpu.js';
import { NS_PER_SEC, type Nanoseconds } from '../kern/time.js';
import { VirtualClock } from '../kern/virtual-clock.js';
import { Prng } from './prng.js';
import type { Runner } from './runner.js';

/** Default {@link Simulation.stallLimit}: far more units than any real burst at one instant. */
export const DEFAULT_STALL_LIMIT = 1_000_000;

/** Thrown when a run hits its safety limit without reaching its goal (or virtual time stands still). */
export class SimulationLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationLimitError';
  }
}

/**
 * The discrete-event runner: one {@link VirtualClock}, any number of CPUs (one per host), one seeded PRNG.
 *
 * The loop repeatedly runs one unit of work (an interrupt or a continuation) on the runnable CPU with the
 * earliest local time, or — when no CPU has work before the next hardware timer — advances the clock to
 * that timer. CPUs advance their own local time as they charge work, and the clock catches up at their
 * preemption points, so hardware acts while CPUs are busy.
 *
 * With several hosts, each CPU keeps its own time; a CPU that falls behind the clock frontier (because
 * another CPU ran a long unit) catches up when it next runs. Cross-host effects happen through wires whose
 * latency is normally larger than one unit of work, which keeps the approximation tight; with one host it
 * is exact.
 *
 * Everything is deterministic: the same construction and the same seed give the same run.
 */
export class Simulation implements Runner {
  readonly clock: VirtualClock;
  readonly cpus: Cpu[] = [];
  readonly rng: Prng;
  /** Units of work run so far. */
  units = 0;
  /** Units that may run in a row without any CPU's time advancing before the run is declared stuck. */
  readonly stallLimit: number;
  private stalledUnits = 0;

  constructor(options: { seed?: number; start?: Nanoseconds; stallLimit?: number } = {}) {
    this.clock = new VirtualClock(options.start ?? 0);
    this.rng = new Prng(options.seed ?? 1);
    this.stallLimit = options.stallLimit ?? DEFAULT_STALL_LIMIT;
    if (!Number.isInteger(this.stallLimit) || this.stallLimit < 1) {
      throw new RangeError(`Simulation: stallLimit must be an integer >= 1, got ${this.stallLimit}`);
    }
  }

  addCpu(cpu: Cpu): void {
    if (cpu.clock !== this.clock) throw new Error(`cpu ${cpu.name} was built on another clock`);
    this.cpus.push(cpu);
  }

  now(): Nanoseconds {
    return this.clock.now();
  }

  /** The runnable CPU with the earliest local time (lowest index among equals), or undefined. */
  private pick(): Cpu | undefined {
    let best: Cpu | undefined;
    for (let i = 0; i < this.cpus.length; i++) {
      const cpu = this.cpus[i];
      if (!cpu.runnable) {
        cpu.idle = true;
        continue;
      }
      // An idle CPU starts when the hardware gave it work, not at the frontier other CPUs pushed.
      if (cpu.idle) cpu.resumeFromIdle();
      if (best === undefined || cpu.now() < best.now()) best = cpu;
    }
    return best;
  }

  /**
   * One step: runs a unit on the earliest runnable CPU if it is not later than both the next timer and
   * `until`; otherwise fires the timers up to min(next timer, until). Returns false when nothing is left
   * to do before `until`.
   */
  step(until: Nanoseconds = Number.POSITIVE_INFINITY): boolean {
    this.limit = until;
    return this.stepToLimit();
  }

  /**
   * The bound of the current run. Loops pass it in this field rather than as an argument: times are
   * doubles beyond 2^30 ns, and V8 allocates a heap number for a double passed to a call it did not inline
   * (16 bytes per unit of work otherwise).
   */
  private limit = Number.POSITIVE_INFINITY;

  /** {@link step} up to {@link limit}. */
  private stepToLimit(): boolean {
    const cpu = this.pick();
    const clock = this.clock;
    const nextTimer = clock.nextExpiry();
    if (cpu !== undefined && cpu.now() <= nextTimer && cpu.now() <= this.limit) {
      cpu.timeMoved = false;
      cpu.runUnit();
      this.units++;
      if (cpu.timeMoved) this.stalledUnits = 0;
      else if (++this.stalledUnits >= this.stallLimit) this.stalled(cpu);
      return true;
    }
    if (nextTimer <= this.limit && nextTimer !== Number.POSITIVE_INFINITY) {
      this.stalledUnits = 0;
      clock.advanceTo(nextTimer);
      return true;
    }
    return false;
  }

  /**
   * Virtual time stands still: work keeps being found, and none of it costs anything (a zero-cost
   * profile with a poll that always fills its budget), so `runUntil` would spin forever. Stop instead.
   */
  private stalled(cpu: Cpu): never {
    const units = this.stalledUnits;
    this.stalledUnits = 0;
    throw new SimulationLimitError(
      `virtual time stands still at t=${cpu.now()} ns: ${units} units of work ran on ${cpu.name} without ` +
        `time advancing (last: ${cpu.lastUnit}). Work that never charges time (a zero-cost profile with a ` +
        `poll that always fills its budget) cannot reach a later time: give it a cost profile.`,
    );
  }

  /** Runs until the clock reaches `t` (CPUs may be left with work that starts later). */
  runUntil(t: Nanoseconds): void {
    checkTime('runUntil', 't', t, false);
    this.limit = t;
    this.runToLimit();
  }

  private runToLimit(): void {
    while (this.stepToLimit()) {
      /* keep going */
    }
    this.clock.advanceTo(this.limit);
    this.catchUpIdle();
  }

  /** Idle CPUs' local time follows the clock, so code run between steps (tests, apps) sees "now". */
  private catchUpIdle(): void {
    for (let i = 0; i < this.cpus.length; i++) {
      const cpu = this.cpus[i];
      if (!cpu.runnable) cpu.idleAtFrontier();
    }
  }

  /** Runs for `ns` of simulated time from now. */
  runFor(ns: Nanoseconds): void {
    checkTime('runFor', 'ns', ns, false);
    this.limit = this.clock.now() + ns;
    this.runToLimit();
  }

  /**
   * Runs until no CPU has work and no timer is armed (a quiet system), at most `limit` ns of simulated
   * time (default 60 s). Returns true if it became idle, false if it hit the limit.
   */
  runUntilIdle(limit: Nanoseconds = 60 * NS_PER_SEC): boolean {
    checkTime('runUntilIdle', 'limit', limit, true);
    this.limit = this.clock.now() + limit;
    while (this.stepToLimit()) {
      /* keep going */
    }
    this.catchUpIdle();
    return this.pick() === undefined && this.clock.nextExpiry() === Number.POSITIVE_INFINITY;
  }

  /**
   * Runs until `done()` holds, checking after every step, at most `limit` ns. Throws
   * {@link SimulationLimitError} if the limit is hit first.
   */
  runUntilTrue(done: () => boolean, limit: Nanoseconds = 60 * NS_PER_SEC, what = 'condition'): void {
    checkTime('runUntilTrue', 'limit', limit, true);
    const end = this.clock.now() + limit;
    this.limit = end;
    while (!done()) {
      if (!this.stepToLimit()) {
        throw new SimulationLimitError(`${what} not reached by t=${end} ns (now ${this.clock.now()} ns)`);
      }
    }
    this.catchUpIdle();
  }
}

/** A run bound must be a non-negative number (NaN would poison the clock; Infinity only where allowed). */
function checkTime(fn: string, what: string, v: number, infinite: boolean): void {
  if (!(v >= 0) || (!infinite && v === Number.POSITIVE_INFINITY)) {
    throw new RangeError(`Simulation.${fn}: ${what} must be a ${infinite ? '' : 'finite '}number >= 0 (ns), got ${v}`);
  }
}
