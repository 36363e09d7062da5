import { Continuation } from './continuation.js';
import { IPL_SOFTCLOCK } from './ipl.js';

/**
 * A callout (callout(9)): a function to run at softclock level after a number of clock ticks. Created
 * once by its owner and (re)armed with {@link CalloutTable.reset}; arming allocates nothing.
 */
export class Callout<T = unknown> {
  /** Absolute tick at which it expires. */
  expireTick = 0;
  pending = false;
  /** Position in the table's pending array, -1 when not pending. */
  slot = -1;
  /** Times it fired. */
  fired = 0;
  /** Re-arm interval in ticks for periodic callouts (0 = one-shot). */
  period = 0;
  /** Intrusive link on the due list. */
  nextDue: Callout<any> | null = null;
  /** On the due list and still meant to run (a stop or reset while due cancels that run). */
  due = false;
  /** Linked on the due list (whether or not it is still meant to run). */
  onDueList = false;

  constructor(
    readonly name: string,
    readonly fn: (arg: T) => void,
    readonly arg: T,
  ) {}
}

/**
 * The callout table of one CPU. The hardclock calls {@link expire} each tick; expired callouts are run by
 * one softclock continuation, with a preemption point between them.
 */
export class CalloutTable {
  private readonly pendingList: Callout<any>[] = [];
  private dueHead: Callout<any> | null = null;
  private dueTail: Callout<any> | null = null;
  /** The softclock continuation that runs due callouts. */
  readonly softclock: Continuation<CalloutTable>;
  /** Called with the expiry tick whenever a callout is armed (the hardclock makes sure it will tick then). */
  onArmed: ((tick: number) => void) | undefined = undefined;
  /** Set by the owning kernel: current tick count and a preemption point. */
  ticks: () => number = () => 0;
  preempt: () => void = () => {};
  schedule: (kc: Continuation<any>) => void = () => {};
  fired = 0;

  constructor() {
    this.softclock = new Continuation<CalloutTable>(
      'softclock',
      IPL_SOFTCLOCK,
      (t) => t.runDue(),
      this as CalloutTable,
    );
  }

  /** Number of armed callouts. */
  get size(): number {
    return this.pendingList.length;
  }

  /**
   * `callout_reset(c, ticks, ...)`: arms `c` to fire `ticks` ticks from now (at least 1: the next tick
   * boundary; fractions round up). Re-arming a pending callout moves it. NaN or ±Infinity throws
   * RangeError here, at the caller, rather than silently never firing or breaking the hardclock.
   */
  reset(c: Callout<any>, ticks: number): void {
    checkTicks('callout_reset', ticks);
    c.due = false;
    const n = Math.max(1, Math.ceil(ticks));
    c.expireTick = this.ticks() + n;
    if (c.slot < 0) {
      c.slot = this.pendingList.length;
      this.pendingList.push(c);
    }
    c.pending = true;
    this.onArmed?.(c.expireTick);
  }

  /** Arms `c` to fire every `ticks` ticks until stopped. */
  resetPeriodic(c: Callout<any>, ticks: number): void {
    checkTicks('callout_reset (periodic)', ticks);
    c.period = Math.max(1, Math.ceil(ticks));
    this.reset(c, c.period);
  }

  /** `callout_stop`: disarms `c`. Returns whether it was pending. */
  stop(c: Callout<any>): boolean {
    c.period = 0;
    if (c.due) {
      c.due = false;
      c.pending = false;
      return true;
    }
    return this.unlist(c);
  }

  private unlist(c: Callout<any>): boolean {
    if (c.slot < 0) return false;
    const last = this.pendingList.pop()!;
    if (last !== c) {
      this.pendingList[c.slot] = last;
      last.slot = c.slot;
    }
    c.slot = -1;
    c.pending = false;
    return true;
  }

  /** Earliest expiry tick among armed callouts, or Infinity. */
  nextExpireTick(): number {
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.pendingList.length; i++) {
      if (this.pendingList[i].expireTick < min) min = this.pendingList[i].expireTick;
    }
    return min;
  }

  /** Hardclock: moves callouts whose tick has come to the due list and schedules softclock. Returns how many. */
  expire(nowTick: number): number {
    let n = 0;
    // Walk backwards so swap-removal does not skip entries; then order the due list deterministically.
    for (let i = this.pendingList.length - 1; i >= 0; i--) {
      const c = this.pendingList[i];
      if (c.expireTick > nowTick) continue;
      this.unlist(c);
      c.pending = true; // pending until it runs
      c.due = true;
      n++;
      this.insertDue(c);
    }
    if (n > 0) this.schedule(this.softclock);
    return n;
  }

  /** Due callouts are kept sorted by (expireTick, name) so runs are deterministic. */
  private insertDue(c: Callout<any>): void {
    // Re-armed while still waiting on the due list and due again before softclock ran: it is already
    // linked (and earlier in order); linking it twice would cut the list.
    if (c.onDueList) return;
    c.onDueList = true;
    if (this.dueHead === null) {
      this.dueHead = this.dueTail = c;
      return;
    }
    let prev: Callout<any> | null = null;
    let cur: Callout<any> | null = this.dueHead;
    while (cur !== null && (cur.expireTick < c.expireTick || (cur.expireTick === c.expireTick && cur.name <= c.name))) {
      prev = cur;
      cur = cur.nextDue;
    }
    c.nextDue = cur;
    if (prev === null) this.dueHead = c;
    else prev.nextDue = c;
    if (cur === null) this.dueTail = c;
  }

  /** Softclock: runs every due callout, with a preemption point after each. */
  runDue(): void {
    while (this.dueHead !== null) {
      const c = this.dueHead;
      this.dueHead = c.nextDue;
      if (this.dueHead === null) this.dueTail = null;
      c.nextDue = null;
      c.onDueList = false;
      if (!c.due) continue; // stopped or re-armed after it fell due
      c.due = false;
      c.pending = false;
      c.fired++;
      this.fired++;
      const period = c.period;
      if (period > 0) {
        c.expireTick = this.ticks() + period;
        c.slot = this.pendingList.length;
        this.pendingList.push(c);
        c.pending = true;
        this.onArmed?.(c.expireTick);
      }
      c.fn(c.arg);
      this.preempt();
    }
  }
}

function checkTicks(fn: string, ticks: number): void {
  if (!Number.isFinite(ticks)) throw new RangeError(`${fn}: ticks must be a finite number, got ${ticks}`);
}
