/**
 * The NE2000 device model: a National DP8390 network interface controller on an NE2000-compatible card
 * (presented as the RTL8029, PCI 10EC:8029), as *hardware*.
 *
 * It follows the DP8390 programming model: 8-bit registers in pages selected by CR.PS1/PS0, 16 KiB (or
 * 32 KiB) of packet RAM on the card at 0x4000 with the station address PROM at card address 0, a receive
 * ring of 256-byte pages between PSTART and PSTOP written by the card's local DMA, and a *remote DMA*
 * channel through which the host reads and writes card memory one byte or word at a time through the data
 * port (base+0x10). It never touches host memory: that is what makes it a PIO part. A driver reaches it
 * through `BusSpace` (port reads and writes, including the string accessors) and its interrupt line only.
 *
 * ## Receive
 *
 * A frame from the wire is taken only when the card is started (CR.STA, not STP), not in loopback (TCR.LB
 * = 00 and DCR.LS = 1) and not wedged by an earlier overflow; it passes the address filter (PAR exact
 * match, broadcast with RCR.AB, multicast through the MAR hash with RCR.AM, anything with RCR.PRO); runts
 * (< 60 bytes without FCS) only with RCR.AR. Then, if the pages from CURR up to (not including) BNRY can
 * hold the 4-byte header and the frame, the card writes the header (RSR, next page, byte count including
 * the header) and the frame at CURR, wrapping from PSTOP to PSTART, advances CURR and raises PRX.
 * Otherwise the frame is lost: OVW, RXE (and RST) are raised, RSR.MPA set, CNTR2 counts it, and the receiver
 * stays *wedged* — every further frame is missed — until the host issues the STOP command, as the DP8390
 * data sheet requires ("a software reset must be issued during all Receive Buffer Ring overflows"). The
 * card stores no FCS (the wire carries none). A frame missed while wedged raises RXE and counts in CNTR2.
 *
 * ## Remote DMA
 *
 * RSAR and RBCR set the card address and the byte count; CR.RD0 starts a remote read, CR.RD1 a remote
 * write. Each data-port access moves one byte (DCR.WTS = 0) or one little-endian word (DCR.WTS = 1),
 * advancing the address (wrapping from PSTOP to PSTART inside the ring, as the part does) and counting
 * down RBCR; when it reaches zero, ISR.RDC is raised. A start with RBCR = 0 completes at once. Accesses
 * when no remote DMA is under way read all ones and write nothing (counted).
 *
 * ## Transmit
 *
 * CR.TXP sends TBCR bytes from page TPSR of card memory: the frame is on the wire for its serialisation
 * time at the card's link speed (10 Mb/s by default), then the card clears TXP, writes TSR (PTX; COL and
 * NCR for collisions; ABT and ISR.TXE after 16 collisions; CRS when there is no carrier) and raises PTX or
 * TXE. The frame is handed to the wire when it is complete, so a STOP issued during the transmission
 * aborts it: TXP clears with neither PTX nor TXE, which is the case the overflow recovery's resend handles.
 * Collisions never happen on a full-duplex virtual cable; {@link Ne2000Device.injectCollisions} makes the
 * next transmissions see them.
 *
 * ## Interrupts and reset
 *
 * The line is asserted while `ISR & IMR & 0x7F` is non-zero (RST never interrupts). ISR bits are cleared
 * by writing 1s. A read of the reset port resets the card: CR = STP|RD2, ISR = RST, IMR = 0, DCR = LAS,
 * TCR = LB1|LB0 (loopback). STOP sets ISR.RST once RBCR is zero — except when it cut a transmission short,
 * as the data sheet warns (a driver must then wait out the 1.6 ms); START clears it.
 *
 * ## Not modelled
 *
 * Frame alignment and CRC errors (the wire has none: CNTR0/CNTR1 stay 0), the send-packet remote command
 * (CR.RD = 011: counted, treated as abort), byte-order swapping (DCR.BOS), the FIFO threshold, the RTL8029's
 * page 3 configuration registers, half duplex timing and backoff.
 *
 * @module
 */
import type {
  Clock,
  DeviceBusContext,
  DeviceIdent,
  DeviceModel,
  DeviceRegisters,
  HardwareTimer,
  InterruptLine,
  Wire,
  WireEndpoint,
  WiredDevice,
} from '@ifnet/core';
import { copyBytes, parseLinkAddress } from '@ifnet/core';
import { marIndex } from '../mar-hash.js';
import { CardMemory } from './card-memory.js';
import { type Ne2000DeviceStats, newStats } from './ne2000-stats.js';
import {
  CR_PS_SHIFT,
  CR_RD2,
  CR_RD_ABORT,
  CR_RD_MASK,
  CR_RD_READ,
  CR_RD_SEND,
  CR_RD_WRITE,
  CR_STA,
  CR_STP,
  CR_TXP,
  DCR_LAS,
  DCR_LS,
  DCR_WTS,
  DP_BNRY,
  DP_CLDA0,
  DP_CLDA1,
  DP_CNTR0,
  DP_CNTR1,
  DP_CNTR2,
  DP_CRDA0,
  DP_CRDA1,
  DP_CURR,
  DP_DCR,
  DP_IMR,
  DP_ISR,
  DP_MAR0,
  DP_MAX_COLLISIONS,
  DP_NCR,
  DP_PAGE_SIZE,
  DP_PAR0,
  DP_PSTART,
  DP_PSTOP,
  DP_RBCR0,
  DP_RBCR1,
  DP_RCR,
  DP_RSAR0,
  DP_RSAR1,
  DP_RSR,
  DP_RX_HDR_SIZE,
  DP_TBCR0,
  DP_TBCR1,
  DP_TCR,
  DP_TPSR,
  DP_TSR,
  IMR_ALL,
  ISR_CNT,
  ISR_OVW,
  ISR_PRX,
  ISR_PTX,
  ISR_RDC,
  ISR_RST,
  ISR_RXE,
  ISR_TXE,
  NE_DATA,
  NE_IO_SIZE,
  NE_RAM_START_PAGE,
  NE_RESET,
  RCR_AB,
  RCR_AM,
  RCR_AR,
  RCR_MON,
  RCR_PRO,
  RSR_MPA,
  RSR_PHY,
  RSR_PRX,
  RTL_8029ID0,
  RTL_8029ID1,
  RTL_DEV_8029,
  RTL_VENDOR_REALTEK,
  TCR_LB0,
  TCR_LB1,
  TCR_LB_MASK,
  TSR_ABT,
  TSR_COL,
  TSR_CRS,
  TSR_PTX,
} from '../regs.js';

export interface Ne2000DeviceOptions {
  /** The station address the PROM holds (`02:00:00:00:00:01` or 6 bytes). */
  mac: Uint8Array | string;
  /** Packet RAM on the card in KiB: 16 (default, pages 0x40-0x7F) or 32 (pages 0x40-0xBF). */
  memoryKiB?: 16 | 32;
  /** Link speed used to time transmissions, bits/s. Default 10 Mb/s (10BASE-T). */
  linkSpeed?: number;
  /** Model name for diagnostics. Default `ne2000 (RTL8029)`. */
  name?: string;
}

const MAX_FRAME = 1518;
const MIN_FRAME = 60;

/**
 * An NE2000-compatible card (RTL8029). Plug it into a host (`host.attachDevice(dev)`) and a medium
 * (`cable.connect(dev, peer)`); the `ne` driver finds it by its PCI identity.
 */
export class Ne2000Device implements DeviceModel, DeviceRegisters, WiredDevice, WireEndpoint {
  readonly model: string;
  readonly ident: DeviceIdent;
  readonly bars: readonly DeviceRegisters[];
  readonly interruptVectors = 1;
  readonly size = NE_IO_SIZE;
  readonly stats: Ne2000DeviceStats = newStats();
  readonly mac: Uint8Array;
  readonly linkSpeed: number;
  /** First page after the packet RAM. */
  readonly ramEndPage: number;

  /** Card memory and the remote DMA channel. */
  private readonly card: CardMemory;
  private cr = 0;
  private isr = 0;
  private imr = 0;
  private bnry = 0;
  private curr = 0;
  private tpsr = 0;
  private tbcr = 0;
  private rsar = 0;
  private rbcr = 0;
  private rcr = 0;
  private tcr = 0;
  private dcr = 0;
  private tsr = 0;
  private ncr = 0;
  private rsr = 0;
  private readonly par = new Uint8Array(6);
  private readonly mar = new Uint8Array(8);
  private readonly cntr = new Uint8Array(3);
  /** Set by an overflow; cleared only by the STOP command. */
  private wedged = false;
  /** A STOP is waiting for RBCR to reach zero before it sets ISR.RST. */
  private stopPending = false;
  private clock: Clock | null = null;
  private line: InterruptLine | null = null;
  private wire: Wire | null = null;
  private carrierUp = false;
  private txTimer: HardwareTimer | null = null;
  private readonly nsPerByte: number;
  /** The transmit serialiser's staging buffer (the card's FIFO, long enough for any TBCR). */
  private readonly txbuf = new Uint8Array(0x10000);
  /** Collisions the next transmissions will see (fault injection). */
  private readonly collisionPlan: number[] = [];

  constructor(options: Ne2000DeviceOptions) {
    this.mac = typeof options.mac === 'string' ? parseLinkAddress(options.mac) : new Uint8Array(options.mac);
    if (this.mac.length !== 6) throw new RangeError('ne2000: MAC address must be 6 bytes');
    const kib = options.memoryKiB ?? 16;
    if (kib !== 16 && kib !== 32) throw new RangeError(`ne2000: memoryKiB must be 16 or 32, got ${kib}`);
    this.ramEndPage = NE_RAM_START_PAGE + kib * 4;
    this.model = options.name ?? 'ne2000 (RTL8029)';
    this.ident = { vendor: RTL_VENDOR_REALTEK, device: RTL_DEV_8029, deviceClass: 'network' };
    this.bars = [this];
    this.linkSpeed = options.linkSpeed ?? 10e6;
    if (!(this.linkSpeed > 0)) throw new RangeError(`ne2000: link speed ${this.linkSpeed}`);
    this.nsPerByte = 8e9 / this.linkSpeed;
    this.card = new CardMemory(this.mac, this.ramEndPage, this.stats, () => {
      this.isr |= ISR_RDC;
      this.updateIrq();
    });
    this.resetChip();
  }

  // =====================================================================================================
  // Bus and wire side

  connect(ctx: DeviceBusContext): void {
    if (this.clock !== null) throw new Error(`${this.model}: already connected to a bus`);
    if (ctx.irqs.length < 1) throw new Error(`${this.model}: needs one interrupt line`);
    this.clock = ctx.clock;
    this.line = ctx.irqs[0];
    this.txTimer = ctx.clock.createTimer('ne2000.tx', () => this.txDone());
    this.updateIrq();
  }

  attachWire(wire: Wire): WireEndpoint {
    this.wire = wire;
    this.carrierUp = wire.carrier(this);
    return this;
  }

  wireCarrier(up: boolean): void {
    this.carrierUp = up;
  }

  /** The next `n` transmissions see `collisions[i]` collisions each (16 or more: aborted). */
  injectCollisions(...collisions: number[]): void {
    this.collisionPlan.push(...collisions);
  }

  /** A frame arrives from the medium (no FCS). `frame[off, off+len)` is valid only during the call. */
  wireReceive(frame: Uint8Array, off: number, len: number): void {
    const st = this.stats;
    st.rxFrames++;
    if (this.clock === null || !this.carrierUp) {
      st.rxNoLink++;
      return;
    }
    if ((this.cr & CR_STP) !== 0 || (this.cr & CR_STA) === 0) {
      st.rxStopped++;
      return;
    }
    if ((this.tcr & TCR_LB_MASK) !== 0 || (this.dcr & DCR_LS) === 0) {
      st.rxLoopback++;
      return;
    }
    if (len > MAX_FRAME) {
      st.rxOversize++;
      return;
    }
    if (len < MIN_FRAME && (this.rcr & RCR_AR) === 0) {
      st.rxRunt++;
      return;
    }
    const group = len >= 6 && (frame[off] & 1) !== 0;
    if (len < 6 || !this.accept(frame, off, group)) {
      st.rxFiltered++;
      return;
    }
    if ((this.rcr & RCR_MON) !== 0) {
      st.rxMonitor++;
      this.rsr = RSR_MPA;
      this.tally(2);
      return;
    }
    if (this.wedged) {
      st.rxMissed++;
      this.rsr = RSR_MPA;
      this.tally(2);
      this.isr |= ISR_RXE;
      this.updateIrq();
      return;
    }
    const start = this.card.pstart;
    const stop = this.card.pstop;
    const ringPages = stop - start;
    const curr = this.curr;
    const total = len + DP_RX_HDR_SIZE;
    const need = Math.ceil(total / DP_PAGE_SIZE);
    // The card may write from CURR up to (not including) BNRY.
    const free = ringPages > 0 && curr >= start && curr < stop ? (this.bnry - curr + ringPages) % ringPages : 0;
    if (need > free) {
      st.rxMissed++;
      st.overflows++;
      this.wedged = true;
      this.rsr = RSR_MPA;
      this.tally(2);
      this.isr |= ISR_OVW | ISR_RXE | ISR_RST;
      this.updateIrq();
      return;
    }
    let next = curr + need;
    if (next >= stop) next -= ringPages;
    const status = RSR_PRX | (group ? RSR_PHY : 0);
    const mem = this.card.mem;
    const h = curr * DP_PAGE_SIZE;
    mem[h] = status;
    mem[h + 1] = next;
    mem[h + 2] = total & 0xff;
    mem[h + 3] = total >>> 8;
    // The frame after its header, wrapping from PSTOP to PSTART: at most two plain copies.
    const a = h + DP_RX_HDR_SIZE;
    const first = Math.min(len, stop * DP_PAGE_SIZE - a);
    copyBytes(mem, a, frame, off, first);
    if (first < len) copyBytes(mem, start * DP_PAGE_SIZE, frame, off + first, len - first);
    this.curr = next;
    this.rsr = status;
    st.rxDelivered++;
    this.isr |= ISR_PRX;
    this.updateIrq();
  }

  /** The address filter (PAR, broadcast, MAR hash, promiscuous). */
  private accept(frame: Uint8Array, off: number, group: boolean): boolean {
    const rcr = this.rcr;
    if (!group) {
      if ((rcr & RCR_PRO) !== 0) return true;
      const p = this.par;
      for (let i = 0; i < 6; i++) if (frame[off + i] !== p[i]) return false;
      return true;
    }
    let bcast = true;
    for (let i = 0; i < 6; i++) if (frame[off + i] !== 0xff) bcast = false;
    if (bcast) return (rcr & RCR_AB) !== 0;
    if ((rcr & RCR_AM) === 0) return false;
    const idx = marIndex(frame, off);
    return (this.mar[idx >> 3] & (1 << (idx & 7))) !== 0;
  }

  /** Counts into a tally counter (saturating); ISR.CNT when its most significant bit becomes set. */
  private tally(i: number): void {
    const c = this.cntr;
    if (c[i] === 0xff) return;
    c[i]++;
    if (c[i] === 0x80) {
      this.isr |= ISR_CNT;
      this.updateIrq();
    }
  }

  // =====================================================================================================
  // Registers

  read8(offset: number): number {
    if (offset === NE_DATA) return this.card.dataRead(1, (this.dcr & DCR_WTS) !== 0);
    if (offset === NE_RESET) {
      this.stats.resets++;
      this.resetChip();
      this.updateIrq();
      return 0;
    }
    if (offset > 0x0f) {
      this.stats.regUnknown++;
      return 0xff;
    }
    if (offset === 0) return this.cr;
    const page = this.cr >>> CR_PS_SHIFT;
    if (page === 0) {
      switch (offset) {
        case DP_CLDA0:
          return 0;
        case DP_CLDA1:
          return this.curr;
        case DP_BNRY:
          return this.bnry;
        case DP_TSR:
          return this.tsr;
        case DP_NCR:
          return this.ncr;
        case DP_ISR:
          return this.isr;
        case DP_CRDA0:
          return this.card.crda & 0xff;
        case DP_CRDA1:
          return this.card.crda >>> 8;
        case RTL_8029ID0:
          return 0x50;
        case RTL_8029ID1:
          return 0x43;
        case DP_RSR:
          return this.rsr;
        case DP_CNTR0:
        case DP_CNTR1:
        case DP_CNTR2: {
          const i = offset - DP_CNTR0;
          const v = this.cntr[i];
          this.cntr[i] = 0; // clear on read
          return v;
        }
        default:
          return 0; // FIFO
      }
    }
    if (page === 1) {
      if (offset < DP_CURR) return this.par[offset - DP_PAR0];
      if (offset === DP_CURR) return this.curr;
      return this.mar[offset - DP_MAR0];
    }
    if (page === 2) {
      switch (offset) {
        case DP_PSTART:
          return this.card.pstart;
        case DP_PSTOP:
          return this.card.pstop;
        case DP_TPSR:
          return this.tpsr;
        case DP_RCR:
          return this.rcr;
        case DP_TCR:
          return this.tcr;
        case DP_DCR:
          return this.dcr;
        case DP_IMR:
          return this.imr;
        default:
          return 0;
      }
    }
    this.stats.regUnknown++;
    return 0;
  }

  write8(offset: number, value: number): void {
    const v = value & 0xff;
    if (offset === NE_DATA) {
      this.card.dataWrite(v, 1, (this.dcr & DCR_WTS) !== 0);
      return;
    }
    if (offset === NE_RESET) return; // ends the reset pulse: nothing to do
    if (offset > 0x0f) {
      this.stats.regUnknown++;
      return;
    }
    if (offset === 0) {
      this.command(v);
      return;
    }
    const page = this.cr >>> CR_PS_SHIFT;
    if (page === 0) {
      switch (offset) {
        case DP_PSTART:
          this.card.pstart = v;
          return;
        case DP_PSTOP:
          this.card.pstop = v;
          return;
        case DP_BNRY:
          this.bnry = v;
          // Packets removed after an overflow: the reset status clears.
          if ((this.isr & ISR_RST) !== 0 && (this.cr & CR_STP) === 0) this.isr &= ~ISR_RST;
          return;
        case DP_TPSR:
          this.tpsr = v;
          return;
        case DP_TBCR0:
          this.tbcr = (this.tbcr & 0xff00) | v;
          return;
        case DP_TBCR1:
          this.tbcr = (this.tbcr & 0xff) | (v << 8);
          return;
        case DP_ISR:
          this.isr &= ~(v & IMR_ALL); // write 1 to clear; RST is status only
          this.updateIrq();
          return;
        case DP_RSAR0:
          this.rsar = (this.rsar & 0xff00) | v;
          return;
        case DP_RSAR1:
          this.rsar = (this.rsar & 0xff) | (v << 8);
          return;
        case DP_RBCR0:
          this.rbcr = (this.rbcr & 0xff00) | v;
          this.checkStopped();
          return;
        case DP_RBCR1:
          this.rbcr = (this.rbcr & 0xff) | (v << 8);
          this.checkStopped();
          return;
        case DP_RCR:
          this.rcr = v & 0x3f;
          return;
        case DP_TCR:
          this.tcr = v & 0x1f;
          return;
        case DP_DCR:
          this.dcr = v & 0x7f;
          return;
        case DP_IMR:
          this.imr = v & IMR_ALL;
          this.updateIrq();
          return;
      }
      return;
    }
    if (page === 1) {
      if (offset < DP_CURR) this.par[offset - DP_PAR0] = v;
      else if (offset === DP_CURR) this.curr = v;
      else this.mar[offset - DP_MAR0] = v;
      return;
    }
    this.stats.regUnknown++; // page 2 is read-only (diagnostics); page 3 is the RTL8029's, not modelled
  }

  read16(offset: number): number {
    if (offset === NE_DATA) return this.card.dataRead(2, (this.dcr & DCR_WTS) !== 0);
    const lo = this.read8(offset);
    return lo | (this.read8(offset + 1) << 8);
  }

  write16(offset: number, value: number): void {
    if (offset === NE_DATA) {
      this.card.dataWrite(value & 0xffff, 2, (this.dcr & DCR_WTS) !== 0);
      return;
    }
    this.write8(offset, value & 0xff);
    this.write8(offset + 1, value >>> 8);
  }

  read32(_offset: number): number {
    this.stats.regUnknown++;
    return 0xffff_ffff;
  }

  write32(_offset: number, _value: number): void {
    this.stats.regUnknown++;
  }

  /** `insw` on the data port: `count` remote-DMA words (or bytes, in byte mode) into `dst`. */
  readMulti16(offset: number, dst: Uint8Array, dstOff: number, count: number): void {
    if (offset !== NE_DATA) {
      for (let i = 0; i < count; i++) {
        const v = this.read16(offset);
        dst[dstOff + 2 * i] = v;
        dst[dstOff + 2 * i + 1] = v >>> 8;
      }
      return;
    }
    if ((this.dcr & DCR_WTS) === 0) this.stats.dataWidthMismatch += count;
    this.card.copyOut(dst, dstOff, 2 * count);
  }

  /** `insb` on the data port. */
  readMulti8(offset: number, dst: Uint8Array, dstOff: number, count: number): void {
    if (offset !== NE_DATA) {
      for (let i = 0; i < count; i++) dst[dstOff + i] = this.read8(offset);
      return;
    }
    if ((this.dcr & DCR_WTS) !== 0) this.stats.dataWidthMismatch += count;
    this.card.copyOut(dst, dstOff, count);
  }

  /** `outsw` on the data port. */
  writeMulti16(offset: number, src: Uint8Array, srcOff: number, count: number): void {
    if (offset !== NE_DATA) {
      for (let i = 0; i < count; i++) this.write16(offset, src[srcOff + 2 * i] | (src[srcOff + 2 * i + 1] << 8));
      return;
    }
    if ((this.dcr & DCR_WTS) === 0) this.stats.dataWidthMismatch += count;
    this.card.copyIn(src, srcOff, 2 * count);
  }

  /** `outsb` on the data port. */
  writeMulti8(offset: number, src: Uint8Array, srcOff: number, count: number): void {
    if (offset !== NE_DATA) {
      for (let i = 0; i < count; i++) this.write8(offset, src[srcOff + i]);
      return;
    }
    if ((this.dcr & DCR_WTS) !== 0) this.stats.dataWidthMismatch += count;
    this.card.copyIn(src, srcOff, count);
  }

  // =====================================================================================================
  // Command register

  private command(v: number): void {
    const was = this.cr;
    // TXP cannot be cleared by the host; it stays set while a transmission runs.
    this.cr = (v & ~CR_TXP) | (was & CR_TXP);
    if ((v & CR_STP) !== 0) {
      this.cr = (this.cr & ~CR_STA) | CR_STP;
      if ((was & CR_STP) === 0) this.stop();
    } else if ((v & CR_STA) !== 0) {
      this.cr &= ~CR_STP;
      if ((was & CR_STA) === 0 || (was & CR_STP) !== 0) {
        this.isr &= ~ISR_RST;
        this.stopPending = false;
      }
    }
    const rd = v & CR_RD_MASK;
    if (rd === CR_RD_READ || rd === CR_RD_WRITE) {
      this.card.start(rd === CR_RD_WRITE, this.rsar, this.rbcr);
    } else if (rd === CR_RD_SEND) {
      this.stats.sendPacketCommands++;
      this.card.abort();
    } else if ((rd & CR_RD_ABORT) !== 0) {
      this.card.abort();
    }
    if ((v & CR_TXP) !== 0 && (this.cr & CR_STA) !== 0 && (this.cr & CR_STP) === 0) this.txStart();
  }

  /** STOP: reception and transmission end (a transmission in progress is cut short); RST once RBCR is 0. */
  private stop(): void {
    this.wedged = false;
    if ((this.cr & CR_TXP) !== 0) {
      // "If STP is set when a transmission is in progress, the RST bit may not be set": it is not here.
      this.txTimer?.cancel();
      this.cr &= ~CR_TXP;
      this.stats.txStoppedMidway++;
      return;
    }
    this.stopPending = true;
    this.checkStopped();
  }

  private checkStopped(): void {
    if (this.stopPending && this.rbcr === 0 && (this.cr & CR_STP) !== 0) {
      this.stopPending = false;
      this.isr |= ISR_RST;
    }
  }

  /** Power-on / reset-port reset. Card memory (and the PROM) survive. */
  private resetChip(): void {
    this.txTimer?.cancel();
    this.cr = CR_STP | CR_RD2;
    this.isr = ISR_RST;
    this.imr = 0;
    this.dcr = DCR_LAS;
    this.tcr = TCR_LB0 | TCR_LB1;
    this.rcr = 0;
    this.card.abort();
    this.rbcr = 0;
    this.wedged = false;
    this.stopPending = false;
    this.tsr = 0;
    this.ncr = 0;
    this.cntr.fill(0);
  }

  // =====================================================================================================
  // Transmit

  private txStart(): void {
    if ((this.cr & CR_TXP) !== 0 || this.clock === null) return;
    this.cr |= CR_TXP;
    const len = this.tbcr;
    // Preamble + frame + FCS + inter-frame gap, at the link speed.
    const ns = Math.ceil((Math.max(len, MIN_FRAME) + 24) * this.nsPerByte);
    this.txTimer!.arm(this.clock.now() + ns);
  }

  /** The transmission ended: frame on the wire (or not), TSR/NCR, PTX or TXE. */
  private txDone(): void {
    this.cr &= ~CR_TXP;
    const st = this.stats;
    const collisions = this.collisionPlan.shift() ?? 0;
    this.ncr = Math.min(collisions, 15);
    if (collisions >= DP_MAX_COLLISIONS) {
      st.txAborted++;
      this.tsr = TSR_ABT | TSR_COL;
      this.isr |= ISR_TXE;
      this.updateIrq();
      return;
    }
    let tsr = TSR_PTX | (collisions > 0 ? TSR_COL : 0);
    const len = this.tbcr;
    const buf = this.txbuf;
    let a = this.tpsr * DP_PAGE_SIZE;
    for (let i = 0; i < len && i < buf.length; i++) buf[i] = this.card.memRead((a + i) & 0xffff);
    a = Math.min(len, buf.length);
    const wire = this.wire;
    if (this.carrierUp && wire !== null && len > 0 && wire.transmit(this, buf, 0, a)) {
      st.txFrames++;
      st.txBytes += a;
    } else {
      st.txNoCarrier++;
      tsr |= TSR_CRS;
    }
    this.tsr = tsr;
    this.isr |= ISR_PTX;
    this.updateIrq();
  }

  // =====================================================================================================
  // Interrupts

  private updateIrq(): void {
    const line = this.line;
    if (line === null) return;
    if ((this.isr & this.imr & IMR_ALL) !== 0) {
      if (!line.asserted) {
        this.stats.irqAsserts++;
        line.assert();
      }
    } else if (line.asserted) {
      line.deassert();
    }
  }

  /** Register values without side effects, for tests and diagnostics (a driver reads the ports). */
  peek(): {
    cr: number;
    isr: number;
    imr: number;
    pstart: number;
    pstop: number;
    bnry: number;
    curr: number;
    rcr: number;
    tcr: number;
    dcr: number;
    wedged: boolean;
    remoteBytesLeft: number;
  } {
    return {
      cr: this.cr,
      isr: this.isr,
      imr: this.imr,
      pstart: this.card.pstart,
      pstop: this.card.pstop,
      bnry: this.bnry,
      curr: this.curr,
      rcr: this.rcr,
      tcr: this.tcr,
      dcr: this.dcr,
      wedged: this.wedged,
      remoteBytesLeft: this.card.bytesLeft,
    };
  }
}
