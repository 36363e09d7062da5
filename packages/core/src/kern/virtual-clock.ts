import type { Clock, HardwareTimer } from './clock.js';
import { TimerHeap, HeapTimer } from './timer-heap.js';
import type { Nanoseconds } from './time.js';

/**
 * The discrete-event clock: time moves only when something moves it, and every run with the same inputs
 * fires the same timers in the same order, byte for byte.
 *
 * Who moves it: the {@link Simulation} run loop (to the next timer when every CPU is idle) and CPUs
 * charging work at preemption points (so that hardware keeps acting *while* the CPU is busy — the
 * property that makes receive livelock reproducible).
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private t: Nanoseconds;
  private readonly heap: TimerHeap;

  constructor(start: Nanoseconds = 0) {
    // A non-integer first, so V8 keeps the field as an unboxed double from the start (a field that began
    // as a small integer is migrated later, and polymorphic reads of it box).
    this.t = Number.NaN;
    this.t = start;
    this.heap = new TimerHeap(() => this.t);
  }

  now(): Nanoseconds {
    return this.t;
  }

  createTimer(name: string, fn: () => void): HardwareTimer {
    return new HeapTimer(name, fn, this.heap);
  }

  /** Timers fired so far. */
  get fired(): number {
    return this.heap.fired;
  }

  eventTime(): Nanoseconds {
    const f = this.heap.firingAt;
    return !Number.isNaN(f) ? f : this.t;
  }

  nextExpiry(): Nanoseconds {
    return this.heap.nextExpiry();
  }

  advanceTo(t: Nanoseconds): void {
    // Small enough to be inlined at every call site: the double `t` reaches a real call (and may be
    // boxed) only when a timer is due.
    const heap = this.heap;
    if (heap.advancing) return;
    if (t >= heap.nextExpiry()) heap.fireDue(t, this.onExpiry);
    if (t > this.t) this.t = t;
  }

  /**
   * {@link advanceTo} the time held in `cell[index]` (a CPU's local time): the time is read here, so no
   * double crosses the call (V8 boxes one passed to a call it does not inline, once per preemption point).
   */
  advanceToCell(cell: Float64Array, index: number): void {
    const heap = this.heap;
    if (heap.advancing) return;
    const t = cell[index];
    // The earliest timer's expiry as a field load (`nextExpiry()` returns a double: boxed when not inlined).
    const top = heap.peek();
    if (top !== undefined && t >= top.expiry) heap.fireDue(t, this.onExpiry);
    if (t > this.t) this.t = t;
  }

  /** The frontier moves to each timer's expiry as it fires. */
  private readonly onExpiry = (expiry: Nanoseconds): void => {
    if (expiry > this.t) this.t = expiry;
  };
}
