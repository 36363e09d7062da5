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
  private advancing = false;
  /** Timers fired so far (for statistics and determinism checks). */
  fired = 0;

  constructor(start: Nanoseconds = 0) {
    this.t = start;
    this.heap = new TimerHeap(() => this.t);
  }

  now(): Nanoseconds {
    return this.t;
  }

  createTimer(name: string, fn: () => void): HardwareTimer {
    return new HeapTimer(name, fn, this.heap);
  }

  private firing = Number.NaN;

  eventTime(): Nanoseconds {
    return Number.isNaN(this.firing) ? this.now() : this.firing;
  }

  nextExpiry(): Nanoseconds {
    return this.heap.peek()?.expiry ?? Number.POSITIVE_INFINITY;
  }

  advanceTo(t: Nanoseconds): void {
    if (this.advancing) return;
    this.advancing = true;
    try {
      for (;;) {
        const top = this.heap.peek();
        if (top === undefined || top.expiry > t) break;
        this.heap.remove(top);
        if (top.expiry > this.t) this.t = top.expiry;
        this.fired++;
        this.firing = top.expiry;
        try {
          top.fn();
        } finally {
          this.firing = Number.NaN;
        }
      }
      if (t > this.t) this.t = t;
    } finally {
      this.advancing = false;
    }
  }
}
