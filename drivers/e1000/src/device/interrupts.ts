/**
 * The e1000 model's interrupt logic: ICR/IMS, the level-triggered line, the throttle (ITR) and the
 * receive and transmit delay timers (RDTR/RADV, TIDV/TADV). Register values arrive decoded, when they are
 * written ({@link E1000Interrupts.itr} etc.), so nothing is re-read per frame.
 *
 * The line is asserted while `ICR & IMS` is non-zero, but not sooner than `ITR × 256 ns` after the
 * previous assertion (the throttle timer re-evaluates then). RXT0 is raised after each received frame at
 * once when RDTR is 0; otherwise when the packet timer (RDTR × 1.024 µs, restarted by every frame) or the
 * absolute timer (RADV × 1.024 µs from the first frame, if RADV ≠ 0) expires, whichever is first.
 * Transmit: TXDW at once, or delayed by TIDV/TADV for a packet whose RS descriptor had IDE.
 *
 * @module
 */
import type { Clock, HardwareTimer, InterruptLine, Nanoseconds } from '@ifnet/core';
import { DELAY_UNIT_NS, ICR_RXT0, ICR_TXDW, ITR_UNIT_NS } from '../regs.js';
import type { E1000DeviceStats } from './statistics.js';

// The register bits used per frame, as this module's own constants (README: imported ones cost a load).
const RXT0 = ICR_RXT0;
const TXDW = ICR_TXDW;

export class E1000Interrupts {
  /** Interrupt causes (ICR). */
  icr = 0;
  /** Interrupt mask (IMS). */
  ims = 0;
  /** Decoded moderation registers: ITR in ns, the delay timers in ns (0 = off). */
  itrNs = 0;
  rdtrNs = 0;
  radvNs = 0;
  tidvNs = 0;
  tadvNs = 0;

  private clock: Clock | null = null;
  private line: InterruptLine | null = null;
  private lastAssert: Nanoseconds = Number.NEGATIVE_INFINITY;
  private itrTimer: HardwareTimer | null = null;
  private rdtrTimer: HardwareTimer | null = null;
  private radvTimer: HardwareTimer | null = null;
  private tidvTimer: HardwareTimer | null = null;
  private tadvTimer: HardwareTimer | null = null;

  constructor(private readonly stats: E1000DeviceStats) {}

  connect(clock: Clock, line: InterruptLine): void {
    this.clock = clock;
    this.line = line;
    this.itrTimer = clock.createTimer('e1000.itr', () => this.update());
    this.rdtrTimer = clock.createTimer('e1000.rdtr', () => this.rxTimerExpired());
    this.radvTimer = clock.createTimer('e1000.radv', () => this.rxTimerExpired());
    this.tidvTimer = clock.createTimer('e1000.tidv', () => this.txTimerExpired());
    this.tadvTimer = clock.createTimer('e1000.tadv', () => this.txTimerExpired());
  }

  /** Power-on state: no causes, everything masked, timers stopped, the line low. */
  reset(): void {
    this.icr = 0;
    this.ims = 0;
    this.itrNs = this.rdtrNs = this.radvNs = this.tidvNs = this.tadvNs = 0;
    this.itrTimer?.cancel();
    this.rdtrTimer?.cancel();
    this.radvTimer?.cancel();
    this.tidvTimer?.cancel();
    this.tadvTimer?.cancel();
    this.lastAssert = Number.NEGATIVE_INFINITY;
    this.line?.deassert();
  }

  /** ITR written: minimum interval between assertions, 256 ns units. */
  setItr(v: number): void {
    this.itrNs = v * ITR_UNIT_NS;
  }

  /** RDTR written: packet timer, 1.024 µs units; FPD (bit 31) fires a pending receive timer now. */
  setRdtr(v: number, fpd: boolean): void {
    this.rdtrNs = v * DELAY_UNIT_NS;
    if (fpd && (this.rdtrTimer?.armed || this.radvTimer?.armed)) this.rxTimerExpired();
  }

  setRadv(v: number): void {
    this.radvNs = v * DELAY_UNIT_NS;
  }

  setTidv(v: number): void {
    this.tidvNs = v * DELAY_UNIT_NS;
  }

  setTadv(v: number): void {
    this.tadvNs = v * DELAY_UNIT_NS;
  }

  /** Raises causes and re-evaluates the line. */
  setCause(bits: number): void {
    this.icr |= bits;
    this.update();
  }

  /** ICR read: returns the causes, clears them all, lowers the line. */
  readAndClear(): number {
    const v = this.icr;
    this.icr = 0;
    this.update();
    return v;
  }

  /** Drives the line from `ICR & IMS`, holding a new assertion back until ITR allows it. */
  update(): void {
    const line = this.line;
    if (line === null) return;
    if ((this.icr & this.ims) === 0) {
      if (line.asserted) line.deassert();
      return;
    }
    if (line.asserted) return;
    // The time of an assertion matters only to the throttle: without ITR the clock is not read (on the
    // real clock a read costs 50–200 ns and a heap number). An ITR written later throttles from the
    // first assertion after the write.
    if (this.itrNs !== 0) {
      const now = this.clock!.now();
      const earliest = this.lastAssert + this.itrNs;
      if (now < earliest) {
        const t = this.itrTimer!;
        if (!t.armed) t.arm(earliest);
        return;
      }
      this.lastAssert = now;
    }
    this.stats.irqAsserts++;
    line.assert();
  }

  /**
   * After a received frame: RXT0 now (RDTR = 0) or (re)start the packet timer and the absolute timer.
   * RXT0 on a line already asserted for a pending cause is the common case within a burst, and
   * {@link update} would change nothing then: it is skipped, so that only the first frame of a burst
   * calls it (small enough for V8 to inline into the device's per-frame `receive`).
   */
  rxKick(): void {
    if (this.rdtrNs !== 0) {
      this.rxTimers();
      return;
    }
    const icr = this.icr | RXT0;
    this.icr = icr;
    const line = this.line;
    if (line !== null && line.asserted === true && (icr & this.ims) !== 0) return;
    this.update();
  }

  /** {@link rxKick} with RDTR set: (re)starts the packet timer, and the absolute timer if it is not running. */
  private rxTimers(): void {
    const now = this.clock!.now();
    this.rdtrTimer!.arm(now + this.rdtrNs);
    const abs = this.radvTimer!;
    if (this.radvNs !== 0 && !abs.armed) abs.arm(now + this.radvNs);
  }

  /** A transmitted packet's RS descriptor was written back: TXDW now, or after TIDV/TADV with IDE. */
  txWrittenBack(ide: boolean): void {
    if (!ide || this.tidvNs === 0) {
      this.setCause(TXDW);
      return;
    }
    const now = this.clock!.now();
    this.tidvTimer!.arm(now + this.tidvNs);
    if (this.tadvNs !== 0 && !this.tadvTimer!.armed) this.tadvTimer!.arm(now + this.tadvNs);
  }

  private rxTimerExpired(): void {
    this.rdtrTimer!.cancel();
    this.radvTimer!.cancel();
    this.setCause(RXT0);
  }

  private txTimerExpired(): void {
    this.tidvTimer!.cancel();
    this.tadvTimer!.cancel();
    this.setCause(TXDW);
  }
}
