import type { Cpu } from '../kern/cpu.js';
import { NS_PER_SEC, type Nanoseconds } from '../kern/time.js';
import { VirtualClock } from '../kern/virtual-clock.js';
import { Prng } from './prng.js';
import type { Runner } from './runner.js';

/** Default {@link Simulation.stallLimit}: far more units than any real burst at one instant. */
export const DEFAULT_STALL_LIMIT = 1_000_000;

/** Default bound of {@link Simulation.runUntilIdle} and {@link Simulation.runUntilTrue}: 60 s. */
const DEFAULT_RUN_LIMIT = 60 * NS_PER_SEC;

/** Slots of {@link Simulation}'s time cells: the run's bound, the next timer, the picked CPU's time, a candidate's. */
const LIMIT = 0;
const NEXT_TIMER = 1;
const BEST = 2;
const CANDIDATE = 3;

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

  /**
   * The loop's times, in typed-array cells rather than locals, fields or arguments: times are doubles
   * beyond 2^30 ns, and V8 allocates a heap number for a double returned from or passed to a call it did
   * not inline — up to 32 bytes per unit of work in the legacy interrupt-per-frame model, and on every path
   * once virtual time passes 2^31 ns. The CPUs and the clock write their times here (`nowInto`,
   * `nextExpiryInto`) and the clock reads them back (`advanceToCell`), so no double ever crosses a call.
   * Slots: {@link LIMIT}, {@link NEXT_TIMER}, {@link BEST}, {@link CANDIDATE}.
   */
  private readonly t = new Float64Array(4);

  /** The runnable CPU with the earliest local time (lowest index among equals), or undefined; its time in `t[BEST]`. */
  private pick(): Cpu | undefined {
    const t = this.t;
    let best: Cpu | undefined;
    for (let i = 0; i < this.cpus.length; i++) {
      const cpu = this.cpus[i];
      if (!cpu.runnable) {
        cpu.idle = true;
        continue;
      }
      // An idle CPU starts when the hardware gave it work, not at the frontier other CPUs pushed.
      if (cpu.idle) cpu.resumeFromIdle();
      cpu.nowInto(t, CANDIDATE);
      if (best === undefined || t[CANDIDATE] < t[BEST]) {
        best = cpu;
        t[BEST] = t[CANDIDATE];
      }
    }
    return best;
  }

  /**
   * One step: runs a unit on the earliest runnable CPU if it is not later than both the next timer and
   * `until`; otherwise fires the timers up to min(next timer, until). Returns false when nothing is left
   * to do before `until`.
   */
  step(until: Nanoseconds = Number.POSITIVE_INFINITY): boolean {
    this.t[LIMIT] = until;
    return this.stepToLimit();
  }

  /** {@link step} up to `t[LIMIT]`. */
  private stepToLimit(): boolean {
    const t = this.t;
    const cpu = this.pick();
    const clock = this.clock;
    clock.nextExpiryInto(t, NEXT_TIMER);
    if (cpu !== undefined && t[BEST] <= t[NEXT_TIMER] && t[BEST] <= t[LIMIT]) {
      cpu.timeMoved = false;
      cpu.runUnit();
      this.units++;
      if (cpu.timeMoved) this.stalledUnits = 0;
      else if (++this.stalledUnits >= this.stallLimit) this.stalled(cpu);
      return true;
    }
    if (t[NEXT_TIMER] <= t[LIMIT] && t[NEXT_TIMER] !== Number.POSITIVE_INFINITY) {
      this.stalledUnits = 0;
      clock.advanceToCell(t, NEXT_TIMER);
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
    if (!(t >= 0) || t === Number.POSITIVE_INFINITY) badTime('runUntil', 't', t, false);
    this.t[LIMIT] = t;
    this.runToLimit();
  }

  private runToLimit(): void {
    while (this.stepToLimit()) {
      /* keep going */
    }
    this.clock.advanceToCell(this.t, LIMIT);
    this.catchUpIdle();
  }

  /** `t[LIMIT]` = now + `ns` (the sum computed in the cell: no double returned or passed). */
  private limitAfter(ns: Nanoseconds): void {
    const t = this.t;
    this.clock.nowInto(t, LIMIT);
    t[LIMIT] += ns;
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
    if (!(ns >= 0) || ns === Number.POSITIVE_INFINITY) badTime('runFor', 'ns', ns, false);
    this.limitAfter(ns);
    this.runToLimit();
  }

  /**
   * Runs until no CPU has work and no timer is armed (a quiet system), at most `limit` ns of simulated
   * time (default 60 s). Returns true if it became idle, false if it hit the limit.
   */
  runUntilIdle(limit: Nanoseconds = DEFAULT_RUN_LIMIT): boolean {
    if (!(limit >= 0)) badTime('runUntilIdle', 'limit', limit, true);
    this.limitAfter(limit);
    while (this.stepToLimit()) {
      /* keep going */
    }
    this.catchUpIdle();
    if (this.pick() !== undefined) return false;
    this.clock.nextExpiryInto(this.t, NEXT_TIMER);
    return this.t[NEXT_TIMER] === Number.POSITIVE_INFINITY;
  }

  /**
   * Runs until `done()` holds, checking after every step, at most `limit` ns. Throws
   * {@link SimulationLimitError} if the limit is hit first.
   */
  runUntilTrue(done: () => boolean, limit: Nanoseconds = DEFAULT_RUN_LIMIT, what = 'condition'): void {
    if (!(limit >= 0)) badTime('runUntilTrue', 'limit', limit, true);
    this.limitAfter(limit);
    while (!done()) {
      if (!this.stepToLimit()) {
        throw new SimulationLimitError(`${what} not reached by t=${this.t[LIMIT]} ns (now ${this.clock.now()} ns)`);
      }
    }
    this.catchUpIdle();
  }
}

/**
 * A run bound must be a non-negative number (NaN would poison the clock; Infinity only where allowed). The
 * callers test inline and call this only to throw: the bound never crosses a call on the normal path.
 */
function badTime(fn: string, what: string, v: number, infinite: boolean): never {
  throw new RangeError(`Simulation.${fn}: ${what} must be a ${infinite ? '' : 'finite '}number >= 0 (ns), got ${v}`);
}
