/**
 * The e1000 model's statistics: its own outcome counters ({@link E1000DeviceStats}, for tests and
 * experiments) and the statistics registers at 0x4000..0x40FC ({@link E1000StatRegs}) as a driver sees
 * them. The registers are kept as plain counters — one increment per frame, no saturation test on the
 * data path — and saturated and cleared when read, as the hardware's clear-on-read registers behave.
 *
 * @module
 */
import {
  E1000_BPRC,
  E1000_GORCH,
  E1000_GORCL,
  E1000_GOTCH,
  E1000_GOTCL,
  E1000_GPRC,
  E1000_GPTC,
  E1000_MPC,
  E1000_MPRC,
  E1000_RNBC,
  E1000_ROC,
  E1000_RUC,
  E1000_TORH,
  E1000_TORL,
  E1000_TOTH,
  E1000_TOTL,
  E1000_TPR,
  E1000_TPT,
} from '../regs.js';

/**
 * What the hardware saw and did: the model's own counters, for tests and experiments (a driver sees only
 * the statistics registers). Every frame that reached the port is in exactly one of the `rx*` outcomes:
 * `rxFrames = rxDelivered + rxMissed + rxFiltered + rxUndersize + rxOversize + rxDisabled + rxNoLink`.
 */
export interface E1000DeviceStats {
  /** Frames that arrived at the port. */
  rxFrames: number;
  /** Frames written into the receive ring. */
  rxDelivered: number;
  /** Frames dropped for lack of receive descriptors (MPC). */
  rxMissed: number;
  /** Frames rejected by the address filter. */
  rxFiltered: number;
  /** Frames shorter than 64 bytes with FCS (RUC). */
  rxUndersize: number;
  /** Frames longer than the maximum frame size (ROC). */
  rxOversize: number;
  /** Frames that arrived while the receiver was disabled (RCTL.EN clear). */
  rxDisabled: number;
  /** Frames that arrived while the link was down at the MAC (CTRL.SLU clear) or before the bus connected. */
  rxNoLink: number;
  /** Receive buffers the device could not write (bus error): the descriptor gets RXE. */
  rxDmaErrors: number;
  /** Received IPv4 packets whose header (IPE) or TCP/UDP (TCPE) checksum the offload found bad. */
  rxCsumErrors: number;
  /** Packets put on the wire. */
  txFrames: number;
  txBytes: number;
  /** Packets the wire refused (no carrier, cable busy, nothing attached). */
  txRefused: number;
  /** Packets dropped because their descriptors were bad (DEXT, bus error, longer than 16 KB). */
  txBad: number;
  /** Register reads and writes at offsets this model does not implement. */
  regUnknownReads: number;
  regUnknownWrites: number;
  /** 8- and 16-bit register accesses (registers are 32-bit): reads return the bits, writes are ignored. */
  regBadWidth: number;
  /** Writes to read-only registers, and ring indices beyond the ring (ignored). */
  regBadWrites: number;
  /** Device resets (CTRL.RST). */
  resets: number;
  /** Times the interrupt line was raised. */
  irqAsserts: number;
}

export function newStats(): E1000DeviceStats {
  return {
    rxFrames: 0,
    rxDelivered: 0,
    rxMissed: 0,
    rxFiltered: 0,
    rxUndersize: 0,
    rxOversize: 0,
    rxDisabled: 0,
    rxNoLink: 0,
    rxDmaErrors: 0,
    rxCsumErrors: 0,
    txFrames: 0,
    txBytes: 0,
    txRefused: 0,
    txBad: 0,
    regUnknownReads: 0,
    regUnknownWrites: 0,
    regBadWidth: 0,
    regBadWrites: 0,
    resets: 0,
    irqAsserts: 0,
  };
}

const U32_MAX = 0xffff_ffff;
const TWO32 = 0x1_0000_0000;

/** A 32-bit clear-on-read register's value: the count, saturated. */
function sat32(v: number): number {
  return Math.min(v, U32_MAX);
}

/**
 * The statistics registers. Counters are plain numbers (exact up to 2^53); the 64-bit octet pairs are one
 * number each: the low half reads its low 32 bits, the high half its high bits and clears the pair.
 */
export class E1000StatRegs {
  /** Missed packets (no free descriptor). */
  mpc = 0;
  /** Receive no buffers (counted with MPC in this model). */
  rnbc = 0;
  ruc = 0;
  roc = 0;
  gprc = 0;
  bprc = 0;
  mprc = 0;
  gptc = 0;
  tpr = 0;
  tpt = 0;
  /** Good octets received / transmitted, total octets received / transmitted (with FCS). */
  gorc = 0;
  gotc = 0;
  tor = 0;
  tot = 0;

  /** Power-on values. */
  reset(): void {
    this.mpc = this.rnbc = this.ruc = this.roc = 0;
    this.gprc = this.bprc = this.mprc = this.gptc = this.tpr = this.tpt = 0;
    this.gorc = this.gotc = this.tor = this.tot = 0;
  }

  /** A read of the register at `offset` (in 0x4000..0x40FC): its value, cleared as the hardware does. */
  read(offset: number): number {
    let v = 0;
    switch (offset) {
      case E1000_MPC:
        v = this.mpc;
        this.mpc = 0;
        return sat32(v);
      case E1000_RNBC:
        v = this.rnbc;
        this.rnbc = 0;
        return sat32(v);
      case E1000_RUC:
        v = this.ruc;
        this.ruc = 0;
        return sat32(v);
      case E1000_ROC:
        v = this.roc;
        this.roc = 0;
        return sat32(v);
      case E1000_GPRC:
        v = this.gprc;
        this.gprc = 0;
        return sat32(v);
      case E1000_BPRC:
        v = this.bprc;
        this.bprc = 0;
        return sat32(v);
      case E1000_MPRC:
        v = this.mprc;
        this.mprc = 0;
        return sat32(v);
      case E1000_GPTC:
        v = this.gptc;
        this.gptc = 0;
        return sat32(v);
      case E1000_TPR:
        v = this.tpr;
        this.tpr = 0;
        return sat32(v);
      case E1000_TPT:
        v = this.tpt;
        this.tpt = 0;
        return sat32(v);
      case E1000_GORCL:
        return low32(this.gorc);
      case E1000_GOTCL:
        return low32(this.gotc);
      case E1000_TORL:
        return low32(this.tor);
      case E1000_TOTL:
        return low32(this.tot);
      case E1000_GORCH:
        v = this.gorc;
        this.gorc = 0;
        return high32(v);
      case E1000_GOTCH:
        v = this.gotc;
        this.gotc = 0;
        return high32(v);
      case E1000_TORH:
        v = this.tor;
        this.tor = 0;
        return high32(v);
      case E1000_TOTH:
        v = this.tot;
        this.tot = 0;
        return high32(v);
    }
    return 0; // the counters this model does not keep
  }
}

function low32(v: number): number {
  return v - Math.floor(v / TWO32) * TWO32;
}

function high32(v: number): number {
  return Math.floor(v / TWO32);
}
