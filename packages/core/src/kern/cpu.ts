import type { Clock } from './clock.js';
import { type Continuation, ContinuationScheduler } from './continuation.js';
import { CostLayers, MAX_COST_LAYERS } from './cost-layers.js';
import type { CostProfile } from './cost-profile.js';
import { InterruptController, STORM_THRESHOLD, type InterruptSource } from './interrupt-controller.js';
import type { KernelTracer } from './kernel-tracer.js';
import {
  IPL_HIGH,
  IPL_NAMES,
  IPL_NONE,
  IPL_SOFTCLOCK,
  IPL_SOFTNET,
  type Ipl,
  SOFT_LEVELS,
  type SoftIpl,
} from './ipl.js';
import type { RealClock } from './real-clock.js';
import type { VirtualClock } from './virtual-clock.js';
import type { Nanoseconds } from './time.js';
import { isUncontainable } from '../net/fault.js';

/** Soft continuations a single preemption point may run before the interrupted code resumes (Linux MAX_SOFTIRQ_RESTART). */
export const MAX_SOFT_RESTART = 10;

/**
 * Softnet units a waiting softclock lets go first before it gets a turn, whatever the clock says (the
 * count bound holds even with a zero-cost profile, where `softQuota` of virtual time never passes).
 */
export const MAX_SOFTCLOCK_DEFER = 10 * MAX_SOFT_RESTART;

/**
 * On the real clock, a unit of work reads the wall clock at most once, when something first needs the time
 * (see {@link Cpu.now}), and a reading may serve the next few short units too; after this many preemption
 * points a fresh reading is taken, so hardware timers still fire inside a long softnet loop, some tens of
 * microseconds late at most. (Every read costs 50–200 ns and, on Node 20, a 16-byte heap number: with
 * this bound an interrupt and the poll rounds of a 64-packet burst share about one reading.)
 */
export const REAL_CLOCK_RESAMPLE = 256;

/**
 * Slots of {@link Cpu}'s `times` array. First the cost of each layer id ({@link MAX_LAYERS} slots,
 * `CostLayers.cost` is a view of them), at the id itself: a charge reads the cost from the array it adds it
 * to, one typed array per charge instead of two. Then the CPU's times.
 */
// Used per packet (chargeLayerId), so bound to this module's own constant: V8 folds a module's own `const`
// into the code it compiles but reads an imported binding from its cell with a hole (TDZ) check at each use.
const MAX_LAYERS = MAX_COST_LAYERS;
const LOCAL_TIME = MAX_LAYERS;
const CHARGED_INTERRUPT = MAX_LAYERS + 1;
/** Real clock: the wall time read in the current unit, NaN when not read yet. */
const SAMPLE = MAX_LAYERS + 2;
/** Virtual clock: scratch slot for the clock's event time when the CPU wakes (see `wake`). */
const WAKE_TIME = MAX_LAYERS + 3;
/**
 * Real clock: `times[SAMPLE]` while a unit runs, NaN outside units (see `catchUpReal`): "is a timer due?"
 * at a preemption point is then one compare of this slot with the deadline.
 */
const UNIT_SAMPLE = MAX_LAYERS + 4;
/** First of the per-soft-level charge tallies (`CpuStats.chargedSoft` is a view of these slots). */
const CHARGED_SOFT = MAX_LAYERS + 5;
/** The virtual clock's CPUs have no use for the real clock's deadline cell: this one stays Infinity. */
const NO_DEADLINE = new Float64Array([Number.POSITIVE_INFINITY]);
/** Slots of {@link Cpu}'s `preempted` array (the fair share of pre-empted process-level code). */
const DEBT = 0;
const SOFT_END = 1;

/**
 * A new unit ages the CPU's clock reading as much as this many preemption points: a reading serves a few
 * short units in a row (an interrupt, then its poll) but not a long run of them.
 */
const REAL_CLOCK_UNIT_AGE = 16;

/**
 * Something that must know when the CPU is in interrupt context: the mbuf pools' allocation guard
 * (seed 000: no memory allocation in interrupt routines).
 */
export interface InterruptContextObserver {
  enterInterrupt(): void;
  leaveInterrupt(): void;
}

/** Per-CPU counters. */
export interface CpuStats {
  interrupts: number;
  spurious: number;
  continuations: number;
  preemptionPoints: number;
  /** Process turns granted because process-level work waited a whole `softQuota` behind soft work. */
  processTurns: number;
  /**
   * Softclock turns: the callout continuation run ahead of queued softnet work because it had waited a
   * whole `softQuota` (or {@link MAX_SOFTCLOCK_DEFER} softnet units) behind it.
   */
  softclockTurns: number;
  /**
   * Nanoseconds charged, by context: interrupt handlers (entry and exit included), and the rest by the
   * level of the unit that was running — its continuation's soft level, or process level — whatever spl
   * it had raised (a driver's `splnet()` section in a softnet poll is softnet time; Linux and BSD charge
   * such time to the context too, not to a level of its own). Every charge lands in exactly one tally, so
   * over any stretch of the CPU's local time `chargedInterrupt + Σ chargedSoft` never exceeds the stretch.
   */
  readonly chargedInterrupt: number;
  chargedSoft: Float64Array;
}

/**
 * The CPU that runs one host's kernel code.
 *
 * It has an interrupt priority level ({@link ipl}) raised and restored spl-style ({@link splraise} /
 * {@link splx}, or the scoped {@link atIpl}), an interrupt controller and continuation run queues. Work
 * is done in *units*: one interrupt handler or one continuation. Inside a unit, loops that run below
 * interrupt level call {@link preempt} between items — a *preemption point* — where pending unmasked
 * interrupts above the current level are taken and higher soft levels run. That is how a softnet loop
 * gets interrupted per packet (and how receive livelock happens in the legacy model).
 *
 * On the virtual clock the CPU keeps a *local time*: work {@link charge}s nanoseconds from the cost
 * profile, and at each preemption point the clock catches up with it, so devices act while the CPU is
 * busy. On the real clock, charges are only tallied.
 */
export class Cpu {
  /** Current interrupt priority level. */
  ipl: Ipl = IPL_NONE;
  /** Nesting depth of interrupt handlers (0 = not in interrupt context). */
  interruptDepth = 0;
  readonly intr = new InterruptController();
  readonly sched = new ContinuationScheduler();
  /** Counters; built in the constructor, over {@link times} (see `newCpuStats`). */
  readonly stats: CpuStats;
  private readonly observers: InterruptContextObserver[] = [];
  /**
   * The per-packet paths (charges, preemption points) test it as `=== true` / `=== false`: one pointer
   * compare, where V8 compiles a bare `if (this.virtual)` on a CPU it cannot constant-fold into a full
   * ToBoolean (false, empty string, undetectable, number and bigint checks).
   */
  private readonly virtual: boolean;
  /**
   * The cost of each layer id (`layers.cost` is a view of these slots), then: local time on the virtual
   * clock (ns), nanoseconds charged in interrupt context, the real clock's reading for the current unit
   * (NaN: not read yet), a scratch slot, the reading again while a unit runs (`UNIT_SAMPLE`), then the
   * nanoseconds charged at each soft level (`stats.chargedSoft` is a view of them). Kept in a typed
   * array, not in fields: the per-packet `+=` and the clocks' catch-up (`advanceToCell`) read them
   * without ever boxing a double.
   */
  private readonly times = new Float64Array(CHARGED_SOFT + SOFT_LEVELS);
  /**
   * The slot of {@link times} that charges go to: `CHARGED_INTERRUPT` in interrupt context, else the
   * running unit's level's tally. Kept up to date where the context changes (`takeInterrupt`,
   * `runContinuation`), so a per-packet charge is one typed-array add instead of a test of the context
   * and a second array (see `CpuStats.chargedSoft`).
   */
  private chargeSlot = CHARGED_SOFT + IPL_NONE;
  /** Set by the runner when the CPU went idle; cleared when it picks the CPU again. */
  idle = true;
  /** When an idle CPU was given work (hardware event time), NaN if not since it went idle. */
  wakeAt = Number.NaN;
  /** Called whenever work becomes runnable (the real-time runner kicks its loop). */
  onWake: (() => void) | undefined = undefined;
  /** The unit currently running, for diagnostics. */
  current: string | undefined = undefined;
  /**
   * Called (in interrupt context, with the source already masked) when an interrupt handler threw. The
   * host routes it to the interfaces of the device that owns the line (`net/fault.ts`). Without it the
   * source simply stays masked.
   */
  onInterruptFault: ((src: InterruptSource, err: unknown) => void) | undefined = undefined;
  /**
   * Observer of interrupts, continuations and polls (`kernel-tracer.ts`), null when off: then the only
   * cost is this field's null test per interrupt, continuation and poll.
   */
  tracer: KernelTracer | null = null;
  /** The last unit started (interrupt handler or continuation name), for diagnostics after it returned. */
  lastUnit = '';
  /**
   * Set when a charge moved this CPU's virtual time; the simulation clears it before each unit to notice
   * units that cost nothing (a boolean, so the check boxes no double).
   */
  timeMoved = false;
  /**
   * Fair share between soft interrupt work and process level (Linux's ksoftirqd, FreeBSD polling's
   * `user_frac`, Mogul and Ramakrishnan's cap on the CPU share of packet processing): once process-level
   * continuations have waited this long behind softnet/softclock work, they get a *process turn* of the
   * same length during which soft levels neither run first nor pre-empt them (hardware interrupts still
   * do). Without it, a poll that always finds a full budget starves applications forever: receive
   * livelock moved up to the socket. Default 2 ms (`netdev_budget_usecs`); `Infinity` turns it off.
   */
  softQuota: Nanoseconds = 2_000_000;
  /**
   * When queued process-level work started waiting behind soft units (NaN: not waiting; see
   * {@link pickContinuation}).
   */
  private processWaitingSince = Number.NaN;
  /**
   * Process level pre-empted by soft work at its own preemption points ({@link processOutwaited}): in
   * slot 0 the *debt*, soft time run at those points less the time between them (floored at 0); in slot
   * 1 the CPU time when the last such soft run ended. A typed array, so no double is boxed per point.
   */
  private readonly preempted = new Float64Array(2);
  /**
   * The level whose tally non-interrupt charges go to: the running continuation's level, `IPL_NONE`
   * outside continuations (see `CpuStats.chargedSoft`).
   */
  private unitLevel: SoftIpl = IPL_NONE;
  /** End of the current process turn (NaN: none). */
  private processTurnUntil = Number.NaN;
  /** When softclock started waiting behind softnet work (NaN: not waiting), and softnet units since. */
  private softclockWaitingSince = Number.NaN;
  private softclockPassed = 0;

  /** Layer names ↔ ids and their costs under {@link costs} ({@link chargeLayerId}), in {@link times}. */
  readonly layers: CostLayers;
  private profile: CostProfile;

  constructor(
    readonly name: string,
    readonly clock: Clock,
    costs: CostProfile,
  ) {
    this.profile = costs;
    this.layers = new CostLayers(costs, this.times.subarray(0, MAX_LAYERS));
    this.virtual = clock.kind === 'virtual';
    this.times[LOCAL_TIME] = clock.now();
    this.times[SAMPLE] = Number.NaN;
    this.times[UNIT_SAMPLE] = Number.NaN;
    this.stats = newCpuStats(this.times);
    this.deadline = this.virtual ? NO_DEADLINE : (clock as RealClock).earliestExpiry;
    this.intr.onPending = () => this.wake();
    this.sched.onRunnable = () => this.wake();
  }

  /** Work became runnable: remember when, if the CPU was idle, and tell the runner. */
  private wake(): void {
    // `=== true`: per wakeup (a socket's per datagram); a bare boolean field test is a full ToBoolean in V8.
    if (this.idle === true && Number.isNaN(this.wakeAt)) {
      // One call site per clock kind: each stays monomorphic and inlined, so the double it returns is
      // never boxed (a call site that has seen both clocks may not inline, and a returned double is then a
      // new heap number on every wake-up).
      // (sim-alloc) The virtual clock writes its event time into a cell: at virtual times above 2^31 ns a
      // returned double was still a heap number where V8 did not inline the call (per frame in the legacy
      // interrupt-per-frame model).
      if (this.virtual === true) {
        (this.clock as VirtualClock).eventTimeInto(this.times, WAKE_TIME);
        this.wakeAt = this.times[WAKE_TIME];
      } else this.wakeAt = (this.clock as RealClock).eventTime();
    }
    this.onWake?.();
  }

  // Every field of the CPU is initialised in the constructor (declared fields without an initialiser are
  // added later, giving CPUs different hidden classes and the hot paths polymorphic, boxing loads).

  /** Units of work being run by {@link runUnit} (nested when an interrupt is taken inside one). */
  private unitDepth = 0;
  /** Real clock: preemption points passed since the unit's reading (`times[SAMPLE]`) was taken. */
  private sampleAge = 0;
  /** Real clock: the clock's read count when this CPU's previous unit ended. */
  private readsSeen = -1;
  /** Real clock: its earliest timer expiry, Infinity when none is armed (`RealClock.earliestExpiry`). */
  private readonly deadline: Float64Array;

  /**
   * The CPU's notion of now: its local time on the virtual clock; wall time on the real clock, read at
   * most once per unit of work (and again every {@link REAL_CLOCK_RESAMPLE} preemption points), because a
   * clock read costs 50–200 ns and, on Node 20, allocates. Outside a unit (an application between runner
   * steps) every call reads the clock.
   */
  now(): Nanoseconds {
    // Kept tiny so it is inlined: a double returned from a call V8 did not inline is a new heap number.
    return this.virtual ? this.times[LOCAL_TIME] : this.realNow();
  }

  /**
   * Writes {@link now} into `cell[index]`: for runners comparing CPUs' times (sim-alloc). `now()` returns a
   * double, a new heap number at every call site where V8 did not inline it (the simulation loop's per-unit
   * comparisons: 13–32 B per unit of work measured), and a cell never boxes.
   */
  nowInto(cell: Float64Array, index: number): void {
    if (this.virtual === true) cell[index] = this.times[LOCAL_TIME];
    else cell[index] = this.realNow();
  }

  private realNow(): Nanoseconds {
    if (this.unitDepth === 0) return this.clock.now();
    if (Number.isNaN(this.times[SAMPLE])) this.readSample();
    return this.times[SAMPLE];
  }

  /** Real clock: takes the unit's reading. */
  private readSample(): void {
    const clock = this.clock as RealClock;
    clock.read();
    this.times[SAMPLE] = clock.lastReading;
    if (this.unitDepth > 0) this.times[UNIT_SAMPLE] = clock.lastReading;
    this.sampleAge = 0;
  }

  /** Real clock: the unit's reading is too old ({@link REAL_CLOCK_RESAMPLE}); whoever needs the time reads. */
  private dropSample(): void {
    this.times[SAMPLE] = Number.NaN;
    this.times[UNIT_SAMPLE] = Number.NaN;
  }

  /**
   * Brings the hardware up to the CPU's time: every timer due by {@link now} fires (devices act). Called at
   * preemption points and before register accesses. On the virtual clock the clock catches up with the
   * local time (exact, cheap). On the real clock the time is read only when a timer is armed at all, and
   * then through {@link now}'s per-unit reading.
   */
  catchUpHardware(): void {
    if (this.virtual === true) (this.clock as VirtualClock).advanceToCell(this.times, LOCAL_TIME);
    else this.catchUpReal();
  }

  /**
   * {@link catchUpHardware} on the real clock. The common case — inside a unit, with a reading earlier
   * than the earliest timer (Infinity when none is armed) — is one compare: `times[UNIT_SAMPLE]` is NaN
   * outside units and while the unit has no reading, and NaN compares false, so every other case (no
   * reading yet, a timer due, outside a unit) goes to {@link catchUpRealSlow}, which decides as before.
   * Twice per received packet (the driver's `if_input` and the application's drain).
   */
  private catchUpReal(): void {
    if (this.times[UNIT_SAMPLE] < this.deadline[0]) return;
    this.catchUpRealSlow();
  }

  private catchUpRealSlow(): void {
    // The clock's earliest expiry is a typed-array cell the timer heap keeps current: "is a timer due?"
    // is a load and a compare, and no double crosses a call (where V8's inlining budget ran out, a
    // returned `nextExpiry()` was a new heap number per packet).
    const due = this.deadline[0];
    if (due === Number.POSITIVE_INFINITY) return;
    if (this.unitDepth === 0) {
      (this.clock as RealClock).readAndAdvance();
      return;
    }
    const times = this.times;
    if (Number.isNaN(times[SAMPLE])) this.readSample();
    if (times[SAMPLE] >= due) (this.clock as RealClock).advanceToCell(times, SAMPLE);
  }

  /** Used by the simulation: an idle CPU that gets work catches up with the clock frontier. */
  catchUp(t: Nanoseconds): void {
    if (t > this.times[LOCAL_TIME]) this.times[LOCAL_TIME] = t;
  }

  /**
   * Used by the simulation when it picks an idle CPU that has work: its local time moves to when the
   * hardware gave it the work ({@link wakeAt}), or to the clock frontier. No time argument, so no double
   * crosses a call.
   */
  resumeFromIdle(): void {
    const times = this.times;
    if (!Number.isNaN(this.wakeAt)) times[WAKE_TIME] = this.wakeAt;
    else this.frontierInto(WAKE_TIME);
    if (times[WAKE_TIME] > times[LOCAL_TIME]) times[LOCAL_TIME] = times[WAKE_TIME];
    this.wakeAt = Number.NaN;
    this.idle = false;
  }

  /** Used by the simulation between steps: an idle CPU's local time follows the clock frontier. */
  idleAtFrontier(): void {
    const times = this.times;
    this.frontierInto(WAKE_TIME);
    if (times[WAKE_TIME] > times[LOCAL_TIME]) times[LOCAL_TIME] = times[WAKE_TIME];
    this.idle = true;
    this.wakeAt = Number.NaN;
  }

  /**
   * (sim-alloc) The clock's frontier into `times[slot]`: on the virtual clock through its cell, because the
   * polymorphic `clock.now()` here was not inlined and returned a heap number once per run step beyond
   * 2^31 ns.
   */
  private frontierInto(slot: number): void {
    if (this.virtual === true) (this.clock as VirtualClock).nowInto(this.times, slot);
    else this.times[slot] = this.clock.now();
  }

  /** Registers an observer of interrupt context (the allocation guard of a pool). */
  observeInterruptContext(o: InterruptContextObserver): void {
    this.observers.push(o);
  }

  get inInterrupt(): boolean {
    return this.interruptDepth > 0;
  }

  /** Charges `ns` of CPU work: advances local time on the virtual clock. */
  charge(ns: Nanoseconds): void {
    // NaN, a negative or an infinite charge would poison the CPU's clock for good: refuse it at the source
    // (the throw lives out of line so this method stays small enough to inline).
    if (!(ns >= 0 && ns < Number.POSITIVE_INFINITY)) badCharge(this.name, ns);
    // By context, not by `ipl`: time spent at a raised spl outside interrupt context belongs to the unit
    // that raised it (keyed by `ipl`, it fell in no tally and read as idle).
    this.times[this.chargeSlot] += ns;
    if (this.virtual === true) {
      this.times[LOCAL_TIME] += ns;
      if (ns > 0) this.timeMoved = true;
    }
  }

  /** The cost profile work is charged from; replacing it re-prices every layer id. */
  get costs(): CostProfile {
    return this.profile;
  }
  set costs(profile: CostProfile) {
    this.profile = profile;
    this.layers.reprice(profile);
  }

  /**
   * Charges the per-packet cost of layer `id`: a `LAYER_*` constant, or an id from {@link layerId}
   * resolved when the module attached. One typed-array load; the data paths use this.
   */
  chargeLayerId(id: number): void {
    // The body of charge(), written out: the cost stays in a register instead of crossing a call.
    const times = this.times;
    const ns = id < MAX_LAYERS ? times[id] : this.profile.layerDefault;
    times[this.chargeSlot] += ns;
    if (this.virtual === true) times[LOCAL_TIME] += ns;
  }

  /**
   * Charges layer `a`, then layer `b`: exactly {@link chargeLayerId}`(a)` followed by `chargeLayerId(b)` —
   * the same two additions in the same order, so the tallies and the virtual clock come out bit for bit
   * the same — with the context's tally looked up once. For a path that always passes both layers with
   * nothing in between that reads the clock (UDP input queueing on a socket: `udp_input` then
   * `sbappendaddr`).
   */
  chargeLayerIds2(a: number, b: number): void {
    const times = this.times;
    const na = a < MAX_LAYERS ? times[a] : this.profile.layerDefault;
    const nb = b < MAX_LAYERS ? times[b] : this.profile.layerDefault;
    const slot = this.chargeSlot;
    // Left to right: (t + na) + nb, as the two separate charges sum.
    times[slot] = times[slot] + na + nb;
    if (this.virtual === true) times[LOCAL_TIME] = times[LOCAL_TIME] + na + nb;
  }

  /** The id of layer `name` on this CPU (adding it if new): resolve once, at attach. */
  layerId(name: string): number {
    return this.layers.id(name);
  }

  /**
   * Charges the per-packet cost of a layer by name (a map probe per call): for cold paths and tests; data
   * paths resolve an id once and use {@link chargeLayerId}.
   */
  chargeLayer(layer: string): void {
    const id = this.layers.lookup(layer);
    this.charge(id >= 0 ? this.layers.cost[id] : this.layers.price(layer));
  }

  /** `splraise`: raises the level to at least `level` and returns the old one for {@link splx}. */
  splraise(level: Ipl): Ipl {
    const old = this.ipl;
    if (level > old) this.ipl = level;
    return old;
  }

  /** `splnet()` */
  splnet(): Ipl {
    return this.splraise(3);
  }

  /** `splhigh()` */
  splhigh(): Ipl {
    return this.splraise(IPL_HIGH);
  }

  /**
   * `splx`: restores a level returned by {@link splraise}. Lowering the level is itself a preemption
   * point, as in BSD, where `splx` runs pending soft interrupts.
   */
  splx(old: Ipl): void {
    const lowered = old < this.ipl;
    this.ipl = old;
    if (lowered) this.preempt();
  }

  /**
   * Runs `fn` with the level raised to `level`, restoring it afterwards even if `fn` throws — so a level
   * can never be left raised by an exception.
   */
  atIpl<R>(level: Ipl, fn: () => R): R {
    const old = this.splraise(level);
    try {
      return fn();
    } finally {
      this.splx(old);
    }
  }

  /**
   * A preemption point. On the virtual clock the clock first catches up with the CPU's local time
   * (devices act meanwhile); then every pending interrupt above the current level is taken, then
   * continuations queued above the current level run (a softnet continuation pre-empts process level, as
   * soft interrupts run on return from a trap).
   */
  preempt(): void {
    this.stats.preemptionPoints++;
    // catchUpHardware, with the reading's ageing in its real-clock branch: one test of the clock kind.
    // The real-clock half is a call (inlined where it ran, a deopt point where it never did): a driver's
    // receive loop inlines preempt through if_input, and V8 sizes that inlining by bytecode, both halves.
    if (this.virtual === true) (this.clock as VirtualClock).advanceToCell(this.times, LOCAL_TIME);
    else this.preemptReal();
    // The common case in constant time, without reading any clock: no interrupt pending, no continuation
    // queued above the current level. The rest is out of line, so this stays small enough for V8 to
    // inline into the per-packet loops that call it (`if_input` once per packet).
    if (this.intr.anyPending || this.sched.hasAbove(this.ipl)) this.runPending();
  }

  /**
   * {@link preempt}'s real-clock catch-up: ages the unit's reading, then {@link catchUpReal}'s one compare,
   * written out here (a call, even inlined, spends V8's inlining budget: 40 bytes of bytecode).
   */
  private preemptReal(): void {
    if (++this.sampleAge >= REAL_CLOCK_RESAMPLE) this.dropSample();
    if (this.times[UNIT_SAMPLE] < this.deadline[0]) return;
    this.catchUpRealSlow();
  }

  /** The rest of {@link preempt}: take pending interrupts, then run soft work queued above the level. */
  private runPending(): void {
    // Process-level code pre-empted here competes with soft work for the fair share (processOutwaited).
    const atProcess = this.ipl === IPL_NONE;
    let softRuns = 0;
    let softStart = Number.NaN;
    for (;;) {
      const src = this.intr.next(this.ipl);
      if (src !== undefined) {
        this.takeInterrupt(src);
        continue;
      }
      if (!this.sched.hasAbove(this.ipl)) break;
      // Soft levels wait while process-level work has its turn.
      const turnEnd = this.processTurnUntil;
      if (!Number.isNaN(turnEnd) && this.now() < turnEnd) break;
      // Soft work run from a preemption point is bounded, as `__do_softirq` is (MAX_SOFTIRQ_RESTART and
      // a time limit): a poll that always finds more work must not keep the interrupted code from ever
      // resuming. What is left runs as ordinary units.
      if (softRuns >= MAX_SOFT_RESTART) break;
      if (Number.isNaN(softStart)) {
        // Process level that has waited a whole quota behind soft work at its own preemption points takes
        // its turn now, as it would if it were queued (ksoftirqd: soft work past its bound competes with
        // the task instead of pre-empting it on every return from an interrupt).
        if (atProcess && this.processOutwaited()) return;
        softStart = this.now();
      } else if (this.now() - softStart >= this.softQuota) break;
      const kc = this.sched.dequeueAbove(this.ipl);
      if (kc === null) break;
      softRuns++;
      this.runContinuation(kc);
    }
    // Soft work ran in the middle of process-level code: the process's debt grows by that time.
    if (atProcess && softRuns > 0) {
      const end = this.now();
      this.preempted[DEBT] += end - softStart;
      this.preempted[SOFT_END] = end;
    }
  }

  /**
   * At a preemption point of process-level code (a process continuation, or an application between
   * runner steps) soft work is about to run. A real kernel runs soft interrupts on return from an
   * interrupt ahead of the task, but once they overrun their bound the rest goes to ksoftirqd, which the
   * scheduler shares fairly with the task. Here: the soft time run at such points is the process's
   * *debt*; the time between them (the process running, or the CPU doing anything else) pays it off;
   * when the debt reaches `softQuota` the process gets a turn of that length (`stats.processTurns`), as
   * queued process work does in {@link pickContinuation}. Without this, process-level code that yields
   * at every item — an application's drain with a preemption point per datagram — was pre-empted by a
   * busy softnet at each one and never counted as waiting: it got about 1 % of the CPU. Returns true
   * when the turn starts (soft work then waits).
   */
  private processOutwaited(): boolean {
    const p = this.preempted;
    const now = this.now();
    const paid = now - p[SOFT_END];
    let debt = p[DEBT];
    debt = paid >= debt ? 0 : debt - paid;
    p[SOFT_END] = now;
    if (debt < this.softQuota) {
      p[DEBT] = debt;
      return false;
    }
    p[DEBT] = 0;
    this.processTurnUntil = now + this.softQuota;
    this.processWaitingSince = Number.NaN;
    this.stats.processTurns++;
    return true;
  }

  /** Whether the CPU has anything to do at base level: a pending interrupt or a queued continuation. */
  get runnable(): boolean {
    return this.intr.anyPending || this.sched.hasRunnable(IPL_NONE);
  }

  /**
   * Runs one unit of work at base level: the highest pending interrupt, else the next continuation.
   * Returns false when there was nothing to do. Used by runners, never by kernel code.
   */
  runUnit(): boolean {
    if (this.virtual === true) {
      (this.clock as VirtualClock).advanceToCell(this.times, LOCAL_TIME);
      return this.runOneUnit();
    }
    // Real clock: the unit's clock reading lives while unitDepth > 0 (see now()).
    this.startRealUnit();
    this.unitDepth++;
    this.times[UNIT_SAMPLE] = this.times[SAMPLE];
    try {
      return this.runOneUnit();
    } finally {
      this.unitDepth--;
      this.times[UNIT_SAMPLE] = this.unitDepth > 0 ? this.times[SAMPLE] : Number.NaN;
      this.readsSeen = (this.clock as RealClock).reads;
    }
  }

  private runOneUnit(): boolean {
    const src = this.intr.next(this.ipl);
    if (src !== undefined) {
      this.takeInterrupt(src);
      return true;
    }
    const kc = this.pickContinuation();
    if (kc === null) return false;
    this.runContinuation(kc);
    return true;
  }

  /**
   * Real clock, start of a unit: a reading someone took since this CPU's previous unit ended (the
   * runner's, between rounds) serves as this unit's time; otherwise the unit reads lazily, if at all.
   */
  private startRealUnit(): void {
    const clock = this.clock as RealClock;
    if (clock.reads !== this.readsSeen) {
      this.times[SAMPLE] = clock.lastReading;
      this.sampleAge = 0;
    } else {
      this.sampleAge += REAL_CLOCK_UNIT_AGE;
      if (this.sampleAge >= REAL_CLOCK_RESAMPLE) this.times[SAMPLE] = Number.NaN;
    }
  }

  private softWaiting(): boolean {
    return this.sched.queued(IPL_SOFTNET) + this.sched.queued(IPL_SOFTCLOCK) > 0;
  }

  /** Highest soft level first, unless process-level work has waited a whole quota: then its turn. */
  private pickContinuation(): Continuation<any> | null {
    if (this.sched.queued(IPL_NONE) === 0) {
      this.processWaitingSince = Number.NaN;
      this.processTurnUntil = Number.NaN;
      return this.dequeueSoft();
    }
    if (Number.isNaN(this.processTurnUntil) && !this.softWaiting()) {
      // No turn running and no soft work waiting: process level runs, and no clock needs reading.
      this.processWaitingSince = Number.NaN;
      return this.sched.dequeueLevel(IPL_NONE);
    }
    const now = this.now();
    const inTurn = now < this.processTurnUntil;
    if (!inTurn) {
      this.processTurnUntil = Number.NaN;
      if (!this.softWaiting()) {
        this.processWaitingSince = Number.NaN;
        return this.sched.dequeueLevel(IPL_NONE);
      }
      if (Number.isNaN(this.processWaitingSince)) this.processWaitingSince = now;
      if (now - this.processWaitingSince < this.softQuota) return this.dequeueSoft();
      this.processTurnUntil = now + this.softQuota;
      this.processWaitingSince = Number.NaN;
      this.stats.processTurns++;
    }
    return this.sched.dequeueLevel(IPL_NONE);
  }

  /**
   * The next soft continuation, highest level first — except that softclock (callouts: watchdogs, ARP and
   * reassembly timers) does not wait behind softnet forever. The same fair share as process level: once
   * it has waited a whole `softQuota` or {@link MAX_SOFTCLOCK_DEFER} softnet units, it runs next (Linux
   * runs its timer softirq in every `__do_softirq` pass, and hands the rest to ksoftirqd).
   */
  private dequeueSoft(): Continuation<any> | null {
    const s = this.sched;
    if (this.ipl < IPL_SOFTCLOCK && s.queued(IPL_SOFTCLOCK) > 0 && s.queued(IPL_SOFTNET) > 0) {
      const now = this.now();
      if (Number.isNaN(this.softclockWaitingSince)) {
        this.softclockWaitingSince = now;
        this.softclockPassed = 0;
      } else if (now - this.softclockWaitingSince >= this.softQuota || ++this.softclockPassed >= MAX_SOFTCLOCK_DEFER) {
        this.softclockWaitingSince = Number.NaN;
        this.stats.softclockTurns++;
        return s.dequeueLevel(IPL_SOFTCLOCK);
      }
    } else {
      this.softclockWaitingSince = Number.NaN;
    }
    return s.dequeue(this.ipl);
  }

  /** Runs one continuation at its level. */
  runContinuation(kc: Continuation<any>): void {
    const tracer = this.tracer;
    if (tracer !== null) tracer.continuationBegin(this, kc);
    const old = this.ipl;
    const prevUnit = this.current;
    const prevLevel = this.unitLevel;
    // The level first, so the dispatch cost is the continuation's own (it was charged to the level it
    // pre-empted, or to process level for every unit run from the runner).
    this.unitLevel = kc.ipl;
    this.setChargeSlot();
    this.charge(this.costs.continuation);
    this.ipl = kc.ipl;
    this.current = kc.name;
    this.lastUnit = kc.name;
    kc.runs++;
    this.stats.continuations++;
    this.sched.stats.ran++;
    try {
      kc.fn(kc.arg);
    } finally {
      this.ipl = old;
      this.unitLevel = prevLevel;
      this.setChargeSlot();
      this.current = prevUnit;
      if (tracer !== null) tracer.continuationEnd(this, kc);
    }
  }

  /**
   * Takes one interrupt: entry cost, handler at the line's IPL in interrupt context, exit cost. Entry and
   * exit are charged to interrupt context (`chargedInterrupt`), not to the level that was interrupted.
   */
  private takeInterrupt(src: InterruptSource): void {
    const tracer = this.tracer;
    if (tracer !== null) tracer.interruptBegin(this, src);
    const old = this.ipl;
    const prevUnit = this.current;
    this.interruptDepth++;
    this.chargeSlot = CHARGED_INTERRUPT;
    this.charge(this.costs.interruptEntry);
    this.ipl = src.ipl as Ipl;
    this.current = src.handlerName;
    this.lastUnit = src.handlerName;
    for (let i = 0; i < this.observers.length; i++) this.observers[i].enterInterrupt();
    this.stats.interrupts++;
    src.stats.taken++;
    let claimed = true;
    try {
      claimed = src.handler!(src.handlerArg);
    } catch (err) {
      // A driver bug must not end the simulation: mask the source (an unacknowledged level-triggered
      // cause would storm) and let the host reset the interface. Test assertions still propagate.
      if (isUncontainable(err)) throw err;
      src.stats.faults++;
      src.mask();
      this.onInterruptFault?.(src, err);
    } finally {
      for (let i = 0; i < this.observers.length; i++) this.observers[i].leaveInterrupt();
      this.charge(this.costs.interruptExit);
      this.interruptDepth--;
      this.setChargeSlot();
      this.ipl = old;
      this.current = prevUnit;
    }
    if (claimed) {
      src.unclaimedRun = 0;
    } else {
      src.stats.spurious++;
      this.stats.spurious++;
      if (++src.unclaimedRun >= STORM_THRESHOLD) {
        src.stats.stormDisables++;
        src.mask();
      }
    }
    if (tracer !== null) tracer.interruptEnd(this, src);
  }

  /** Where charges go now: interrupt context, else the running unit's level (see {@link chargeSlot}). */
  private setChargeSlot(): void {
    this.chargeSlot = this.interruptDepth > 0 ? CHARGED_INTERRUPT : CHARGED_SOFT + this.unitLevel;
  }

  /** Debug description. */
  toString(): string {
    return `${this.name}@${IPL_NAMES[this.ipl]}${this.interruptDepth ? ' (intr)' : ''}`;
  }
}

/**
 * A CPU's counters, with `chargedInterrupt` and `chargedSoft` read from its `times` array. The accessor is
 * *added* to an object that does not have the key yet, in the key order snapshots have always shown:
 * redefining an existing data property as an accessor (or an object literal with a getter) turns the
 * object into a dictionary, and every `stats.x++` on the data path became a hash lookup (4-5 % of the
 * e1000 receive profile: `preemptionPoints` per packet, `chargedSoft` per charge).
 */
function newCpuStats(times: Float64Array): CpuStats {
  const stats = {
    interrupts: 0,
    spurious: 0,
    continuations: 0,
    preemptionPoints: 0,
    processTurns: 0,
    softclockTurns: 0,
  } as CpuStats;
  // Read-only view of the interrupt-context charge (enumerable, so snapshots copy it).
  Object.defineProperty(stats, 'chargedInterrupt', { get: () => times[CHARGED_INTERRUPT], enumerable: true });
  stats.chargedSoft = times.subarray(CHARGED_SOFT, CHARGED_SOFT + SOFT_LEVELS);
  return stats;
}

function badCharge(cpu: string, ns: number): never {
  throw new RangeError(`${cpu}: charge(${ns} ns): a charge must be a finite number >= 0`);
}
