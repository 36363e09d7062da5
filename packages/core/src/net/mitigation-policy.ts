import { NS_PER_SEC, type Nanoseconds } from '../kern/time.js';
import type { PollContext } from './poll-context.js';

/** What to do when a poll finished with work left under its budget. */
export type MitigationDecision = 'unmask' | 'tick';

/**
 * Interrupt mitigation policy of one poll context (seed 000 rule 5): after a poll that did not use its
 * whole budget, either unmask the interrupt now (interrupt latency under low load) or stay masked and poll
 * again on the next clock tick (tick-driven polling under high load).
 *
 * A policy object belongs to one poll context (create one per context through a
 * {@link MitigationPolicyFactory}), so it may keep per-context state.
 */
export interface MitigationPolicy {
  readonly name: string;
  /**
   * False when the policy never looks at time: the poll context then passes 0 instead of reading the
   * CPU's clock (on the hot path a time is a double, and handing one to a call V8 does not inline costs a
   * heap number per interrupt). Default true.
   */
  readonly usesTime?: boolean;
  /** The device interrupted (called from the interrupt routine; must not allocate). */
  onInterrupt(now: Nanoseconds): void;
  /**
   * A round of polling finished under budget. `work` is the work done since the context was scheduled
   * (all polls of this round, including "poll again" ones); `fromTick` is true when the round was started
   * by the clock tick rather than by an interrupt. `capacity` is how many packets the device holds
   * between polls (Infinity when unknown).
   */
  decide(work: number, fromTick: boolean, now: Nanoseconds, capacity: number): MitigationDecision;
  /** A plain description of the current state, for counters and experiments. */
  describe(): Record<string, number | string | boolean>;
  /**
   * Optional: called once by the poll context that owns the policy, at its creation, so a policy can act
   * on the context itself (the adaptive policy sets its coalescing, `ctx.applyCoalescing`).
   */
  attach?(ctx: PollContext): void;
}

/** Builds a fresh policy for one poll context. `hz` is the host's clock rate. */
export type MitigationPolicyFactory = (hz: number) => MitigationPolicy;

/** Always unmask: pure interrupt-then-poll (NAPI without `napi_defer_hard_irqs`). */
export class AlwaysUnmaskPolicy implements MitigationPolicy {
  readonly name = 'always-unmask';
  readonly usesTime = false;
  onInterrupt(): void {}
  decide(): MitigationDecision {
    return 'unmask';
  }
  describe(): Record<string, number | string | boolean> {
    return { policy: this.name };
  }
}

export interface RateThresholdOptions {
  /**
   * Interrupt rate (per second) above which the source is "interrupting too often" and stays masked.
   * Default 8000/s: the e1000 driver's classic `InterruptThrottleRate` default.
   */
  maxInterruptRate?: number;
  /**
   * Back off to interrupts when the work found per second of tick polling falls below
   * `maxInterruptRate / hysteresis`. Default 2: unmask only when, even with one interrupt per packet, the
   * rate would be at most half the threshold.
   */
  hysteresis?: number;
  /** Weight of a new sample in the moving average of the interval between interrupts. Default 1/8. */
  gain?: number;
  /**
   * Leave tick mode when one tick's work reaches this fraction of the device's capacity: polling once a
   * tick would soon overflow the ring while the CPU idles ("assumes the system has a high enough value set
   * for HZ", seed 000). Default 0.5.
   */
  capacityFraction?: number;
  /**
   * After leaving tick mode for capacity, stay in interrupt mode at least this many ticks before tick mode
   * may be chosen again (the load that overflowed the ring is probably still there). Default 100.
   */
  capacityHoldOffTicks?: number;
}

/**
 * Seed 000's policy: "If the device is interrupting too often, it might make sense for the device's
 * interrupts to remain masked and just schedule the device's continuation for the next clock tick."
 *
 * - In interrupt mode it keeps an exponentially weighted moving average of the interval between
 *   interrupts (gain 1/8, like TCP's srtt). When a poll round completes and the average rate exceeds
 *   `maxInterruptRate`, it switches to tick mode: stay masked, poll on the next tick.
 * - In tick mode each round's work is the packets that arrived during one tick, so `work × hz` estimates
 *   the packet rate. Since a device cannot interrupt more often than packets arrive, once that falls
 *   below `maxInterruptRate / hysteresis` unmasking is safe: it switches back to interrupt mode.
 *
 * - Tick polling only works if the device can hold a tick's worth of packets. When a tick round's work
 *   reaches `capacityFraction` of the poll context's `capacity` (its receive ring), waiting for the next
 *   tick would overflow the ring while the CPU idles, so it unmasks too; under real overload the poll then
 *   never completes a round and no interrupts happen anyway.
 *
 * The same idea as Linux's `napi_defer_hard_irqs` + `gro_flush_timeout` and FreeBSD's polling(4), chosen
 * by rate rather than by a count of empty polls.
 */
export class RateThresholdPolicy implements MitigationPolicy {
  readonly name = 'rate-threshold';
  readonly maxInterruptRate: number;
  readonly hysteresis: number;
  readonly gain: number;
  /** Moving average of the interval between interrupts (ns). */
  avgInterval: Nanoseconds = Number.POSITIVE_INFINITY;
  private lastInterrupt: Nanoseconds = Number.NaN;
  readonly capacityFraction: number;
  readonly capacityHoldOffTicks: number;
  /** Tick mode is not chosen before this time (after a capacity exit). */
  private holdOffUntil: Nanoseconds = Number.NEGATIVE_INFINITY;
  tickMode = false;
  /** Mode switches, for experiments. */
  switchesToTick = 0;
  switchesToInterrupt = 0;
  /** Of {@link switchesToInterrupt}: because a tick's arrivals came close to the device's capacity. */
  capacityExits = 0;

  constructor(
    readonly hz: number,
    options: RateThresholdOptions = {},
  ) {
    this.maxInterruptRate = options.maxInterruptRate ?? 8000;
    this.hysteresis = options.hysteresis ?? 2;
    this.gain = options.gain ?? 1 / 8;
    this.capacityFraction = options.capacityFraction ?? 0.5;
    this.capacityHoldOffTicks = options.capacityHoldOffTicks ?? 100;
    if (!(this.capacityFraction > 0 && this.capacityFraction <= 1))
      throw new RangeError('capacityFraction must be in (0, 1]');
    if (!(this.maxInterruptRate > 0)) throw new RangeError('maxInterruptRate must be > 0');
    if (!(this.hysteresis >= 1)) throw new RangeError('hysteresis must be >= 1');
    if (!(this.gain > 0 && this.gain <= 1)) throw new RangeError('gain must be in (0, 1]');
  }

  /** Current estimate of the interrupt rate (per second). */
  get interruptRate(): number {
    return this.avgInterval === Number.POSITIVE_INFINITY ? 0 : NS_PER_SEC / this.avgInterval;
  }

  onInterrupt(now: Nanoseconds): void {
    if (!Number.isNaN(this.lastInterrupt)) {
      const interval = Math.max(1, now - this.lastInterrupt);
      this.avgInterval =
        this.avgInterval === Number.POSITIVE_INFINITY
          ? interval
          : this.avgInterval + (interval - this.avgInterval) * this.gain;
    }
    this.lastInterrupt = now;
  }

  decide(work: number, fromTick: boolean, now = 0, capacity = Number.POSITIVE_INFINITY): MitigationDecision {
    if (this.tickMode) {
      const quiet = work * this.hz < this.maxInterruptRate / this.hysteresis;
      const overflowing = work >= capacity * this.capacityFraction;
      if (fromTick && (quiet || overflowing)) {
        if (overflowing && !quiet) {
          this.capacityExits++;
          this.holdOffUntil = now + (this.capacityHoldOffTicks * NS_PER_SEC) / this.hz;
        }
        this.tickMode = false;
        this.switchesToInterrupt++;
        // Start the interrupt-rate estimate afresh: the old average predates the tick period.
        this.avgInterval = Number.POSITIVE_INFINITY;
        this.lastInterrupt = Number.NaN;
        return 'unmask';
      }
      return 'tick';
    }
    if (this.interruptRate > this.maxInterruptRate && now >= this.holdOffUntil) {
      this.tickMode = true;
      this.switchesToTick++;
      return 'tick';
    }
    return 'unmask';
  }

  describe(): Record<string, number | string | boolean> {
    return {
      policy: this.name,
      tickMode: this.tickMode,
      interruptRate: Math.round(this.interruptRate),
      maxInterruptRate: this.maxInterruptRate,
      switchesToTick: this.switchesToTick,
      switchesToInterrupt: this.switchesToInterrupt,
      capacityExits: this.capacityExits,
    };
  }
}

/** Factory for {@link AlwaysUnmaskPolicy}. */
export const alwaysUnmask: MitigationPolicyFactory = () => new AlwaysUnmaskPolicy();

/** Factory for {@link RateThresholdPolicy} with the given options. */
export const rateThreshold =
  (options: RateThresholdOptions = {}): MitigationPolicyFactory =>
  (hz) =>
    new RateThresholdPolicy(hz, options);
