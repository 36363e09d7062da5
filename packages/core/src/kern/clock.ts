import type { Nanoseconds } from './time.js';

/**
 * A hardware timer: the one primitive through which anything *outside* the CPU (device models, cables,
 * traffic sources, the kernel's own hardclock) acts on its own at a point in time.
 *
 * A timer is created once (by a device model at construction, by the kernel at boot) and then armed and
 * re-armed any number of times; arming never allocates, so a device that schedules an event per frame
 * stays off the JavaScript heap in the steady state. A timer is armed at most once: arming an armed
 * timer moves its expiry.
 *
 * The callback runs *as hardware*: it may change device state, write DMA memory and assert interrupt
 * lines, but it must never run kernel code directly — the CPU notices asserted lines at its next
 * preemption point, exactly as a real CPU notices an interrupt.
 */
export interface HardwareTimer {
  readonly name: string;
  /** True while armed and not yet fired. */
  readonly armed: boolean;
  /** Expiry of the current arming (ns); meaningless when not armed. */
  readonly expiry: Nanoseconds;
  /** Arms (or re-arms) the timer to fire at absolute time `at`. A time in the past fires at the next opportunity. */
  arm(at: Nanoseconds): void;
  /** Arms (or re-arms) the timer to fire `delta` ns from now. */
  armAfter(delta: Nanoseconds): void;
  /** Disarms the timer; harmless when not armed. */
  cancel(): void;
}

/**
 * A clock: the time base shared by every host and device of one simulation (virtual) or process (real).
 *
 * - {@link VirtualClock}: discrete-event and deterministic. Time moves only when the simulation moves it;
 *   CPU work is charged from a cost profile.
 * - {@link RealClock}: wall time. Timers fire from the event loop (and at CPU preemption points, so a busy
 *   CPU still sees its devices act); CPU work costs what it really costs.
 *
 * Kernel code and device models are written once against this interface and run unchanged on both.
 */
export interface Clock {
  readonly kind: 'virtual' | 'real';
  /** Current time in ns. On the virtual clock: the simulation frontier. On the real clock: monotonic wall time since creation. */
  now(): Nanoseconds;
  /** Creates a hardware timer that calls `fn` when it expires. */
  createTimer(name: string, fn: () => void): HardwareTimer;
  /**
   * Fires every timer whose expiry is at or before `t` (in expiry order, ties in arming order) and moves
   * the frontier to `t` if it is later. The virtual clock calls this as CPUs charge work; the real clock
   * calls it with the wall time. Re-entrant calls (a timer callback advancing the clock) are ignored.
   */
  advanceTo(t: Nanoseconds): void;
  /** Expiry of the earliest armed timer, or `Infinity`. */
  nextExpiry(): Nanoseconds;
  /**
   * When called from a timer callback: that timer's expiry (the moment the hardware acted). Otherwise
   * {@link now}. An idle CPU woken by hardware starts its work at this time.
   */
  eventTime(): Nanoseconds;
}
