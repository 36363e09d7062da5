/**
 * One port resource of the EHEA-like device, as the hardware keeps it: the registers of its queue pair,
 * completion queue and event queue, the device's own indices and credits, and its interrupt line.
 *
 * The device consumes receive WQEs from {@link rqHead} while it has {@link rqCredits}, writes completion
 * entries at {@link cqTail} while {@link cqFree} entries are free (the phase it writes flips on every
 * wrap), and writes event entries at {@link eqTail}; the line is asserted while {@link eqUnacked} > 0.
 *
 * @module
 */
import type { DmaMap, InterruptLine } from '@ifnet/core';
import { CQE_SIZE, EQE_SIZE, EQE_T_COMPLETION, EQE_T_ERRORS, EQE_T_LINK } from '../regs.js';
import { putU16, putU32 } from './le.js';

/** What the device saw and did on one port resource (the model's view, for tests and experiments). */
export interface PortResourceStats {
  /** Frames steered to this resource (delivered + missed). */
  rxSteered: number;
  /** Frames written into its receive buffers (with a completion entry). */
  rxDelivered: number;
  /** Frames dropped here: resource disabled, no receive credit, or completion queue full. */
  rxMissed: number;
  /** Packets sent from its send queue. */
  txFrames: number;
  /** Completion entries written. */
  completions: number;
  /** Event entries written. */
  events: number;
  /** Times its interrupt line was raised. */
  irqAsserts: number;
  /** Events lost because the event queue was full. */
  eqOverflow: number;
}

export function newPortResourceStats(): PortResourceStats {
  return {
    rxSteered: 0,
    rxDelivered: 0,
    rxMissed: 0,
    txFrames: 0,
    completions: 0,
    events: 0,
    irqAsserts: 0,
    eqOverflow: 0,
  };
}

export class PortResource {
  readonly stats: PortResourceStats = newPortResourceStats();
  line: InterruptLine | null = null;
  /**
   * The rings, resolved once when the resource is enabled (bus_dmamap_load of each ring): entries are
   * then read and written in the maps' arenas at `segOff[0] + index × entry size`.
   */
  rqMap: DmaMap | null = null;
  sqMap: DmaMap | null = null;
  cqMap: DmaMap | null = null;
  eqMap: DmaMap | null = null;

  enabled = false;
  rqBaseLo = 0;
  rqBaseHi = 0;
  rqSize = 0;
  sqBaseLo = 0;
  sqBaseHi = 0;
  sqSize = 0;
  cqBaseLo = 0;
  cqBaseHi = 0;
  cqSize = 0;
  eqBaseLo = 0;
  eqBaseHi = 0;
  eqSize = 0;

  /** Next receive WQE the device uses. */
  rqHead = 0;
  /** Receive WQEs posted and not yet used. */
  rqCredits = 0;
  /** Next send WQE the device reads. */
  sqHead = 0;
  /** Send WQEs posted and not yet read. */
  sqPending = 0;
  /** The send queue holds a partial packet (no EOP yet): skipped until the next doorbell. */
  sqWaiting = false;
  /** The next packet wants a completion but the CQ is full: skipped until the CQ doorbell. */
  sqStalled = false;
  /** Next completion entry the device writes, and the phase (valid/toggle bit) it writes. */
  cqTail = 0;
  cqPhase = 1;
  /** Completion entries the device may still write (returned by the CQ doorbell). */
  cqFree = 0;
  /** Notification requested for the next completion or port event (one-shot). */
  armed = false;
  /** Port events (bit `1 << EQE_T_*`) that happened while disarmed, posted at the next arm. */
  latched = 0;
  eqTail = 0;
  eqPhase = 1;
  /** Event entries written and not yet acknowledged. */
  eqUnacked = 0;
  /** Q_MISSED (clear on read). */
  missed = 0;

  constructor(readonly index: number) {}

  /** Q_CTRL.EN set: start from empty queues. */
  start(): void {
    this.enabled = true;
    this.rqHead = 0;
    this.rqCredits = 0;
    this.sqHead = 0;
    this.sqPending = 0;
    this.sqWaiting = false;
    this.sqStalled = false;
    this.cqTail = 0;
    this.cqPhase = 1;
    this.cqFree = this.cqSize;
    this.armed = false;
    this.latched = 0;
    this.eqTail = 0;
    this.eqPhase = 1;
    this.eqUnacked = 0;
    this.updateLine();
  }

  /** Q_CTRL.EN cleared, or device reset: nothing is processed, the line drops. */
  stop(): void {
    this.enabled = false;
    this.armed = false;
    this.latched = 0;
    this.eqUnacked = 0;
    this.rqCredits = 0;
    this.sqPending = 0;
    this.updateLine();
  }

  /** Power-on state of the registers. */
  reset(): void {
    this.stop();
    this.rqBaseLo = this.rqBaseHi = this.rqSize = 0;
    this.sqBaseLo = this.sqBaseHi = this.sqSize = 0;
    this.cqBaseLo = this.cqBaseHi = this.cqSize = 0;
    this.eqBaseLo = this.eqBaseHi = this.eqSize = 0;
    this.missed = 0;
  }

  /**
   * Writes a completion entry at {@link cqTail} — the status word with the valid/toggle bit last — and
   * fires the arm if it is set. The hash comes as two 16-bit halves (small integers: a uint32 passed to a
   * function V8 did not inline would be boxed).
   */
  complete(len: number, wqe: number, type: number, err: number, flags: number, hashLo: number, hashHi: number): void {
    const ring = this.cqMap!;
    const a = ring.segArena[0];
    const c = ring.segOff[0] + this.cqTail * CQE_SIZE;
    putU16(a, c, len);
    putU16(a, c + 2, wqe);
    putU16(a, c + 4, hashLo);
    putU16(a, c + 6, hashHi);
    a[c + 8] = type;
    a[c + 9] = this.index;
    a[c + 10] = err;
    a[c + 11] = flags;
    putU32(a, c + 12, this.cqPhase);
    this.stats.completions++;
    this.cqFree--;
    if (++this.cqTail === this.cqSize) {
      this.cqTail = 0;
      this.cqPhase ^= 1;
    }
    if (this.armed) {
      this.armed = false;
      this.postEvent(EQE_T_COMPLETION);
    }
  }

  /**
   * A port event (link change, an error counter leaving 0): posted now if armed (the arm is the
   * resource's interrupt enable), else latched and posted at the next arm — so a resource whose poll is
   * running (disarmed) is not interrupted, and the event is not lost.
   */
  notify(type: number): void {
    if (!this.enabled) return;
    if (this.armed) {
      this.armed = false;
      this.postEvent(type);
    } else {
      this.latched |= 1 << type;
    }
  }

  /** Q_CQ_ARM written: arm (or cancel); latched port events fire a new arm at once. */
  arm(on: boolean): void {
    this.armed = this.enabled && on;
    if (!this.armed || this.latched === 0) return;
    this.armed = false;
    const latched = this.latched;
    this.latched = 0;
    if ((latched & (1 << EQE_T_LINK)) !== 0) this.postEvent(EQE_T_LINK);
    if ((latched & (1 << EQE_T_ERRORS)) !== 0) this.postEvent(EQE_T_ERRORS);
  }

  /** Writes an event entry at {@link eqTail} (lost and counted when the EQ is full) and raises the line. */
  postEvent(type: number): void {
    if (!this.enabled) return;
    if (this.eqUnacked >= this.eqSize) {
      this.stats.eqOverflow++;
      return;
    }
    const ring = this.eqMap!;
    const a = ring.segArena[0];
    const e = ring.segOff[0] + this.eqTail * EQE_SIZE;
    putU32(a, e, type | (this.index << 8));
    putU32(a, e + 4, this.eqPhase << 24);
    this.stats.events++;
    if (++this.eqTail === this.eqSize) {
      this.eqTail = 0;
      this.eqPhase ^= 1;
    }
    this.eqUnacked++;
    this.updateLine();
  }

  /** The line is asserted while an event is unacknowledged. */
  updateLine(): void {
    const line = this.line;
    if (line === null) return;
    const want = this.enabled && this.eqUnacked > 0;
    if (want && !line.asserted) {
      this.stats.irqAsserts++;
      line.assert();
    } else if (!want && line.asserted) {
      line.deassert();
    }
  }
}
