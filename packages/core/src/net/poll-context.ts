import { Callout } from '../kern/callout.js';
import { Continuation } from '../kern/continuation.js';
import { HrTimer } from '../kern/hrtimer.js';
import { IPL_SOFTNET } from '../kern/ipl.js';
import type { InterruptSource } from '../kern/interrupt-controller.js';
import { isUncontainable, recordFault, resetAfterFault } from './fault.js';
import {
  COALESCE_MAX_FRAMES,
  COALESCE_MAX_USECS,
  type Coalescing,
  checkCoalesceValue,
  coalesceNs,
} from './coalesce.js';
import type { Ifnet } from './ifnet.js';
import type { MitigationPolicy, MitigationPolicyFactory } from './mitigation-policy.js';

/**
 * What a driver supplies for one poll context (one receive queue, or the whole interface). FreeBSD
 * iflib's `ifdi_rx_queue_intr_enable` / `rxd_available` and Linux NAPI's `poll` in one interface.
 */
export interface PollOps {
  /**
   * Service the queue: receive up to `budget` packets (each handed to `ifp.input`), reclaim transmit
   * descriptors (not counted against the budget), refill receive buffers (allocation is allowed here),
   * handle link events. Returns the receive work done, `0..budget`. Returning `budget` means "there may be
   * more: poll me again".
   */
  poll(ctx: PollContext, budget: number): number;
  /** Unmask this context's interrupt at the device. */
  intrEnable(ctx: PollContext): void;
  /** Mask this context's interrupt at the device. */
  intrDisable(ctx: PollContext): void;
  /**
   * Whether work is visible right now (e.g. the next receive descriptor is done). Called right after
   * unmasking to close the completion race: a packet that arrived between the last check and the unmask.
   */
  workPending(ctx: PollContext): boolean;
  /**
   * Optional: make the device raise this context's interrupt again at once, by software (the e1000's
   * ICS register, "interrupt cause set"). Needed only for {@link PollContext.setInterruptWork}'s
   * `'reinterrupt'` mode, where an interrupt that used its whole budget leaves the rest to another
   * interrupt.
   */
  intrRetrigger?(ctx: PollContext): void;
  /**
   * Optional: apply receive coalescing ({@link Coalescing}, `ethtool -C`) to this queue's hardware
   * moderation (`ETHTOOL_SCOALESCE` in a Linux driver). Throw a RangeError for a parameter the hardware
   * cannot do (`EOPNOTSUPP`); the context then keeps its previous values. Called at any IPL up to softnet
   * (also from a mitigation policy inside the poll), so it must not allocate. Without it the framework
   * emulates `rxUsecs` with a high-resolution re-poll timer (see `coalesce.ts`).
   */
  setCoalescing?(ctx: PollContext, rxUsecs: number, rxFrames: number): void;
}

/**
 * Receive in the interrupt routine itself, as drivers did before NAPI and seed 000 (the "top half" of
 * seed 004): see {@link PollContext.setInterruptWork}.
 */
export interface InterruptWorkOptions {
  /** Receive work per interrupt: 1 for an interrupt per frame; 3c59x's `max_interrupt_work` is 32. */
  maxWork: number;
  /**
   * What an interrupt that used its whole `maxWork` with more work pending leaves behind:
   * - `'reinterrupt'`: the driver raises its interrupt again at once ({@link PollOps.intrRetrigger}), so
   *   every `maxWork` packets cost one interrupt (with `maxWork` 1: an interrupt per frame);
   * - `'timer'`: the interrupt is masked and a timer unmasks it `timerTicks` clock ticks later (3c59x's
   *   `vortex_interrupt`: "Disable all pending interrupts ... The timer will re-enable interrupts").
   */
  whenExhausted: 'reinterrupt' | 'timer';
  /** Clock ticks until the timer unmasks (`'timer'` only). Default 1. */
  timerTicks?: number;
}

export interface PollContextOptions {
  /** Name for diagnostics, e.g. `wm0.rx0`. Default `<ifname>.poll<index>`. */
  name?: string;
  ops: PollOps;
  /** Budget per poll (NAPI weight). Default 64 (`NAPI_POLL_WEIGHT`). */
  weight?: number;
  /**
   * Whether {@link PollContext.defer} masks the interrupt (DMA devices: the device keeps filling
   * descriptors on its own) or leaves it unmasked (PIO devices: the card must keep being drained).
   * Default true.
   */
  maskOnDefer?: boolean;
  /**
   * How many packets the device can hold for this queue between two polls (a receive ring of N
   * descriptors holds N - 1). Policies use it to know whether polling once per tick can keep up. Default
   * Infinity (unknown).
   */
  capacity?: number;
  /** Mitigation policy for this context. Default: the host's configured policy. */
  policy?: MitigationPolicyFactory;
  /**
   * The interrupt line (MSI-X vector, INTx pin) that signals this queue. Default: the interface's device
   * line with the context's index (the last one when there are fewer), or none for software interfaces.
   */
  line?: InterruptSource;
}

/** Poll context states (NAPI's `NAPI_STATE_*`, simplified to one field). */
export type PollState = 'disabled' | 'idle' | 'scheduled' | 'running';

export interface PollContextStats {
  /** Interrupts that reached {@link PollContext.defer}. */
  interrupts: number;
  /** Times the continuation was scheduled (first schedule of a round). */
  schedules: number;
  polls: number;
  /** Polls that used the whole budget and were re-queued. */
  pollAgain: number;
  /** Rounds completed with an unmask. */
  completions: number;
  /** Rounds that stayed masked and went to the next tick. */
  tickDeferrals: number;
  /** Completions whose post-unmask re-check found work and rescheduled (the race, closed). */
  raceRechecks: number;
  /** Receive work done (packets). */
  work: number;
  /** Polls that reported more work than their budget (a driver bug; clamped). */
  budgetOverruns: number;
  /** Rounds that found an input {@link PollContext.hold} in force and parked without polling. */
  holdParks: number;
  /**
   * Interrupt-work mode ({@link PollContext.setInterruptWork}): interrupts that used their whole
   * `maxWork` with more work pending (3c59x: "Too much work in interrupt").
   */
  maxWorkHits: number;
  /**
   * Emulated coalescing: rounds that completed with work and, instead of unmasking, stayed masked for a
   * re-poll `rxUsecs` later (`napi_defer_hard_irqs`).
   */
  coalesceDeferrals: number;
  /** Changes of the coalescing parameters ({@link PollContext.setCoalescing}). */
  coalesceChanges: number;
}

/**
 * A poll context: the poll state of one queue, separate from the interface (seed 003, Linux's
 * `napi_struct`, FreeBSD iflib's per-queue task). An interface owns 1..N of them; seed 000's single
 * `if_poll` is simply the interface with one context.
 *
 * The cycle, driven by the framework so drivers cannot get it wrong:
 * 1. The interrupt routine acknowledges the device and calls {@link defer}: count, feed the policy,
 *    `schedule_prep` (idle → scheduled, at most once), mask if `maskOnDefer`, queue the continuation.
 * 2. The continuation (at softnet) calls `ops.poll(ctx, weight)`.
 *    - work == weight: poll again — re-queued *behind* other pending continuations (fairness).
 *    - otherwise the round is complete and the policy decides: stay masked and defer to the next tick, or
 *      complete: state → idle, unmask, then re-check `workPending` — if a packet slipped in before the
 *      unmask, mask again and reschedule (NAPI's `napi_complete_done` race, closed here once for all).
 * 3. {@link disable} (on close) cancels a pending run, or waits for a running poll to return.
 */
export class PollContext {
  readonly name: string;
  readonly weight: number;
  readonly maskOnDefer: boolean;
  /** Packets the device holds between polls (see {@link PollContextOptions.capacity}). */
  readonly capacity: number;
  readonly ops: PollOps;
  readonly policy: MitigationPolicy;
  /** Whether {@link policy} looks at time (else it gets 0, and no clock is read for it). */
  private readonly timed: boolean;
  readonly kc: Continuation<PollContext>;
  state: PollState = 'disabled';
  readonly stats: PollContextStats = {
    interrupts: 0,
    schedules: 0,
    polls: 0,
    pollAgain: 0,
    completions: 0,
    tickDeferrals: 0,
    raceRechecks: 0,
    work: 0,
    budgetOverruns: 0,
    holdParks: 0,
    maxWorkHits: 0,
    coalesceDeferrals: 0,
    coalesceChanges: 0,
  };
  /** `rx-usecs` in force ({@link setCoalescing}). */
  private rxUsecs = 0;
  /** `rx-frames` in force. */
  private rxFrames = 0;
  /** The emulation's re-poll timer, created the first time emulated `rxUsecs` is set. */
  private coalesceTimer: HrTimer<PollContext> | null = null;
  /** The scheduled round waits for {@link coalesceTimer} (emulated coalescing). */
  private coalesceWaiting = false;
  /**
   * Input holds in force ({@link hold}): while above 0, a scheduled round does not poll; the context parks
   * with its interrupt masked and the device drops what it cannot hold (Mogul & Ramakrishnan's feedback
   * from a full queue to input processing).
   */
  private holds = 0;
  /** A round found a hold in force and parked: {@link release} resumes it. */
  private parked = false;
  /** Work done in the current round (since the last schedule). */
  private roundWork = 0;
  /** The current round was started by the clock tick. */
  private fromTick = false;
  private disabling = false;
  private readonly disableWaiters: (() => void)[] = [];
  private readonly line: InterruptSource | undefined;
  /** Driver-private per-queue state (the queue's softc), for the driver's convenience. */
  softc: unknown;
  /** Interrupt-work mode ({@link setInterruptWork}), or null: seed 000's deferral (the default). */
  private intrWork: Required<InterruptWorkOptions> | null = null;
  /** Interrupt-work mode: the interrupt is masked until the timer or the release of a hold unmasks it. */
  private intrWorkMasked = false;
  /** Interrupt-work mode's timer (3c59x's `vp->timer`), created on first use. */
  private intrWorkTimer: Callout<PollContext> | null = null;

  constructor(
    readonly ifp: Ifnet,
    readonly index: number,
    options: PollContextOptions,
  ) {
    this.name = options.name ?? `${ifp.name}.poll${index}`;
    this.weight = options.weight ?? 64;
    if (!Number.isInteger(this.weight) || this.weight < 1) throw new RangeError(`${this.name}: weight ${this.weight}`);
    this.maskOnDefer = options.maskOnDefer ?? true;
    this.capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    if (!(this.capacity >= 1) || (this.capacity !== Number.POSITIVE_INFINITY && !Number.isInteger(this.capacity))) {
      throw new RangeError(`${this.name}: capacity must be an integer >= 1 or Infinity, got ${this.capacity}`);
    }
    this.ops = options.ops;
    this.line = options.line;
    this.policy = (options.policy ?? ifp.host.mitigationPolicy)(ifp.host.hz);
    this.timed = this.policy.usesTime !== false;
    this.kc = new Continuation<PollContext>(this.name, IPL_SOFTNET, runPoll, this as PollContext);
    this.policy.attach?.(this);
  }

  /** The coalescing parameters in force (`ethtool -c`; `ETHTOOL_GCOALESCE`). A fresh object. */
  get coalescing(): Coalescing {
    return { rxUsecs: this.rxUsecs, rxFrames: this.rxFrames };
  }

  /** Whether the driver maps coalescing onto its hardware (else `rxUsecs` is emulated). */
  get coalescingInHardware(): boolean {
    return this.ops.setCoalescing !== undefined;
  }

  /**
   * `ethtool -C rx-usecs N rx-frames N` for this queue (`ETHTOOL_SCOALESCE`; the rule is in
   * `coalesce.ts`): fields left out keep their value. The driver maps them onto its hardware
   * ({@link PollOps.setCoalescing}), or the framework emulates `rxUsecs` with a high-resolution re-poll
   * timer. Throws a RangeError for a bad value or one the driver (or the emulation: `rxFrames`) cannot
   * do, and then changes nothing. Allocates nothing once the emulation's timer exists (the adaptive
   * policy calls it from the poll).
   */
  setCoalescing(want: Partial<Coalescing>): void {
    this.applyCoalescing(want.rxUsecs ?? this.rxUsecs, want.rxFrames ?? this.rxFrames);
  }

  /** {@link setCoalescing} with both values given: no object needed (for callers on the data path). */
  applyCoalescing(rxUsecs: number, rxFrames: number): void {
    checkCoalesceValue(this.name, 'rx-usecs', rxUsecs, COALESCE_MAX_USECS);
    checkCoalesceValue(this.name, 'rx-frames', rxFrames, COALESCE_MAX_FRAMES);
    if (rxUsecs === this.rxUsecs && rxFrames === this.rxFrames) return;
    const ops = this.ops;
    if (ops.setCoalescing !== undefined) {
      ops.setCoalescing(this, rxUsecs, rxFrames);
    } else {
      if (rxFrames !== 0) {
        throw new RangeError(`${this.name}: rx-frames is not supported (coalescing emulated by a re-poll timer)`);
      }
      if (rxUsecs !== 0 && this.coalesceTimer === null) {
        this.coalesceTimer = new HrTimer(this.ifp.host.cpu, this.name, coalesceRepoll, this as PollContext);
      }
    }
    this.rxUsecs = rxUsecs;
    this.rxFrames = rxFrames;
    this.stats.coalesceChanges++;
  }

  /**
   * The interrupt line of this queue (`napi->irq` in Linux), or null for a software interface: its
   * `masked` / `asserted` state and `stats` (taken, spurious, asserts) let a test follow the mask and
   * unmask sequence without patching the device.
   */
  get interruptLine(): InterruptSource | null {
    if (this.line !== undefined) return this.line;
    const lines = this.ifp.deviceLines;
    if (lines.length === 0) return null;
    return lines[Math.min(this.index, lines.length - 1)];
  }

  /**
   * `napi_enable`: disabled → idle. Instances start disabled.
   *
   * Enabling while a disable is still pending (the interface went down and up again from inside the
   * running poll, or from an interrupt taken at one of its preemption points) cancels that disable: the
   * last request wins, so the context carries on when the poll returns instead of ending disabled under
   * an interface that is up. Whoever waits for the superseded disable is still released when the poll
   * returns (no poll is running any more then).
   */
  enable(): void {
    if (this.state === 'disabled') {
      this.state = 'idle';
      this.disabling = false;
    } else if (this.disabling) {
      this.disabling = false;
    }
  }

  /**
   * `napi_schedule_prep`: takes ownership of scheduling if the context is enabled and idle. Returns true
   * when the caller must now schedule (exactly one caller wins until the round completes).
   */
  schedulePrep(): boolean {
    if (this.state !== 'idle' || this.disabling) return false;
    this.state = 'scheduled';
    return true;
  }

  /** `__napi_schedule`: queues the poll continuation (after a successful {@link schedulePrep}). */
  schedule(): void {
    this.stats.schedules++;
    this.roundWork = 0;
    this.fromTick = false;
    this.ifp.host.cpu.sched.schedule(this.kc);
  }

  /**
   * `<iftype>_defer(ifp)` for this queue: called by the interrupt routine after it acknowledged the
   * device. Counts the interrupt, tells the policy, and — unless a round is already under way — masks
   * (DMA devices) and schedules the poll. Allocates nothing; safe in interrupt context.
   */
  defer(): void {
    this.stats.interrupts++;
    this.ifp.counters.interrupts++;
    this.policy.onInterrupt(this.timed ? this.ifp.host.cpu.now() : 0);
    if (this.intrWork !== null) {
      this.interruptWork(this.intrWork);
      return;
    }
    const tracer = this.ifp.host.cpu.tracer;
    if (tracer !== null) tracer.pollEvent(this, 'defer');
    if (this.schedulePrep()) {
      if (this.maskOnDefer) this.ops.intrDisable(this);
      this.schedule();
    }
  }

  /** Schedules a poll without an interrupt (e.g. transmit wants reclaim). No-op unless idle. */
  kick(): void {
    if (this.schedulePrep()) this.schedule();
  }

  /**
   * `napi_disable`: stops the context. If it is queued, the run is cancelled; if a poll is running (we
   * were called from inside it, or from an interrupt taken at one of its preemption points), the context
   * is disabled when that poll returns and `onDone` is called then. Returns true when already done.
   */
  disable(onDone?: () => void): boolean {
    if (this.state === 'disabled') {
      onDone?.();
      return true;
    }
    if (this.state === 'running') {
      this.disabling = true;
      if (onDone !== undefined) this.disableWaiters.push(onDone);
      return false;
    }
    this.ifp.host.cpu.sched.cancel(this.kc);
    if (this.intrWorkTimer !== null) this.ifp.host.callouts.stop(this.intrWorkTimer);
    this.cancelCoalesceWait();
    this.state = 'disabled';
    this.parked = false;
    this.intrWorkMasked = false;
    onDone?.();
    return true;
  }

  /**
   * Input feedback (Mogul & Ramakrishnan 1997, "feedback from full queues"): a consumer downstream (a
   * socket whose receive queue is full) asks input processing to stop spending CPU on packets that would
   * die there. Until every hold is {@link release}d, the next round parks instead of polling: the
   * interrupt stays masked (masked here too for contexts that do not mask on defer), so the device keeps
   * the packets in its ring and drops what overflows (counted by the device, at no CPU cost). Holds nest.
   * A hold taken during a round (by a packet that round delivered) takes effect at once if the driver's
   * receive loop checks {@link held} after each packet it hands up, as `wm_rxeof` does — otherwise the
   * round finishes its budget into a queue that has no room for it; either way the round then parks
   * instead of completing. Allocates nothing.
   */
  hold(): void {
    this.holds++;
  }

  /** Releases one {@link hold}; when none is left, a parked round is polled now. */
  release(): void {
    if (this.holds === 0) return;
    if (--this.holds > 0 || !this.parked) return;
    this.parked = false;
    if (this.state === 'scheduled') this.ifp.host.cpu.sched.schedule(this.kc);
  }

  /** Whether input is held ({@link hold}). */
  get held(): boolean {
    return this.holds > 0;
  }

  /** Park: stay 'scheduled' (so defer() does not schedule again) with the interrupt masked. */
  private park(): void {
    if (this.parked) return;
    this.parked = true;
    this.stats.holdParks++;
    this.ifp.host.cpu.tracer?.pollEvent(this, 'hold-park');
    if (!this.maskOnDefer) this.ops.intrDisable(this);
  }

  /** The continuation body. */
  run(): void {
    if (this.state !== 'scheduled') return; // disabled while queued: nothing to do
    if (this.coalesceWaiting) return; // the coalescing timer starts this round
    if (this.holds > 0) {
      this.park();
      return;
    }
    if (this.intrWorkMasked) {
      // Interrupt-work mode: the timer expired or the last hold was released. Packets already waiting
      // raised their cause before the mask (and the interrupt routine acknowledged it): raise it again,
      // as a level-triggered "receive complete" status would (3c59x's RxComplete).
      this.intrWorkMasked = false;
      this.state = 'idle';
      this.ops.intrEnable(this);
      this.ifp.host.cpu.tracer?.pollEvent(this, 'unmask');
      if (this.ops.workPending(this)) this.ops.intrRetrigger?.(this);
      return;
    }
    if (this.kcFromTick()) this.fromTick = true;
    const work = this.pollOnce(this.weight);
    if (work < 0) return;
    this.roundWork += work;
    const sched = this.ifp.host.cpu.sched;
    const tracer = this.ifp.host.cpu.tracer;
    if (this.holds > 0) {
      // Input feedback arrived during the round: neither complete (unmask) nor decide on a partial round;
      // park now, masked, until the last release.
      this.state = 'scheduled';
      this.park();
      return;
    }
    if (work >= this.weight) {
      this.stats.pollAgain++;
      this.ifp.counters.pollAgain++;
      this.state = 'scheduled';
      sched.schedule(this.kc);
      return;
    }
    const decision = this.policy.decide(
      this.roundWork,
      this.fromTick,
      this.timed ? this.ifp.host.cpu.now() : 0,
      this.capacity,
    );
    const found = this.roundWork;
    this.roundWork = 0;
    if (decision === 'tick') {
      this.stats.tickDeferrals++;
      this.ifp.counters.tickDeferrals++;
      if (tracer !== null) tracer.pollEvent(this, 'tick-deferral');
      if (!this.maskOnDefer) this.ops.intrDisable(this);
      this.state = 'scheduled';
      this.tickArmed = true;
      sched.deferToTick(this.kc);
      return;
    }
    if (found > 0 && this.rxUsecs !== 0 && this.coalesceTimer !== null && this.ops.setCoalescing === undefined) {
      // Emulated rx-usecs: stay masked and poll again rx-usecs from now; a re-poll that finds nothing
      // unmasks (napi_defer_hard_irqs = 1, gro_flush_timeout = rx-usecs).
      this.stats.coalesceDeferrals++;
      if (tracer !== null) tracer.pollEvent(this, 'coalesce-deferral');
      if (!this.maskOnDefer) this.ops.intrDisable(this);
      this.state = 'scheduled';
      this.fromTick = false;
      this.coalesceWaiting = true;
      this.coalesceTimer.armAfter(coalesceNs(this.rxUsecs));
      return;
    }
    this.stats.completions++;
    this.state = 'idle';
    this.fromTick = false;
    this.ops.intrEnable(this);
    if (tracer !== null) tracer.pollEvent(this, 'unmask');
    if (this.ops.workPending(this) && this.schedulePrep()) {
      if (tracer !== null) tracer.pollEvent(this, 'race-recheck');
      this.stats.raceRechecks++;
      this.ifp.counters.raceRechecks++;
      this.ops.intrDisable(this);
      this.schedule();
    }
  }

  /**
   * One call of the driver's poll with `budget`: state `running`, counters, fault containment, the clamp
   * to the budget, a disable that was waiting for it. Returns the work done, or -1 when the round ended
   * there (the poll threw and was contained, or the pending disable completed).
   */
  private pollOnce(budget: number): number {
    this.state = 'running';
    this.stats.polls++;
    this.ifp.counters.polls++;
    const tracer = this.ifp.host.cpu.tracer;
    if (tracer !== null) tracer.pollBegin(this, budget);
    let work: number;
    try {
      work = this.ops.poll(this, budget);
    } catch (err) {
      if (tracer !== null) tracer.pollEnd(this, 0);
      this.pollFault(err);
      return -1;
    }
    if (tracer !== null) tracer.pollEnd(this, work);
    if (!(work >= 0)) work = 0;
    if (work > budget) {
      this.stats.budgetOverruns++;
      work = budget;
    }
    this.stats.work += work;
    if (this.disabling) {
      this.finishDisable();
      return -1;
    }
    if (this.disableWaiters.length > 0) this.releaseWaiters();
    return work;
  }

  /**
   * The driver's poll threw: contain it (`net/fault.ts`). The round ends here; the context goes idle (or
   * disabled, if a disable was pending) and the interface is reset through its ops, or marked down.
   */
  private pollFault(err: unknown): void {
    if (isUncontainable(err)) throw err;
    recordFault(this.ifp, `${this.name} poll`, err);
    this.roundWork = 0;
    this.fromTick = false;
    if (this.disabling) {
      this.finishDisable();
      return;
    }
    this.state = 'idle';
    if (this.disableWaiters.length > 0) this.releaseWaiters();
    resetAfterFault(this.ifp);
  }

  /** Set when the continuation was put on the tick list; the next run is a tick round. */
  private tickArmed = false;

  private kcFromTick(): boolean {
    const t = this.tickArmed;
    this.tickArmed = false;
    return t;
  }

  /**
   * @internal The context goes away (`removePollContext`, `if_detach`): release what it established — the
   * emulation's re-poll timer and its interrupt line. Setting emulated coalescing again creates a new one.
   */
  releaseResources(): void {
    this.cancelCoalesceWait();
    if (this.coalesceTimer !== null) {
      this.coalesceTimer.destroy();
      this.coalesceTimer = null;
    }
  }

  /** @internal The emulation's re-poll timer expired (interrupt context): run the waiting round. */
  coalesceExpired(): void {
    if (!this.coalesceWaiting) return;
    this.coalesceWaiting = false;
    if (this.state === 'scheduled') this.ifp.host.cpu.sched.schedule(this.kc);
  }

  private cancelCoalesceWait(): void {
    if (!this.coalesceWaiting) return;
    this.coalesceWaiting = false;
    this.coalesceTimer?.cancel();
  }

  private finishDisable(): void {
    this.cancelCoalesceWait();
    this.state = 'disabled';
    this.disabling = false;
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.disableWaiters.splice(0);
    for (const w of waiters) w();
  }

  /**
   * Interrupt-work mode (`null` turns it off again): the interrupt routine's {@link defer} receives right
   * there, in interrupt context, up to `maxWork` packets (`ops.poll(ctx, maxWork)`), instead of deferring
   * to a continuation. This is how drivers worked before NAPI and seed 000 — the "top half" of seed 004:
   * an interrupt per frame, or several frames per interrupt bounded by 3c59x's `max_interrupt_work` —
   * and what the livelock lab compares seed 000 against. Everything the poll does then runs at the
   * interrupt's IPL and is charged to interrupt context; its packets go up through `if_input` as usual,
   * and whatever the protocols do with them happens there too, unless a {@link Netisr} queue takes them
   * for a soft interrupt (the classic BSD structure).
   *
   * The policy, budget (`weight`) and unmask cycle of the poll context do not apply; input holds do: an
   * interrupt that finds a hold masks the source until the last hold is released. The driver's poll may
   * allocate (refill), which interrupt context forbids: use it on a host whose allocation guard counts
   * (`allocationGuard: 'count'`). `'reinterrupt'` needs {@link PollOps.intrRetrigger}; so does `'timer'`,
   * for packets that were already waiting when it masked (without it, only causes the device latched while
   * masked interrupt after the unmask).
   */
  setInterruptWork(options: InterruptWorkOptions | null): void {
    if (options === null) {
      this.intrWork = null;
      return;
    }
    const timerTicks = options.timerTicks ?? 1;
    if (!Number.isInteger(options.maxWork) || options.maxWork < 1) {
      throw new RangeError(`${this.name}: interrupt work maxWork ${options.maxWork}`);
    }
    if (!(Number.isInteger(timerTicks) && timerTicks >= 1)) {
      throw new RangeError(`${this.name}: interrupt work timerTicks ${timerTicks}`);
    }
    if (options.whenExhausted === 'reinterrupt' && this.ops.intrRetrigger === undefined) {
      throw new RangeError(
        `${this.name}: 'reinterrupt' needs a driver that can retrigger its interrupt (intrRetrigger)`,
      );
    }
    this.intrWork = { maxWork: options.maxWork, whenExhausted: options.whenExhausted, timerTicks };
  }

  /** The interrupt-work mode in force, or null. */
  get interruptWorkMode(): Readonly<InterruptWorkOptions> | null {
    return this.intrWork;
  }

  /** {@link defer} in interrupt-work mode: receive up to `maxWork` packets now, in interrupt context. */
  private interruptWork(w: Required<InterruptWorkOptions>): void {
    if (this.state !== 'idle' || this.disabling) return; // disabled, or masked for the timer or a hold
    if (this.holds > 0) {
      this.maskForInterruptWork();
      this.ifp.host.cpu.sched.schedule(this.kc); // parks at once; the last release unmasks
      return;
    }
    const work = this.pollOnce(w.maxWork);
    if (work < 0) return;
    this.state = 'idle';
    if (work < w.maxWork || !this.ops.workPending(this)) return;
    this.stats.maxWorkHits++;
    this.ifp.host.cpu.tracer?.pollEvent(this, 'max-work');
    if (w.whenExhausted === 'reinterrupt') {
      this.ops.intrRetrigger?.(this);
      return;
    }
    this.maskForInterruptWork();
    if (this.intrWorkTimer === null) {
      this.intrWorkTimer = new Callout<PollContext>(`${this.name} timer`, unmaskAfterTimer, this);
    }
    this.ifp.host.callouts.reset(this.intrWorkTimer, w.timerTicks);
  }

  private maskForInterruptWork(): void {
    this.ops.intrDisable(this);
    this.state = 'scheduled';
    this.intrWorkMasked = true;
  }

  /** A plain snapshot of counters and state. */
  snapshot(): Record<string, unknown> {
    return {
      name: this.name,
      state: this.state,
      weight: this.weight,
      ...this.stats,
      coalescing: this.coalescing,
      policy: this.policy.describe(),
    };
  }
}

function runPoll(ctx: PollContext): void {
  ctx.run();
}

/** Interrupt-work mode's timer: the unmask runs as the poll continuation (which also honours holds). */
function unmaskAfterTimer(ctx: PollContext): void {
  if (ctx.state === 'scheduled') ctx.ifp.host.cpu.sched.schedule(ctx.kc);
}

function coalesceRepoll(ctx: PollContext): void {
  ctx.coalesceExpired();
}
