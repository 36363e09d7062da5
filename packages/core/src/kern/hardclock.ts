import type { HardwareTimer } from './clock.js';
import type { CalloutTable } from './callout.js';
import type { ContinuationScheduler } from './continuation.js';
import type { Cpu } from './cpu.js';
import type { InterruptSource } from './interrupt-controller.js';
import { IPL_CLOCK } from './ipl.js';
import { NS_PER_SEC, type Nanoseconds } from './time.js';

/**
 * The hardclock: a timer interrupt every 1/`hz` seconds at `IPL_CLOCK` that advances `ticks`, releases
 * tick-deferred continuations (seed 000's "schedule the device's continuation for the next clock tick")
 * and expires callouts.
 *
 * It is *tickless when idle* (like NO_HZ): the timer is armed only while something waits for a tick, so a
 * quiet simulation can run to idle. Ticks stay aligned to multiples of the tick period whatever arms them,
 * so `ticks` is always `floor(now / tick)` and runs stay deterministic.
 */
export class Hardclock {
  readonly tickNs: Nanoseconds;
  private readonly timer: HardwareTimer;
  readonly line: InterruptSource;
  /** Hardclock interrupts taken. */
  interrupts = 0;

  constructor(
    readonly hz: number,
    private readonly cpu: Cpu,
    private readonly sched: ContinuationScheduler,
    private readonly callouts: CalloutTable,
  ) {
    if (!Number.isFinite(hz) || hz < 1 || hz > 100_000) throw new RangeError(`hz must be 1..100000, got ${hz}`);
    this.tickNs = NS_PER_SEC / hz;
    this.line = cpu.intr.createLine(`${cpu.name}.hardclock`);
    this.timer = cpu.clock.createTimer(`${cpu.name}.hardclock`, () => this.line.assert());
    cpu.intr.establish(this.line, IPL_CLOCK, (hc: Hardclock) => hc.intr(), this, 'hardclock');
    sched.onTickWanted = () => this.arm();
    callouts.onArmed = (tick) => this.armForTick(tick);
    callouts.ticks = () => this.ticks;
  }

  /** Ticks since boot: `floor(now / tick)` on the CPU's clock. */
  get ticks(): number {
    return Math.floor(this.cpu.now() / this.tickNs);
  }

  /** Time of the next tick boundary strictly after now. */
  nextTickTime(): Nanoseconds {
    return (Math.floor(this.cpu.now() / this.tickNs) + 1) * this.tickNs;
  }

  /**
   * Makes sure the tick timer fires at the next boundary: arms it, or moves it earlier when it was armed
   * for a later tick (a callout seconds away must not delay a continuation deferred to the next tick).
   */
  arm(): void {
    const next = this.nextTickTime();
    if (!this.timer.armed || this.timer.expiry > next) this.timer.arm(next);
  }

  /** Makes sure the timer fires no later than tick number `tick`. */
  armForTick(tick: number): void {
    const at = Math.max(tick * this.tickNs, this.nextTickTime());
    if (!this.timer.armed || this.timer.expiry > at) this.timer.arm(at);
  }

  private intr(): boolean {
    this.line.deassert();
    this.interrupts++;
    this.cpu.charge(this.cpu.costs.tick);
    // The tick boundary is the timer's expiry, even if the CPU took the interrupt a little later.
    const tick = Math.round(this.timer.expiry / this.tickNs);
    this.sched.tick();
    this.callouts.expire(tick);
    if (this.sched.tickPending > 0) this.timer.arm((tick + 1) * this.tickNs);
    else if (this.callouts.size > 0) this.timer.arm(Math.max(tick + 1, this.callouts.nextExpireTick()) * this.tickNs);
    return true;
  }
}
