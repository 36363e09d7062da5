import type { HardwareTimer } from './clock.js';
import type { Nanoseconds } from './time.js';

/**
 * A hardware timer kept in a {@link TimerHeap}. Each timer remembers its heap slot, so arming, re-arming
 * and cancelling are O(log n) and allocate nothing.
 */
export class HeapTimer implements HardwareTimer {
  /** Position in the heap, -1 when not armed. */
  heapIndex = -1;
  /** (Initialised to a non-integer so V8 stores the field as a double from the start, never migrating.) */
  expiry: Nanoseconds = Number.NaN;
  /** Arming sequence number: equal expiries fire in arming order, which keeps runs deterministic. */
  seq = 0;

  constructor(
    readonly name: string,
    readonly fn: () => void,
    private readonly heap: TimerHeap,
  ) {}

  get armed(): boolean {
    return this.heapIndex >= 0;
  }

  arm(at: Nanoseconds): void {
    // The expiry is stored here, in a method small enough to be inlined into its caller, and the heap
    // reads it from the timer: a double passed into a call V8 does not inline costs a heap number.
    if (Number.isNaN(at)) throw new RangeError(`timer ${this.name}: expiry is NaN`);
    this.expiry = at;
    this.heap.insert(this);
  }

  armAfter(delta: Nanoseconds): void {
    this.arm(this.heap.now() + delta);
  }

  cancel(): void {
    this.heap.remove(this);
  }
}

/** A binary min-heap of armed timers ordered by (expiry, arming sequence). */
export class TimerHeap {
  private readonly items: HeapTimer[] = [];
  private seq = 0;
  /**
   * The earliest armed timer's expiry in slot 0, Infinity when none is armed: kept up to date by every
   * insertion and removal, so a CPU's preemption point asks "is a timer due?" with one typed-array load
   * and a compare (no call, no double crossing one), the "earliest deadline" check of constant-time
   * preemption points.
   */
  readonly earliest = new Float64Array(1);

  constructor(readonly now: () => Nanoseconds) {
    this.earliest[0] = Number.POSITIVE_INFINITY;
  }

  get size(): number {
    return this.items.length;
  }

  peek(): HeapTimer | undefined {
    return this.items[0];
  }

  /** Called (with no argument) when an arming makes a timer the earliest one: the real clock re-arms its wakeup. */
  onEarliest: (() => void) | undefined = undefined;

  /** (Re-)inserts `t` at its {@link HeapTimer.expiry}, after any timers with the same expiry. */
  insert(t: HeapTimer): void {
    if (t.heapIndex >= 0) this.remove(t);
    t.seq = this.seq++;
    t.heapIndex = this.items.length;
    this.items.push(t);
    this.up(t.heapIndex);
    if (t.heapIndex === 0) {
      this.earliest[0] = t.expiry;
      this.onEarliest?.();
    }
  }

  remove(t: HeapTimer): void {
    const i = t.heapIndex;
    if (i < 0) return;
    const last = this.items.pop()!;
    t.heapIndex = -1;
    if (last !== t) {
      this.items[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
    if (i === 0 || last.heapIndex === 0) {
      const top = this.items[0];
      this.earliest[0] = top === undefined ? Number.POSITIVE_INFINITY : top.expiry;
    }
  }

  /** Expiry of the timer whose callback is running (NaN when none). */
  firingAt = Number.NaN;
  /** Timers fired so far. */
  fired = 0;
  /** True while {@link fireDue} runs (a re-entrant advance from a timer callback is ignored). */
  advancing = false;

  /** Expiry of the earliest armed timer, or Infinity. */
  nextExpiry(): Nanoseconds {
    // Not `items[0]?.expiry ?? Infinity`: merging `undefined` with a double makes V8 box the double.
    const top = this.items[0];
    return top === undefined ? Number.POSITIVE_INFINITY : top.expiry;
  }

  /**
   * Fires every timer due at or before `t`, in (expiry, arming) order; `onExpiry` (built once by the
   * clock, so firing allocates nothing) sees each expiry before its callback runs. Returns false, doing
   * nothing, when called re-entrantly from a timer callback. Both clocks advance through this one loop.
   */
  fireDue(t: Nanoseconds, onExpiry?: (expiry: Nanoseconds) => void): boolean {
    if (this.advancing) return false;
    this.advancing = true;
    try {
      for (;;) {
        const top = this.items[0];
        if (top === undefined || top.expiry > t) break;
        this.remove(top);
        onExpiry?.(top.expiry);
        this.fired++;
        this.firingAt = top.expiry;
        try {
          top.fn();
        } finally {
          this.firingAt = Number.NaN;
        }
      }
    } finally {
      this.advancing = false;
    }
    return true;
  }

  /** Removes and returns the earliest timer. */
  pop(): HeapTimer | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  private less(a: HeapTimer, b: HeapTimer): boolean {
    return a.expiry < b.expiry || (a.expiry === b.expiry && a.seq < b.seq);
  }

  private up(i: number): void {
    const items = this.items;
    const t = items[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(t, items[p])) break;
      items[i] = items[p];
      items[i].heapIndex = i;
      i = p;
    }
    items[i] = t;
    t.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const t = items[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r], items[l]) ? r : l;
      if (!this.less(items[c], t)) break;
      items[i] = items[c];
      items[i].heapIndex = i;
      i = c;
    }
    items[i] = t;
    t.heapIndex = i;
  }
}
