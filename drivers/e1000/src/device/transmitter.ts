/**
 * The e1000 model's transmit unit. Writing TDT (with TCTL.EN) starts the engine on the clock: it fetches
 * descriptors from TDH, gathers an EOP-terminated packet into its on-chip buffer, pads it to 60 bytes if
 * TCTL.PSP, puts it on the wire, writes DD back into the descriptors that asked for it (RS), advances TDH
 * and raises TXDW (delayed by TIDV/TADV for descriptors with IDE) and, when TDH reaches TDT, TXQE.
 * Packets leave one after another at the link speed (preamble, FCS and inter-frame gap included).
 *
 * Register state arrives decoded when it is written (TCTL, TDBAL/TDBAH, TDLEN, TDH/TDT).
 *
 * @module
 */
import type { Clock, DmaAccess, HardwareTimer, Nanoseconds, Wire, WireEndpoint } from '@ifnet/core';
import {
  DESC_SIZE,
  ICR_TXQE,
  TCTL_EN,
  TCTL_PSP,
  TXD_CMD_DEXT,
  TXD_CMD_EOP,
  TXD_CMD_IDE,
  TXD_CMD_RS,
  TXD_LENGTH,
  TXD_STAT_DD,
  TXD_STATUS,
} from '../regs.js';
import type { E1000Interrupts } from './interrupts.js';
import { MAX_BUS_ADDR, SEGMENT } from './receiver.js';
import type { E1000DeviceStats, E1000StatRegs } from './statistics.js';

/** Maximum packet the transmit engine gathers (bytes). */
const MAX_TX_FRAME = 16384;
/** {@link E1000Transmitter.gather}: no EOP descriptor yet. */
const TX_INCOMPLETE = -1;
/** {@link E1000Transmitter.gather}: the packet cannot be sent. */
const TX_BAD = -2;

export class E1000Transmitter {
  linkUp = false;
  dma: DmaAccess | null = null;
  wire: Wire | null = null;
  ringBase = 0;
  ringSize = 0;
  tdh = 0;
  tdt = 0;

  private enabled = false;
  private pad = false;
  private clock: Clock | null = null;
  private timer: HardwareTimer | null = null;
  /** When the transmitter has finished the previous packet (inter-frame gap included). */
  private nextFree: Nanoseconds = 0;
  /** On-chip transmit buffer (a gathered packet). */
  private readonly buf = new Uint8Array(MAX_TX_FRAME);
  /** The last packet gathered had a descriptor with RS / its RS descriptor had IDE. */
  private rs = false;
  private ide = false;

  constructor(
    private readonly endpoint: WireEndpoint,
    private readonly stats: E1000DeviceStats,
    private readonly regs: E1000StatRegs,
    private readonly irq: E1000Interrupts,
    /** Wire time of one byte in ns (8 at 1 Gb/s). */
    private readonly nsPerByte: number,
    private readonly bulk: boolean,
  ) {}

  connect(clock: Clock): void {
    this.clock = clock;
    this.timer = clock.createTimer('e1000.tx', () => this.run());
  }

  reset(): void {
    this.timer?.cancel();
    this.nextFree = 0;
    this.ringBase = 0;
    this.ringSize = 0;
    this.tdh = this.tdt = 0;
    this.enabled = this.pad = false;
  }

  /** TCTL written. */
  setTctl(v: number): void {
    this.enabled = (v & TCTL_EN) !== 0;
    this.pad = (v & TCTL_PSP) !== 0;
    if (this.enabled) this.kick();
  }

  setBase(lo: number, hi: number): void {
    this.ringBase = hi * SEGMENT + lo;
  }

  /** TDT written (or TCTL.EN set): start the engine if it is idle. */
  kick(): void {
    const t = this.timer;
    if (t === null || t.armed || !this.enabled) return;
    const now = this.clock!.now();
    t.arm(Math.max(now, this.nextFree));
  }

  /** Transmit engine: sends one packet, then schedules itself after the packet's time on the wire. */
  private run(): void {
    if (!this.enabled) return;
    const n = this.ringSize;
    const tdh = this.tdh;
    const tdt = this.tdt;
    if (n === 0 || tdh === tdt || tdh >= n || tdt >= n) return;
    let total = this.gather(tdh, tdt, n);
    if (total === TX_INCOMPLETE) return; // the rest of the packet is not there yet: wait for a TDT write
    const buf = this.buf;
    const now = this.clock!.now();
    const st = this.stats;
    if (total === TX_BAD) {
      st.txBad++;
    } else {
      if (total < 60 && this.pad) {
        buf.fill(0, total, 60); // pad short packets (PSP)
        total = 60;
      }
      const wire = this.wire;
      if (this.linkUp && wire?.transmit(this.endpoint, buf, 0, total)) {
        st.txFrames++;
        st.txBytes += total;
        const regs = this.regs;
        regs.gptc++;
        regs.tpt++;
        regs.gotc += total + 4;
        regs.tot += total + 4;
      } else {
        st.txRefused++;
      }
      // The port is busy for preamble + frame + FCS + inter-frame gap (whole ns at integral byte times).
      const busy = (Math.max(total, 60) + 24) * this.nsPerByte;
      this.nextFree = now + (Number.isInteger(busy) ? busy : Math.ceil(busy));
    }
    if (this.rs) this.irq.txWrittenBack(this.ide, now);
    if (this.tdh === tdt) this.irq.setCause(ICR_TXQE);
    else this.timer!.arm(Math.max(now, this.nextFree));
  }

  /**
   * Fetches the descriptors of one packet from TDH, gathers its bytes into the on-chip buffer, writes DD
   * back into the descriptors that asked for it (RS) and advances TDH past the packet. Returns the
   * packet's length, {@link TX_BAD} for a packet that cannot be sent (a DEXT descriptor, an implausible
   * buffer address, longer than 16 KB, empty: its descriptors are completed anyway), or
   * {@link TX_INCOMPLETE} when no EOP descriptor is there yet (nothing consumed). Sets `rs` / `ide`.
   *
   * Self-contained, with only small-integer arguments, for the same reason as the receiver's store.
   */
  private gather(tdh: number, tdt: number, n: number): number {
    const dma = this.dma!;
    const ring = this.ringBase;
    const bulk = this.bulk;
    const buf = this.buf;
    let h = tdh;
    let total = 0;
    let ok = true;
    let eop = false;
    let rs = false;
    let ide = false;
    while (h !== tdt) {
      const d = ring + h * DESC_SIZE;
      const w2 = dma.read32(d + TXD_LENGTH); // length, CSO, CMD
      const len = w2 & 0xffff;
      const cmd = w2 >>> 24;
      h = h + 1 === n ? 0 : h + 1;
      if ((cmd & TXD_CMD_RS) !== 0) {
        rs = true;
        ide = (cmd & TXD_CMD_IDE) !== 0;
      }
      if ((cmd & TXD_CMD_DEXT) !== 0 || total + len > MAX_TX_FRAME) ok = false;
      else if (ok && len > 0) {
        const addr = dma.read64(d);
        if (!(addr >= SEGMENT && addr < MAX_BUS_ADDR)) ok = false;
        else if (bulk) ok = dma.copyFromBus(addr, buf, total, len);
        else {
          let i = 0;
          for (; i + 4 <= len; i += 4) {
            const v = dma.read32(addr + i);
            const o = total + i;
            buf[o] = v;
            buf[o + 1] = v >>> 8;
            buf[o + 2] = v >>> 16;
            buf[o + 3] = v >>> 24;
          }
          for (; i < len; i++) buf[total + i] = dma.read8(addr + i);
        }
        if (ok) total += len;
      }
      if ((cmd & TXD_CMD_EOP) !== 0) {
        eop = true;
        break;
      }
    }
    if (!eop) return TX_INCOMPLETE;
    for (let k = tdh; k !== h; k = k + 1 === n ? 0 : k + 1) {
      const d = ring + k * DESC_SIZE;
      const w2 = dma.read32(d + TXD_LENGTH);
      if (((w2 >>> 24) & TXD_CMD_RS) !== 0) dma.write8(d + TXD_STATUS, dma.read8(d + TXD_STATUS) | TXD_STAT_DD);
    }
    this.tdh = h;
    this.rs = rs;
    this.ide = ide;
    return ok && total > 0 ? total : TX_BAD;
  }
}
