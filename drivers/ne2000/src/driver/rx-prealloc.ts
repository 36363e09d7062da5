/**
 * Seed 000's receive buffering for PIO devices: "pre-allocated mbufs are enqueued onto the softc of the
 * device so when the interrupt routine needs one it simply dequeues one, fills it in, and then enqueues
 * it onto a completed queue ... If the number of pre-allocated mbufs drops below a threshold, the driver
 * may decide to increase the number of mbufs that if_poll pre-allocates. If there are no mbufs left to
 * receive the packet, the packet is dropped and the number of mbufs for if_poll to pre-allocate should be
 * increased."
 *
 * {@link RxPrealloc} holds the two queues and the pre-allocation *target*:
 *
 * - interrupt side (allocates nothing): {@link take} dequeues a free mbuf, or returns `null` — then the
 *   caller drops the frame and the target has already grown (doubled); when the free queue falls below
 *   the low-water mark (a quarter of the target) the target grows by a quarter, once per refill cycle.
 *   {@link complete} puts a filled mbuf on the completed queue.
 * - poll side (allocation allowed): {@link dequeueCompleted} hands filled mbufs to `if_input`;
 *   {@link refill} tops the free queue up to the target with clusters from the pool (and gives back what
 *   is above it); {@link maybeShrink}, once per period, lowers the target by an eighth when the free queue
 *   never went below half the target during the period (low load) — slow decay, fast growth.
 *
 * Bounds: the target stays in `[min, max]`; {@link refill} keeps free + completed within `max`, so the
 * mbufs this structure holds never exceed `max` (plus the one being filled) whatever the traffic. Ownership: an
 * mbuf on either queue belongs to the structure; {@link take} and {@link dequeueCompleted} hand it to the
 * caller; {@link complete} takes it back (and returns false, leaving it with the caller, only if the
 * completed queue is full — impossible while mbufs come from {@link take}).
 *
 * @module
 */
import { type Mbuf, type MbufPool, MbufQueue } from '@ifnet/core';

export interface RxPreallocOptions {
  /** Initial target. Default 16. */
  initial?: number;
  /** Lowest target. Default 4. */
  min?: number;
  /** Highest target (and the bound of each queue). Default 128. */
  max?: number;
  /** Leading space left in each buffer (ETHER_ALIGN: 2, so the IP header is 4-byte aligned). Default 2. */
  leading?: number;
}

/** Counters of the pre-allocation (plain numbers). */
export interface RxPreallocStats {
  /** Target increases (low water or empty). */
  grows: number;
  /** Target decreases (low load). */
  shrinks: number;
  /** {@link RxPrealloc.take} found the free queue empty (the caller dropped a frame). */
  empty: number;
  /** {@link RxPrealloc.refill} found the pool exhausted. */
  poolFailures: number;
  /** Lowest free-queue length seen by `take` in the current shrink period. */
  minFree: number;
}

export class RxPrealloc {
  readonly free: MbufQueue;
  readonly completed: MbufQueue;
  readonly min: number;
  readonly max: number;
  readonly leading: number;
  /** How many free mbufs `refill` keeps (moves between `min` and `max`). */
  target: number;
  readonly stats: RxPreallocStats;
  /** The low-water growth already happened in this refill cycle. */
  private grewThisCycle: boolean;

  constructor(
    private readonly pool: MbufPool,
    options: RxPreallocOptions = {},
  ) {
    this.min = options.min ?? 4;
    this.max = options.max ?? 128;
    const initial = options.initial ?? 16;
    this.leading = options.leading ?? 2;
    if (!Number.isInteger(this.min) || this.min < 1 || !Number.isInteger(this.max) || this.max < this.min) {
      throw new RangeError(`rx prealloc: bad bounds ${this.min}..${this.max}`);
    }
    if (!Number.isInteger(initial) || initial < this.min || initial > this.max) {
      throw new RangeError(`rx prealloc: initial ${initial} outside ${this.min}..${this.max}`);
    }
    this.target = initial;
    this.free = new MbufQueue(this.max);
    this.completed = new MbufQueue(this.max);
    this.stats = { grows: 0, shrinks: 0, empty: 0, poolFailures: 0, minFree: initial };
    this.grewThisCycle = false;
  }

  /**
   * Interrupt side: a pre-allocated packet mbuf (with a cluster, `off = leading`), now the caller's; or
   * `null` when none is left — the caller drops the frame, and the target has been doubled.
   */
  take(): Mbuf | null {
    const m = this.free.dequeue();
    const n = this.free.length;
    if (n < this.stats.minFree) this.stats.minFree = n;
    if (m === null) {
      this.stats.empty++;
      this.grow(this.target);
      return null;
    }
    if (!this.grewThisCycle && n < this.target >> 2) {
      this.grewThisCycle = true;
      this.grow(Math.max(1, this.target >> 2));
    }
    return m;
  }

  /** Interrupt side: a filled mbuf onto the completed queue. False (not queued, still yours) when full. */
  complete(m: Mbuf): boolean {
    return this.completed.enqueue(m);
  }

  /** Poll side: the oldest filled mbuf (now the caller's), or `null`. */
  dequeueCompleted(): Mbuf | null {
    return this.completed.dequeue();
  }

  /**
   * Poll side: tops the free queue up to the target (allocation happens here and only here) and frees
   * what is above it. Returns false when the pool ran out.
   */
  refill(): boolean {
    this.grewThisCycle = false;
    const free = this.free;
    // Free and completed mbufs together never exceed `max`: the completed queue can never overflow.
    const want = Math.min(this.target, this.max - this.completed.length);
    while (free.length > this.target) this.pool.freem(free.dequeue());
    while (free.length < want) {
      const m = this.pool.getcl();
      if (m === null) {
        this.stats.poolFailures++;
        return false;
      }
      m.off = this.leading;
      free.enqueue(m);
    }
    return true;
  }

  /**
   * Poll side, once per period (a second, say): when the free queue never fell below half the target
   * during the period, the load is low — the target decays by an eighth (at least one), not below `min`.
   */
  maybeShrink(): void {
    const s = this.stats;
    if (s.minFree >= this.target >> 1 && this.target > this.min) {
      this.target = Math.max(this.min, this.target - Math.max(1, this.target >> 3));
      s.shrinks++;
    }
    s.minFree = this.target;
  }

  /** Frees everything held (interface going down). Returns the completed mbufs freed (frames lost). */
  flush(): number {
    const lost = this.completed.purge();
    this.free.purge();
    return lost;
  }

  private grow(by: number): void {
    const t = Math.min(this.max, this.target + by);
    if (t !== this.target) {
      this.target = t;
      this.stats.grows++;
    }
  }
}
