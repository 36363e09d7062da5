/**
 * The EHEA-like device's transmitter: one engine serving the port resources' send queues round-robin,
 * one packet at a time at the link speed. For each packet it gathers the WQEs up to EOP from host memory
 * (through a DMA map loaded from each WQE's address halves), pads it to 60 bytes, hands it to the port
 * and, when the last WQE asks for it (SIGNAL), writes a transmit completion into that resource's CQ. A
 * send queue whose packet is not all posted waits for its next doorbell; one whose packet wants a
 * completion while its CQ is full waits for CQ credits.
 *
 * @module
 */
import type { Clock, DmaAccess, DmaMap, HardwareTimer, Nanoseconds } from '@ifnet/core';
import {
  CQE_ERR_DMA,
  CQE_F_TX,
  EHEA_MAX_FRAME,
  HASH_NONE,
  WQE_ADDR,
  WQE_EOP,
  WQE_FLAGS,
  WQE_LENGTH,
  WQE_SIGNAL,
  WQE_SIZE,
} from '../regs.js';
import { getU16, getU32 } from './le.js';
import type { PortResource } from './port-resource.js';

/** What the transmitter needs from the rest of the device. */
export interface TransmitPort {
  /** CTRL.TXEN is set. */
  readonly txEnabled: boolean;
  /** Puts `buf[0, len)` on the wire; false when it was refused (link down, no medium). */
  send(buf: Uint8Array, len: number): boolean;
}

/** The transmitter's counters (shared with the device's stats object). */
export interface TransmitStats {
  txFrames: number;
  txBytes: number;
  txRefused: number;
  /** Packets completed without being sent: implausible buffer, empty, or longer than 1518 bytes. */
  txBad: number;
}

const TX_INCOMPLETE = -1;
const TX_BAD = -2;
const TX_STALL = -3;

export class EheaTransmitter {
  private readonly timer: HardwareTimer;
  private readonly map: DmaMap;
  private readonly buf = new Uint8Array(EHEA_MAX_FRAME);
  /** When the port has finished the previous packet (inter-frame gap included). */
  private nextFree: Nanoseconds = 0;
  /** Next resource to look at (round-robin). */
  private rr = 0;
  /** Set by {@link gather}: the packet's last WQE and whether it asked for a completion. */
  private lastWqe = 0;
  private signal = false;

  constructor(
    name: string,
    private readonly clock: Clock,
    dma: DmaAccess,
    private readonly queues: readonly PortResource[],
    private readonly port: TransmitPort,
    private readonly stats: TransmitStats,
    private readonly nsPerByte: number,
  ) {
    this.timer = clock.createTimer(`${name}.tx`, () => this.run());
    this.map = dma.createMap(`${name}.tx`, 0xffff);
  }

  /** Device reset: idle, port free. */
  reset(): void {
    this.timer.cancel();
    this.nextFree = 0;
    this.rr = 0;
  }

  /** A send doorbell (or CQ credits, or TXEN): start sending unless already busy. */
  kick(): void {
    const t = this.timer;
    if (t.armed || !this.port.txEnabled) return;
    t.arm(Math.max(this.clock.now(), this.nextFree));
  }

  private ready(pr: PortResource): boolean {
    return pr.enabled && pr.sqPending > 0 && !pr.sqWaiting && !pr.sqStalled;
  }

  private anyReady(): boolean {
    for (let i = 0; i < this.queues.length; i++) if (this.ready(this.queues[i])) return true;
    return false;
  }

  /** The next resource with a packet to send, round-robin, or null. */
  private nextSender(): PortResource | null {
    const qs = this.queues;
    const n = qs.length;
    for (let k = 0; k < n; k++) {
      const i = this.rr + k < n ? this.rr + k : this.rr + k - n;
      if (this.ready(qs[i])) {
        this.rr = i + 1 === n ? 0 : i + 1;
        return qs[i];
      }
    }
    return null;
  }

  /** One packet from the next send queue, then again after its time on the wire. */
  private run(): void {
    if (!this.port.txEnabled) return;
    const now = this.clock.now();
    const st = this.stats;
    for (;;) {
      const pr = this.nextSender();
      if (pr === null) return;
      const total = this.gather(pr);
      if (total === TX_INCOMPLETE) {
        pr.sqWaiting = true;
        continue;
      }
      if (total === TX_STALL) {
        pr.sqStalled = true;
        continue;
      }
      if (total === TX_BAD) st.txBad++;
      else {
        let len = total;
        if (len < 60) {
          this.buf.fill(0, len, 60);
          len = 60;
        }
        if (this.port.send(this.buf, len)) {
          st.txFrames++;
          st.txBytes += len;
          pr.stats.txFrames++;
        } else {
          st.txRefused++;
        }
        // Preamble + frame + FCS + inter-frame gap.
        this.nextFree = Math.ceil(now + (len + 24) * this.nsPerByte);
      }
      if (this.signal) {
        pr.complete(Math.max(total, 0), this.lastWqe, HASH_NONE, total === TX_BAD ? CQE_ERR_DMA : 0, CQE_F_TX, 0, 0);
      }
      if (this.anyReady()) this.timer.arm(Math.max(now, this.nextFree));
      return;
    }
  }

  /**
   * Gathers the packet at `pr`'s SQ head into the on-chip buffer and consumes its WQEs. Returns its
   * length, {@link TX_BAD} (consumed, not sent), {@link TX_INCOMPLETE} (no EOP among the posted WQEs:
   * nothing consumed) or {@link TX_STALL} (it wants a completion and the CQ is full: nothing consumed).
   */
  private gather(pr: PortResource): number {
    const ring = pr.sqMap!;
    const a = ring.segArena[0];
    const base = ring.segOff[0];
    const mask = pr.sqSize - 1;
    // Find the packet's end first: nothing is consumed unless the whole packet is there.
    let count = 0;
    let signal = false;
    let eop = false;
    while (count < pr.sqPending) {
      const flags = a[base + ((pr.sqHead + count) & mask) * WQE_SIZE + WQE_FLAGS];
      count++;
      if ((flags & WQE_EOP) !== 0) {
        eop = true;
        signal = (flags & WQE_SIGNAL) !== 0;
        break;
      }
    }
    if (!eop) return TX_INCOMPLETE;
    if (signal && pr.cqFree === 0) return TX_STALL;
    const map = this.map;
    let total = 0;
    let ok = true;
    for (let k = 0; k < count && ok; k++) {
      const w = base + ((pr.sqHead + k) & mask) * WQE_SIZE;
      const len = getU16(a, w + WQE_LENGTH);
      if (len === 0) continue;
      if (total + len > EHEA_MAX_FRAME) ok = false;
      else if (!map.loadAddr(getU32(a, w + WQE_ADDR + 4), getU32(a, w + WQE_ADDR), len)) ok = false;
      else if (!map.copyOut(0, this.buf, total, len)) ok = false;
      else total += len;
    }
    this.lastWqe = (pr.sqHead + count - 1) & mask;
    this.signal = signal;
    pr.sqHead = (pr.sqHead + count) & mask;
    pr.sqPending -= count;
    return ok && total > 0 ? total : TX_BAD;
  }
}
