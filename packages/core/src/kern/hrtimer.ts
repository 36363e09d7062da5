import type { HardwareTimer } from './clock.js';
import type { Cpu } from './cpu.js';
import type { InterruptSource } from './interrupt-controller.js';
import { IPL_CLOCK } from './ipl.js';
import type { Nanoseconds } from './time.js';

/**
 * A high-resolution kernel timer (Linux `hrtimer`, FreeBSD `callout_reset_sbt`): calls `fn(arg)` at an
 * exact time rather than on the next `hz` tick. Built like the hardclock: a {@link HardwareTimer} (the
 * CPU's local timer) asserts an interrupt line of its own, and the handler runs `fn` at `IPL_CLOCK` —
 * interrupt context, so `fn` must not allocate; it typically schedules a continuation.
 *
 * Created once (it establishes an interrupt line); arming and cancelling allocate nothing. Used by poll
 * contexts to emulate `rx-usecs` coalescing (`gro_flush_timeout`'s timer).
 */
export class HrTimer<T> {
  private readonly timer: HardwareTimer;
  readonly line: InterruptSource;
  /** Expiries handled. */
  fired = 0;

  constructor(
    private readonly cpu: Cpu,
    readonly name: string,
    private readonly fn: (arg: T) => void,
    private readonly arg: T,
  ) {
    this.line = cpu.intr.createLine(`${name}.hrtimer`);
    this.timer = cpu.clock.createTimer(`${name}.hrtimer`, () => this.line.assert());
    cpu.intr.establish(this.line, IPL_CLOCK, hrtimerIntr, this as HrTimer<unknown>, `${name} hrtimer`);
  }

  /** True while armed or fired but not yet handled. */
  get pending(): boolean {
    return this.timer.armed || this.line.asserted;
  }

  /** Arms (or re-arms) the timer `delta` ns from the CPU's now. */
  armAfter(delta: Nanoseconds): void {
    this.line.deassert();
    this.timer.arm(this.cpu.now() + delta);
  }

  /** Disarms; an expiry not yet handled is forgotten too. */
  cancel(): void {
    this.timer.cancel();
    this.line.deassert();
  }

  /** Releases the interrupt line (when the owner goes away for good). */
  destroy(): void {
    this.cancel();
    this.cpu.intr.disestablish(this.line);
  }

  /** @internal the interrupt handler's body. */
  expire(): boolean {
    if (!this.line.asserted) return false;
    this.line.deassert();
    this.fired++;
    this.fn(this.arg);
    return true;
  }
}

function hrtimerIntr(t: HrTimer<unknown>): boolean {
  return t.expire();
}
