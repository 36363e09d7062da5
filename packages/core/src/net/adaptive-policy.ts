import { NS_PER_SEC, type Nanoseconds } from '../kern/time.js';
import type { MitigationDecision, MitigationPolicy, MitigationPolicyFactory } from './mitigation-policy.js';
import type { PollContext } from './poll-context.js';

/**
 * Latency ranges of the adaptive rule, after Linux e1000's dynamic ITR (`e1000_update_itr`,
 * `itr_setting` 1/3): each range is a receive coalescing setting, i.e. a ceiling on the interrupt rate.
 */
export const ADAPTIVE_RANGES: readonly AdaptiveRange[] = [
  /**
   * `lowest_latency`: 70,000 interrupts/s at most — in practice an interrupt per frame. The cap matters
   * before the first sample: measured with rx-usecs 0 here, the first millisecond at 350,000 frames/s
   * took an interrupt per frame, saturated the CPU and left the policy in a worse state (317,800/s
   * delivered and 2,680 interrupts/s instead of all 350,000/s at 8,000/s).
   */
  { name: 'lowest_latency', rxUsecs: 14, enterAbove: 0, leaveBelow: 0 },
  /** `low_latency`: 20,000/s, entered once an interrupt per frame would exceed that. */
  { name: 'low_latency', rxUsecs: 50, enterAbove: 20_000, leaveBelow: 10_000 },
  /**
   * `bulk_latency`: 8,000/s (the e1000's classic `InterruptThrottleRate` default) for streams of 100,000
   * frames/s and more. Linux's e1000 uses 4,000/s here; measured in the lab, its bursts (50 datagrams at
   * 200,000/s) overflow a UDP socket's default 128 KiB buffer (64 clusters) and lose 8 % there.
   */
  { name: 'bulk_latency', rxUsecs: 125, enterAbove: 100_000, leaveBelow: 50_000 },
];

/** One range of the adaptive rule. */
export interface AdaptiveRange {
  /** Linux e1000's name for it. */
  readonly name: string;
  /** The coalescing it applies (`rx-usecs`). */
  readonly rxUsecs: number;
  /** Entered from the range below when the measured rate (packets/s) exceeds this. */
  readonly enterAbove: number;
  /** Left for the range below when the rate falls below this (hysteresis: below `enterAbove`). */
  readonly leaveBelow: number;
}

export interface AdaptiveOptions {
  /** The ranges, lowest latency first (default {@link ADAPTIVE_RANGES}). */
  ranges?: readonly AdaptiveRange[];
  /**
   * Length of one rate sample (ns): the rule re-evaluates when a round completes at least this long after
   * the sample began. Default 1 ms (one `hz` = 1000 tick; Linux's e1000 re-evaluates per interrupt).
   */
  sampleNs?: Nanoseconds;
  /**
   * Keep `rate × rx-usecs` (the frames one coalesced interrupt finds) below this fraction of the poll
   * context's capacity (its receive ring), so a long hold-off cannot overflow the ring. Default 0.5.
   */
  capacityFraction?: number;
}

/**
 * The `adaptive` interrupt-handling model as a mitigation policy usable by any driver: interrupts under
 * low load, interrupt moderation under high load, switching on the measured packet rate.
 *
 * It never stays masked itself (every round completes with `unmask`); instead it *sets the poll
 * context's receive coalescing* ({@link PollContext.applyCoalescing}, `ethtool -C rx-usecs`), which the
 * driver maps onto its hardware (the e1000: ITR) or the framework emulates with a high-resolution
 * re-poll timer. The rule:
 *
 * 1. Measure: each completed round adds its work to the current sample; once a sample is at least
 *    `sampleNs` long, `rate = packets / elapsed`.
 * 2. Classify, with hysteresis ({@link ADAPTIVE_RANGES}): go up a range when the rate exceeds the next
 *    range's `enterAbove`, down when it falls below the current one's `leaveBelow`.
 * 3. Apply the range's `rx-usecs`, lowered when needed so that `rate × rx-usecs` stays within
 *    `capacityFraction` of the ring.
 *
 * Why this rule rather than `net_dim` or `napi_defer_hard_irqs` alone: it switches on the measured rate
 * (what the issue asks), in three explainable steps, and deterministically; `net_dim` walks a profile
 * table by comparing successive samples' throughput and parks when it stops improving — under a
 * CPU-bound receive load throughput is the same at every profile until saturation, so the walk wanders;
 * and `napi_defer_hard_irqs` + `gro_flush_timeout` counts empty polls, not the rate — it is what the
 * framework's `rx-usecs` emulation does, so this rule works on drivers without moderation hardware too.
 */
export class AdaptiveCoalescingPolicy implements MitigationPolicy {
  readonly name = 'adaptive';
  readonly sampleNs: Nanoseconds;
  readonly capacityFraction: number;
  readonly ranges: readonly AdaptiveRange[];
  /** Index into {@link ranges}. */
  range = 0;
  /** The last measured rate (packets/s). */
  rate = 0;
  /** The `rx-usecs` last applied. */
  rxUsecs = 0;
  /** Range changes (up and down). */
  switches = 0;
  /** Applications of `rx-usecs` the context refused (a driver that cannot coalesce). */
  refused = 0;
  private ctx: PollContext | null = null;
  private sampleStart: Nanoseconds = Number.NaN;
  private sampleWork = 0;

  constructor(
    readonly hz: number,
    options: AdaptiveOptions = {},
  ) {
    this.sampleNs = options.sampleNs ?? 1_000_000;
    this.capacityFraction = options.capacityFraction ?? 0.5;
    this.ranges = options.ranges ?? ADAPTIVE_RANGES;
    checkRanges(this.ranges);
    if (!(this.sampleNs > 0)) throw new RangeError('sampleNs must be > 0');
    if (!(this.capacityFraction > 0 && this.capacityFraction <= 1))
      throw new RangeError('capacityFraction must be in (0, 1]');
  }

  attach(ctx: PollContext): void {
    this.ctx = ctx;
  }

  onInterrupt(now: Nanoseconds): void {
    if (Number.isNaN(this.sampleStart)) this.sampleStart = now;
  }

  decide(work: number, _fromTick: boolean, now: Nanoseconds, capacity = Number.POSITIVE_INFINITY): MitigationDecision {
    if (Number.isNaN(this.sampleStart)) this.sampleStart = now;
    this.sampleWork += work;
    const elapsed = now - this.sampleStart;
    if (elapsed < this.sampleNs) return 'unmask';
    this.rate = (this.sampleWork * NS_PER_SEC) / elapsed;
    this.sampleStart = now;
    this.sampleWork = 0;
    this.classify();
    this.apply(capacity);
    return 'unmask';
  }

  /** Steps 2: move up or down a range on the measured rate. */
  private classify(): void {
    const r = this.rate;
    let range = this.range;
    const ranges = this.ranges;
    while (range + 1 < ranges.length && r > ranges[range + 1].enterAbove) range++;
    while (range > 0 && r < ranges[range].leaveBelow) range--;
    if (range !== this.range) {
      this.range = range;
      this.switches++;
    }
  }

  /** Step 3: the range's rx-usecs, bounded by what the ring holds at this rate. */
  private apply(capacity: number): void {
    let usecs = this.ranges[this.range].rxUsecs;
    if (capacity !== Number.POSITIVE_INFINITY && this.rate > 0) {
      const fits = Math.floor((this.capacityFraction * capacity * 1e6) / this.rate);
      if (fits < usecs) usecs = Math.max(1, fits);
    }
    if (usecs === this.rxUsecs || this.ctx === null) return;
    try {
      this.ctx.applyCoalescing(usecs, 0);
      this.rxUsecs = usecs;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      this.refused++;
    }
  }

  describe(): Record<string, number | string | boolean> {
    return {
      policy: this.name,
      range: this.ranges[this.range].name,
      rate: Math.round(this.rate),
      rxUsecs: this.rxUsecs,
      switches: this.switches,
      refused: this.refused,
    };
  }
}

/** Ranges must climb: rx-usecs and thresholds increasing, each `leaveBelow` at most its `enterAbove`. */
function checkRanges(ranges: readonly AdaptiveRange[]): void {
  if (ranges.length === 0) throw new RangeError('adaptive: no ranges');
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    if (!Number.isInteger(r.rxUsecs) || r.rxUsecs < 0) throw new RangeError(`adaptive: ${r.name}: bad rx-usecs`);
    if (!(r.leaveBelow <= r.enterAbove)) throw new RangeError(`adaptive: ${r.name}: leaveBelow > enterAbove`);
    if (i > 0 && !(r.enterAbove > ranges[i - 1].enterAbove && r.rxUsecs >= ranges[i - 1].rxUsecs)) {
      throw new RangeError(`adaptive: ranges must climb (${ranges[i - 1].name} → ${r.name})`);
    }
  }
}

/** Factory for {@link AdaptiveCoalescingPolicy}. */
export const adaptiveCoalescing =
  (options: AdaptiveOptions = {}): MitigationPolicyFactory =>
  (hz) =>
    new AdaptiveCoalescingPolicy(hz, options);
