/**
 * The register block of one port resource (BAR0 + 0x1000 + 0x80·q): what reads return and what writes
 * do — ring bases and sizes (locked while enabled), the enable bit that resolves the rings through DMA
 * maps, the four doorbells that add credits, the arm, and the missed counter. Bad values are ignored and
 * counted in the device's register counters, never thrown.
 *
 * @module
 */
import {
  CQE_SIZE,
  EQE_SIZE,
  QCTRL_EN,
  Q_CQ_ARM,
  Q_CQ_BASE_HI,
  Q_CQ_BASE_LO,
  Q_CQ_DOORBELL,
  Q_CQ_SIZE,
  Q_CTRL,
  Q_EQ_BASE_HI,
  Q_EQ_BASE_LO,
  Q_EQ_DOORBELL,
  Q_EQ_SIZE,
  Q_MISSED,
  Q_RQ_BASE_HI,
  Q_RQ_BASE_LO,
  Q_RQ_DOORBELL,
  Q_RQ_SIZE,
  Q_SQ_BASE_HI,
  Q_SQ_BASE_LO,
  Q_SQ_DOORBELL,
  Q_SQ_SIZE,
  RING_MAX,
  RING_MIN,
  WQE_SIZE,
} from '../regs.js';
import type { PortResource } from './port-resource.js';

/** The device's counters of register misuse. */
export interface RegisterErrorCounts {
  regUnknownReads: number;
  regUnknownWrites: number;
  /** Writes of values the register does not accept (ignored). */
  regBadWrites: number;
}

/** Reads register `reg` of `pr`. Q_MISSED clears on read; a doorbell reads back its credits. */
export function readPortRegister(pr: PortResource, reg: number, errors: RegisterErrorCounts): number {
  switch (reg) {
    case Q_CTRL:
      return pr.enabled ? QCTRL_EN : 0;
    case Q_RQ_BASE_LO:
      return pr.rqBaseLo;
    case Q_RQ_BASE_HI:
      return pr.rqBaseHi;
    case Q_RQ_SIZE:
      return pr.rqSize;
    case Q_RQ_DOORBELL:
      return pr.rqCredits;
    case Q_SQ_BASE_LO:
      return pr.sqBaseLo;
    case Q_SQ_BASE_HI:
      return pr.sqBaseHi;
    case Q_SQ_SIZE:
      return pr.sqSize;
    case Q_SQ_DOORBELL:
      return pr.sqPending;
    case Q_CQ_BASE_LO:
      return pr.cqBaseLo;
    case Q_CQ_BASE_HI:
      return pr.cqBaseHi;
    case Q_CQ_SIZE:
      return pr.cqSize;
    case Q_CQ_DOORBELL:
      return pr.cqFree;
    case Q_CQ_ARM:
      return pr.armed ? 1 : 0;
    case Q_EQ_BASE_LO:
      return pr.eqBaseLo;
    case Q_EQ_BASE_HI:
      return pr.eqBaseHi;
    case Q_EQ_SIZE:
      return pr.eqSize;
    case Q_EQ_DOORBELL:
      return pr.eqUnacked;
    case Q_MISSED: {
      const v = pr.missed;
      pr.missed = 0;
      return v;
    }
  }
  errors.regUnknownReads++;
  return 0;
}

/**
 * Writes `v` to register `reg` of `pr`. `kickTx` starts the transmitter (a send doorbell, or completion
 * credits that release a send queue waiting for a CQ entry).
 */
export function writePortRegister(
  pr: PortResource,
  reg: number,
  v: number,
  errors: RegisterErrorCounts,
  kickTx: () => void,
): void {
  switch (reg) {
    case Q_CTRL:
      if ((v & QCTRL_EN) === 0) pr.stop();
      else if (!pr.enabled) {
        if (!loadRings(pr)) errors.regBadWrites++;
        else pr.start();
      }
      return;
    case Q_RQ_DOORBELL:
      if (!pr.enabled || v > pr.rqSize - pr.rqCredits) errors.regBadWrites++;
      else pr.rqCredits += v;
      return;
    case Q_SQ_DOORBELL:
      if (!pr.enabled || v > pr.sqSize - pr.sqPending) errors.regBadWrites++;
      else {
        pr.sqPending += v;
        pr.sqWaiting = false;
        kickTx();
      }
      return;
    case Q_CQ_DOORBELL:
      if (!pr.enabled || v > pr.cqSize - pr.cqFree) errors.regBadWrites++;
      else {
        pr.cqFree += v;
        if (pr.sqStalled && v > 0) {
          pr.sqStalled = false;
          kickTx();
        }
      }
      return;
    case Q_CQ_ARM:
      pr.arm((v & 1) !== 0);
      return;
    case Q_EQ_DOORBELL:
      if (v > pr.eqUnacked) errors.regBadWrites++;
      else {
        pr.eqUnacked -= v;
        pr.updateLine();
      }
      return;
    case Q_MISSED:
      errors.regBadWrites++;
      return;
  }
  if (pr.enabled) {
    errors.regBadWrites++; // ring bases and sizes only while the resource is stopped
    return;
  }
  switch (reg) {
    case Q_RQ_BASE_LO:
      pr.rqBaseLo = v;
      return;
    case Q_RQ_BASE_HI:
      pr.rqBaseHi = v;
      return;
    case Q_SQ_BASE_LO:
      pr.sqBaseLo = v;
      return;
    case Q_SQ_BASE_HI:
      pr.sqBaseHi = v;
      return;
    case Q_CQ_BASE_LO:
      pr.cqBaseLo = v;
      return;
    case Q_CQ_BASE_HI:
      pr.cqBaseHi = v;
      return;
    case Q_EQ_BASE_LO:
      pr.eqBaseLo = v;
      return;
    case Q_EQ_BASE_HI:
      pr.eqBaseHi = v;
      return;
    case Q_RQ_SIZE:
    case Q_SQ_SIZE:
    case Q_CQ_SIZE:
    case Q_EQ_SIZE:
      if (v < RING_MIN || v > RING_MAX || (v & (v - 1)) !== 0) errors.regBadWrites++;
      else if (reg === Q_RQ_SIZE) pr.rqSize = v;
      else if (reg === Q_SQ_SIZE) pr.sqSize = v;
      else if (reg === Q_CQ_SIZE) pr.cqSize = v;
      else pr.eqSize = v;
      return;
  }
  errors.regUnknownWrites++;
}

/**
 * Resolves the four rings of `pr` through its DMA maps (sizes set, bases in mapped memory). False when
 * one is not: the resource is not enabled (the bus error is counted by the DMA space).
 */
function loadRings(pr: PortResource): boolean {
  if (pr.rqSize === 0 || pr.sqSize === 0 || pr.cqSize === 0 || pr.eqSize === 0) return false;
  return (
    pr.rqMap!.loadAddr(pr.rqBaseHi, pr.rqBaseLo, pr.rqSize * WQE_SIZE) &&
    pr.sqMap!.loadAddr(pr.sqBaseHi, pr.sqBaseLo, pr.sqSize * WQE_SIZE) &&
    pr.cqMap!.loadAddr(pr.cqBaseHi, pr.cqBaseLo, pr.cqSize * CQE_SIZE) &&
    pr.eqMap!.loadAddr(pr.eqBaseHi, pr.eqBaseLo, pr.eqSize * EQE_SIZE)
  );
}
