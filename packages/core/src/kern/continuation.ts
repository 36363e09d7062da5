import { IPL_NAMES, IPL_NONE, SOFT_LEVELS, type SoftIpl } from './ipl.js';

/**
 * A kernel continuation (NetBSD kcont(9): `struct kc` with `kc_fn`, `kc_env_arg`, `kc_ipl`): a function and
 * its argument, queued to run later at a soft interrupt level instead of now.
 *
 * A continuation object is created once by its owner (an interface's poll context, a protocol's timer, a
 * crypto request slot) and scheduled any number of times. Scheduling is idempotent while it is pending —
 * `<iftype>_defer(ifp)` twice before the poll runs still polls once — and allocates nothing, because the
 * queues are intrusive (linked through {@link Continuation.next}).
 */
export class Continuation<T = unknown> {
  /** Intrusive run-queue link. */
  next: Continuation<any> | null = null;
  /** Queued on a run queue or on the next-tick list. */
  pending = false;
  /** Queued on the next-tick list (`KC_DEFERRED` to the clock). */
  onTick = false;
  /** Times it ran. */
  runs = 0;
  /** Times it was deferred to the next clock tick. */
  tickDeferrals = 0;

  constructor(
    readonly name: string,
    readonly ipl: SoftIpl,
    readonly fn: (arg: T) => void,
    readonly arg: T,
  ) {}

  toString(): string {
    return `kc(${this.name}@${IPL_NAMES[this.ipl]})`;
  }
}

/** Counters of a CPU's continuation scheduler. */
export interface SchedulerStats {
  scheduled: number;
  /** schedule() calls on an already pending continuation (coalesced). */
  coalesced: number;
  ran: number;
  tickDeferred: number;
}

/**
 * The run queues of one CPU: FIFO per soft level, higher levels first (`kcont_run` + softint dispatch).
 * A continuation that wants to run again is queued *behind* whatever is already pending at its level,
 * which is what keeps one busy interface from starving the others.
 */
export class ContinuationScheduler {
  private readonly heads: (Continuation<any> | null)[] = new Array(SOFT_LEVELS).fill(null);
  private readonly tails: (Continuation<any> | null)[] = new Array(SOFT_LEVELS).fill(null);
  private readonly lengths = new Int32Array(SOFT_LEVELS);
  /** Bit `l` set while level `l`'s queue is non-empty: "anything above level L?" is one shift. */
  private readyMask = 0;
  private tickHead: Continuation<any> | null = null;
  private tickTail: Continuation<any> | null = null;
  private tickCount = 0;
  readonly stats: SchedulerStats = { scheduled: 0, coalesced: 0, ran: 0, tickDeferred: 0 };
  /** Called when work becomes runnable (wakes an idle real-time runner). */
  onRunnable: (() => void) | undefined = undefined;
  /** Called when the first continuation is put on the tick list (arms the hardclock). */
  onTickWanted: (() => void) | undefined = undefined;

  /** `kcont_enqueue`: queues `kc` at the tail of its level. False (and nothing done) if already pending. */
  schedule(kc: Continuation<any>): boolean {
    // `=== true`: per wakeup (a socket's per datagram); a bare boolean field test is a full ToBoolean in V8.
    if (kc.pending === true) {
      this.stats.coalesced++;
      return false;
    }
    this.push(kc);
    this.stats.scheduled++;
    this.onRunnable?.();
    return true;
  }

  /**
   * Defers `kc` to the next clock tick (`KC_DEFERRED` / `callout` of one tick): it is moved to its run
   * queue by the hardclock. False if already pending (on a run queue or on the tick list).
   */
  deferToTick(kc: Continuation<any>): boolean {
    if (kc.pending) {
      this.stats.coalesced++;
      return false;
    }
    kc.pending = true;
    kc.onTick = true;
    kc.tickDeferrals++;
    kc.next = null;
    if (this.tickTail === null) this.tickHead = kc;
    else this.tickTail.next = kc;
    this.tickTail = kc;
    this.tickCount++;
    this.stats.tickDeferred++;
    if (this.tickCount === 1) this.onTickWanted?.();
    return true;
  }

  /**
   * Removes a pending continuation from wherever it is queued (used when a poll context is disabled).
   * Returns whether it was pending.
   */
  cancel(kc: Continuation<any>): boolean {
    if (!kc.pending) return false;
    if (kc.onTick) {
      this.tickHead = this.unlink(this.tickHead, kc, (t) => {
        this.tickTail = t;
      });
      this.tickCount--;
    } else {
      const l = kc.ipl;
      this.heads[l] = this.unlink(this.heads[l], kc, (t) => {
        this.tails[l] = t;
      });
      if (--this.lengths[l] === 0) this.readyMask &= ~(1 << l);
    }
    kc.pending = false;
    kc.onTick = false;
    kc.next = null;
    return true;
  }

  /** Hardclock: every tick-deferred continuation moves to the tail of its run queue. Returns how many. */
  tick(): number {
    let kc = this.tickHead;
    const n = this.tickCount;
    this.tickHead = this.tickTail = null;
    this.tickCount = 0;
    while (kc !== null) {
      const next = kc.next;
      kc.onTick = false;
      kc.pending = false;
      this.push(kc);
      kc = next;
    }
    if (n > 0) this.onRunnable?.();
    return n;
  }

  /** Continuations waiting for the next tick. */
  get tickPending(): number {
    return this.tickCount;
  }

  /** Queued continuations at `level`. */
  queued(level: SoftIpl): number {
    return this.lengths[level];
  }

  /** Whether a continuation is queued strictly above level `cpuIpl` (what a preemption point may run). O(1). */
  hasAbove(cpuIpl: number): boolean {
    return this.readyMask >>> (cpuIpl + 1) !== 0;
  }

  /** Whether a continuation could run at CPU level `cpuIpl` (above it; or at `IPL_NONE` when the CPU is there). */
  hasRunnable(cpuIpl: number): boolean {
    for (let l = SOFT_LEVELS - 1; l >= 0; l--) {
      if (this.lengths[l] > 0 && (l > cpuIpl || (l === IPL_NONE && cpuIpl === IPL_NONE))) return true;
    }
    return false;
  }

  /** Dequeues the next continuation runnable at `cpuIpl`, highest level first, or null. */
  dequeue(cpuIpl: number): Continuation<any> | null {
    for (let l = SOFT_LEVELS - 1; l >= 0; l--) {
      if (this.lengths[l] === 0 || !(l > cpuIpl || (l === IPL_NONE && cpuIpl === IPL_NONE))) continue;
      const kc = this.heads[l]!;
      this.heads[l] = kc.next;
      if (kc.next === null) this.tails[l] = null;
      kc.next = null;
      kc.pending = false;
      if (--this.lengths[l] === 0) this.readyMask &= ~(1 << l);
      return kc;
    }
    return null;
  }

  /** Dequeues the head of one level's queue, or null. */
  dequeueLevel(level: SoftIpl): Continuation<any> | null {
    if (this.lengths[level] === 0) return null;
    const kc = this.heads[level]!;
    this.heads[level] = kc.next;
    if (kc.next === null) this.tails[level] = null;
    kc.next = null;
    kc.pending = false;
    if (--this.lengths[level] === 0) this.readyMask &= ~(1 << level);
    return kc;
  }

  /**
   * Dequeues the next continuation queued strictly *above* `cpuIpl` (what a preemption point may run),
   * or null.
   */
  dequeueAbove(cpuIpl: number): Continuation<any> | null {
    if (this.readyMask >>> (cpuIpl + 1) === 0) return null;
    for (let l = SOFT_LEVELS - 1; l > cpuIpl; l--) {
      if (this.lengths[l] === 0) continue;
      return this.dequeue(l - 1);
    }
    return null;
  }

  private push(kc: Continuation<any>): void {
    const l = kc.ipl;
    kc.pending = true;
    kc.next = null;
    const tail = this.tails[l];
    if (tail === null) this.heads[l] = kc;
    else tail.next = kc;
    this.tails[l] = kc;
    this.lengths[l]++;
    this.readyMask |= 1 << l;
  }

  private unlink(
    head: Continuation<any> | null,
    kc: Continuation<any>,
    setTail: (t: Continuation<any> | null) => void,
  ): Continuation<any> | null {
    let prev: Continuation<any> | null = null;
    let cur = head;
    while (cur !== null && cur !== kc) {
      prev = cur;
      cur = cur.next;
    }
    if (cur === null) return head;
    const newHead = prev === null ? kc.next : head;
    if (prev !== null) prev.next = kc.next;
    if (kc.next === null) setTail(prev);
    return newHead;
  }
}
