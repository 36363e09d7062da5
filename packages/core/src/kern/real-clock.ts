import type { Clock, HardwareTimer } from './clock.js';
import { TimerHeap, HeapTimer } from './timer-heap.js';
import type { Nanoseconds } from './time.js';

/**
 * The wall clock: `now()` is monotonic time since the clock was created (from `performance.now()`,
 * available in browsers and Node alike), timers fire from the JavaScript event loop and also at CPU
 * preemption points, so a CPU busy in a long softnet loop still sees its hardware act on time.
 *
 * The same timer heap as the virtual clock; only the source of "now" and who calls {@link advanceTo}
 * differ. One `setTimeout` is kept armed for the earliest timer while any is armed.
 *
 * Arming a timer earlier than that wakeup does not re-arm the `setTimeout` there and then: a device
 * model arms its timers per frame (the e1000's transmit engine on every TDT write), and each
 * `setTimeout` is a new event-loop object (about 64 bytes of heap, and a `clearTimeout` of the old one).
 * It queues one microtask instead (at most one outstanding), which moves the wakeup when the running
 * task ends: while CPUs run, preemption points and the runner's clock reads fire due timers anyway, so
 * the event-loop wakeup only matters once control returns to the event loop. A burst of arms costs one
 * re-arm; a data path that arms timers costs no heap per packet.
 */
export class RealClock implements Clock {
  readonly kind = 'real' as const;
  private readonly origin = performance.now();
  private readonly heap: TimerHeap;
  private wakeup: ReturnType<typeof setTimeout> | undefined = undefined;
  private wakeupAt = Number.POSITIVE_INFINITY;
  /** A microtask that moves the wakeup is queued (see the class comment). */
  private rearmQueued = false;
  /** {@link stop} was called: no event-loop wakeup is armed any more. */
  private stopped = false;
  /** Event-loop wakeups armed so far (`setTimeout` calls): diagnostics, and the heap tests' witness. */
  wakeupsArmed = 0;
  /** Called after timers fired from the event loop, so the owner (the real-time runner) can run CPUs. */
  onFired: (() => void) | undefined = undefined;

  constructor() {
    this.heap = new TimerHeap(() => this.now());
    // Only an earlier expiry needs a new event-loop wakeup; a later one is picked up when the current fires.
    this.heap.onEarliest = () => {
      if (this.heap.nextExpiry() < this.wakeupAt) this.rearmSoon();
    };
  }

  /** The value of the latest {@link now} (NaN before the first). */
  lastReading = Number.NaN;
  /** How many times the clock was read (lets a CPU tell whether {@link lastReading} is new to it). */
  reads = 0;

  /**
   * Reads the wall clock. About 50–200 ns, and on Node 20 a new heap number (16 bytes) per call: hot
   * paths read it through the CPU, which reuses one reading per unit of work.
   */
  now(): Nanoseconds {
    this.read();
    return this.lastReading;
  }

  /**
   * Reads the wall clock into {@link lastReading} without returning it: a hot caller takes the reading
   * from the field, so only `performance.now()`'s own heap number is allocated, not a second one for a
   * double returned from a call V8 did not inline.
   */
  read(): void {
    this.lastReading = (performance.now() - this.origin) * 1e6;
    this.reads++;
  }

  createTimer(name: string, fn: () => void): HardwareTimer {
    return new HeapTimer(name, fn, this.heap);
  }

  /** Timers fired so far. */
  get fired(): number {
    return this.heap.fired;
  }

  eventTime(): Nanoseconds {
    return Number.isNaN(this.heap.firingAt) ? this.now() : this.heap.firingAt;
  }

  nextExpiry(): Nanoseconds {
    return this.heap.nextExpiry();
  }

  /**
   * The earliest armed timer's expiry in slot 0 (Infinity: none), kept current by the timer heap: what a
   * CPU's preemption point compares its reading with, without a call.
   */
  get earliestExpiry(): Float64Array {
    return this.heap.earliest;
  }

  /** Whether any timer is armed (a boolean: asking it boxes no double, as `nextExpiry()` may). */
  get timersArmed(): boolean {
    return this.heap.size > 0;
  }

  /**
   * {@link advanceTo} the time held in `cell[index]` (a CPU's reading of this clock): the time is read
   * here, so no double crosses the call (V8 boxes one passed to or returned from a call it does not
   * inline, and the CPU calls this at every preemption point).
   */
  advanceToCell(cell: Float64Array, index: number): void {
    // The earliest timer as an object and its expiry as a field load: `nextExpiry()` returns a double,
    // a heap number whenever V8 does not inline it here.
    const top = this.heap.peek();
    if (top !== undefined && cell[index] >= top.expiry) this.advanceTo(cell[index]);
  }

  advanceTo(t: Nanoseconds): void {
    // Nothing due: nothing to fire and the event-loop wakeup stays as it is.
    if (t < this.heap.nextExpiry()) return;
    // Only a wakeup that is now too late needs moving; an early one fires, finds nothing and re-arms.
    if (this.heap.fireDue(t) && this.heap.nextExpiry() < this.wakeupAt) this.rearm();
  }

  /**
   * Reads the clock once, fires every timer due by then, and returns the reading: what a runner does
   * between rounds of units (one read instead of one for the slice deadline and one for the timers).
   */
  advanceToNow(): Nanoseconds {
    this.readAndAdvance();
    return this.lastReading;
  }

  /** {@link advanceToNow} without a return value (the reading is {@link lastReading}): for hot callers. */
  readAndAdvance(): void {
    this.read();
    const t = this.lastReading;
    if (t >= this.heap.nextExpiry()) this.advanceTo(t);
  }

  /**
   * Stops the event-loop wakeup for good (armed timers stay armed but only fire at preemption points and
   * from {@link advanceTo}), so a process can exit.
   */
  stop(): void {
    this.stopped = true;
    if (this.wakeup !== undefined) clearTimeout(this.wakeup);
    this.wakeup = undefined;
    this.wakeupAt = Number.POSITIVE_INFINITY;
  }

  /** Moves the wakeup earlier once the running task ends (one queued microtask for any number of arms). */
  private rearmSoon(): void {
    if (this.rearmQueued || this.stopped) return;
    this.rearmQueued = true;
    queueMicrotask(this.rearmTask);
  }

  /** The microtask of {@link rearmSoon}, made once so queueing it allocates no closure. */
  private readonly rearmTask = (): void => {
    this.rearmQueued = false;
    if (this.heap.nextExpiry() < this.wakeupAt) this.rearm();
  };

  private rearm(): void {
    if (this.stopped) return;
    const next = this.nextExpiry();
    if (next === this.wakeupAt) return;
    if (this.wakeup !== undefined) clearTimeout(this.wakeup);
    this.wakeup = undefined;
    this.wakeupAt = next;
    if (next === Number.POSITIVE_INFINITY) return;
    // A fresh reading: the latest one may be arbitrarily old after an idle stretch. (Once per re-arm of
    // the earliest timer, about once per tick: not a per-packet cost.)
    const delayMs = Math.max(0, (next - this.now()) / 1e6);
    this.wakeupsArmed++;
    this.wakeup = setTimeout(this.wakeupTask, delayMs);
  }

  /** The event-loop wakeup's callback, made once. */
  private readonly wakeupTask = (): void => {
    this.wakeup = undefined;
    this.wakeupAt = Number.POSITIVE_INFINITY;
    this.advanceTo(this.now());
    // The event loop may wake us a little before the expiry (millisecond rounding): then nothing fired
    // and the wakeup must be armed again, or the timer would wait for CPU activity.
    if (this.wakeup === undefined) this.rearm();
    this.onFired?.();
  };
}
