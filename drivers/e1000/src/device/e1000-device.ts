/**
 * The e1000 device model: an Intel 82540EM-like gigabit Ethernet controller, as *hardware*.
 *
 * It follows the 8254x programming model: memory-mapped 32-bit registers at their real offsets (BAR0),
 * legacy 16-byte receive and transmit descriptors in host memory that it reads and writes by DMA only,
 * a level-triggered interrupt line driven by `ICR & IMS`, and the interrupt moderation timers (ITR, the
 * relative RDTR/TIDV timers and the absolute RADV/TADV timers) running on the clock. A driver reaches it
 * through `BusSpace` (registers), `DmaSpace` (descriptors and buffers) and its interrupt handler, never by
 * calling these methods itself.
 *
 * ## Receive
 *
 * A frame from the wire is checked (receiver enabled, link up, size), filtered (RAL/RAH exact match with
 * AV, broadcast with BAM, multicast through the MTA hash or MPE, anything with UPE), then written into the
 * buffers of the descriptors from RDH on. The device owns descriptors RDH..RDT-1; when there are not
 * enough of them (RDH == RDT: none), the frame is **missed**: dropped here, in the device, with RXO raised
 * and MPC (and RNBC) counted. That is where drops must happen under overload.
 *
 * Frames longer than one buffer (RCTL.BSIZE/BSEX, 2048 bytes by default) *span descriptors*: each gets a
 * buffer's worth, EOP only on the last. A frame is written only when all the descriptors it needs are
 * free; otherwise the whole frame is missed (no partial frames). Frames longer than the maximum frame
 * size (1518 bytes with FCS, 1522 with an 802.1Q tag, 16384 with RCTL.LPE) are dropped and counted in ROC;
 * shorter than 64 bytes with FCS, in RUC (unless RCTL.SBP).
 *
 * ## Transmit
 *
 * Writing TDT starts the transmit engine: it fetches descriptors from TDH, gathers an EOP-terminated packet
 * into its on-chip buffer, pads it to 60 bytes if TCTL.PSP, puts it on the wire, writes DD back into the
 * descriptors that asked for it (RS), advances TDH and raises TXDW (delayed by TIDV/TADV for descriptors with
 * IDE) and, when TDH reaches TDT, TXQE. Packets leave one after another at the link speed (preamble, FCS
 * and inter-frame gap included), so a burst takes the time it takes on a real gigabit port.
 *
 * ## Interrupts and moderation
 *
 * The line is asserted while `ICR & IMS` is non-zero, but not sooner than `ITR × 256 ns` after the previous
 * assertion (the throttle timer re-evaluates then). Reading ICR returns the causes, clears them and lowers
 * the line. RXT0 is raised after each received frame at once when RDTR is 0; otherwise when the packet
 * timer (RDTR × 1.024 µs, restarted by every frame) or the absolute timer (RADV × 1.024 µs from the first
 * frame, if RADV ≠ 0) expires, whichever is first. Writing RDTR with FPD (bit 31) fires a pending timer now.
 *
 * ## Not modelled
 *
 * The PHY and MDIC, the EEPROM interface (the MAC is given at construction and loaded into RAL0/RAH0 at
 * reset, as the EEPROM would), flow control, VLAN filtering and tag stripping, checksum offload and context
 * descriptors (DEXT: counted as bad descriptors), the on-chip receive FIFO (a frame without descriptors is
 * missed at once), collisions and half duplex. Unknown register offsets read 0 and ignore writes, counted.
 *
 * @module
 */
import type {
  Clock,
  DeviceBusContext,
  DeviceIdent,
  DeviceModel,
  DeviceRegisters,
  DmaAccess,
  HardwareTimer,
  InterruptLine,
  Nanoseconds,
  Wire,
  WireEndpoint,
  WiredDevice,
} from '@ifnet/core';
import {
  CTRL_FD,
  CTRL_RST,
  CTRL_SLU,
  DELAY_UNIT_NS,
  DESC_SIZE,
  E1000_BAR0_SIZE,
  E1000_BPRC,
  E1000_CTRL,
  E1000_CTRL_EXT,
  E1000_DEV_82540EM,
  E1000_EECD,
  E1000_GORCH,
  E1000_GORCL,
  E1000_GOTCH,
  E1000_GOTCL,
  E1000_GPRC,
  E1000_GPTC,
  E1000_ICR,
  E1000_ICS,
  E1000_IMC,
  E1000_IMS,
  E1000_ITR,
  E1000_MPC,
  E1000_MPRC,
  E1000_MTA,
  E1000_MTA_COUNT,
  E1000_PBA,
  E1000_RA_COUNT,
  E1000_RADV,
  E1000_RAH,
  E1000_RAL,
  E1000_RCTL,
  E1000_RDBAH,
  E1000_RDBAL,
  E1000_RDH,
  E1000_RDLEN,
  E1000_RDT,
  E1000_RDTR,
  E1000_RNBC,
  E1000_ROC,
  E1000_RUC,
  E1000_STATUS,
  E1000_TADV,
  E1000_TCTL,
  E1000_TDBAH,
  E1000_TDBAL,
  E1000_TDH,
  E1000_TDLEN,
  E1000_TDT,
  E1000_TIDV,
  E1000_TIPG,
  E1000_TORH,
  E1000_TORL,
  E1000_TOTH,
  E1000_TOTL,
  E1000_TPR,
  E1000_TPT,
  E1000_VENDOR_INTEL,
  ICR_ALL,
  ICR_LSC,
  ICR_RXDMT0,
  ICR_RXO,
  ICR_RXT0,
  ICR_TXDW,
  ICR_TXQE,
  ITR_UNIT_NS,
  RAH_AV,
  RCTL_BAM,
  RCTL_EN,
  RCTL_LPE,
  RCTL_MO_SHIFT,
  RCTL_MPE,
  RCTL_RDMTS_SHIFT,
  RCTL_SBP,
  RCTL_SECRC,
  RCTL_UPE,
  RXD_CSUM,
  RXD_ERR_RXE,
  RXD_ERRORS,
  RXD_LENGTH,
  RXD_SPECIAL,
  RXD_STAT_DD,
  RXD_STAT_EOP,
  RXD_STATUS,
  STATUS_FD,
  STATUS_LU,
  STATUS_SPEED_1000,
  TCTL_EN,
  TCTL_PSP,
  TXD_CMD,
  TXD_CMD_DEXT,
  TXD_CMD_EOP,
  TXD_CMD_IDE,
  TXD_CMD_RS,
  TXD_LENGTH,
  TXD_STAT_DD,
  TXD_STATUS,
  mtaHash,
  rctlBufferSize,
} from '../regs.js';
import { crc32 } from './crc32.js';

/** How the model moves frame bytes to and from host memory. */
export type DmaCopyMode = 'word' | 'bulk';

export interface E1000DeviceOptions {
  /** The station address, as the EEPROM would hold it (`02:00:00:00:00:01` or 6 bytes). */
  mac: Uint8Array | string;
  /** Model name for diagnostics. Default `e1000 (82540EM)`. */
  name?: string;
  /** PCI device id. Default 0x100E (82540EM). */
  deviceId?: number;
  /** Link speed used to pace transmission, in bits/s. Default 1 Gb/s. */
  linkSpeed?: number;
  /**
   * `word` (default): frame bytes cross the bus as 32-bit DMA accesses, allocating nothing. `bulk`: one
   * `copyToBus`/`copyFromBus` per buffer — faster for large frames, but core's `DmaSpace` creates a
   * `subarray` view per call (one small heap object per frame).
   */
  dmaCopy?: DmaCopyMode;
}

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

function newStats(): E1000DeviceStats {
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

const SEGMENT = 0x1_0000_0000;
/** Maximum frame the transmit engine gathers, and the largest receive frame with LPE (bytes). */
const MAX_FRAME = 16384;
/** Register index (offset / 4). */
const R = (off: number) => off >>> 2;

/** Register indices stored and read back as plain values (no side effects). */
const PLAIN_REGISTERS: number[] = [
  E1000_EECD,
  E1000_CTRL_EXT,
  E1000_PBA,
  E1000_TIPG,
  E1000_RDBAL,
  E1000_RDBAH,
  E1000_TDBAL,
  E1000_TDBAH,
  E1000_RADV,
  E1000_TIDV,
  E1000_TADV,
  E1000_ITR,
  E1000_RCTL,
  E1000_TCTL,
  E1000_RDLEN,
  E1000_TDLEN,
  E1000_RDH,
  E1000_RDT,
  E1000_TDH,
  E1000_TDT,
  E1000_RDTR,
];

/**
 * An 82540EM-like controller. Plug it into a host (`host.attachDevice(dev)`) and a medium
 * (`cable.connect(dev, peer)` or `sink.attach(dev)`); the driver finds it by its PCI identity.
 */
export class E1000Device implements DeviceModel, DeviceRegisters, WiredDevice, WireEndpoint {
  readonly model: string;
  readonly ident: DeviceIdent;
  readonly bars: readonly DeviceRegisters[];
  readonly interruptVectors = 1;
  readonly size = E1000_BAR0_SIZE;
  readonly stats: E1000DeviceStats = newStats();
  /** The station address from the "EEPROM". */
  readonly mac: Uint8Array;
  readonly linkSpeed: number;
  readonly dmaCopy: DmaCopyMode;

  private readonly r = new Uint32Array(E1000_BAR0_SIZE >>> 2);
  /** 1 for register indices that exist (plain or special). */
  private readonly known = new Uint8Array(E1000_BAR0_SIZE >>> 2);
  private icr = 0;
  private ims = 0;
  private clock: Clock | null = null;
  private dma: DmaAccess | null = null;
  private line: InterruptLine | null = null;
  private wire: Wire | null = null;
  private carrierUp = false;
  private linkUp = false;
  private lastAssert: Nanoseconds = Number.NEGATIVE_INFINITY;
  private itrTimer: HardwareTimer | null = null;
  private rdtrTimer: HardwareTimer | null = null;
  private radvTimer: HardwareTimer | null = null;
  private tidvTimer: HardwareTimer | null = null;
  private tadvTimer: HardwareTimer | null = null;
  private txTimer: HardwareTimer | null = null;
  /** When the transmitter has finished the previous packet (inter-frame gap included). */
  private txNextFree: Nanoseconds = 0;
  private readonly nsPerByte: number;
  /** On-chip transmit buffer (a gathered packet). */
  private readonly txbuf = new Uint8Array(MAX_FRAME);
  /** Staging buffer for a received frame with its FCS appended (RCTL.SECRC clear). */
  private readonly rxbuf = new Uint8Array(MAX_FRAME + 4);

  constructor(options: E1000DeviceOptions) {
    this.mac = typeof options.mac === 'string' ? parseMac(options.mac) : new Uint8Array(options.mac);
    if (this.mac.length !== 6) throw new RangeError('e1000: MAC address must be 6 bytes');
    this.model = options.name ?? 'e1000 (82540EM)';
    this.ident = { vendor: E1000_VENDOR_INTEL, device: options.deviceId ?? E1000_DEV_82540EM, deviceClass: 'network' };
    this.bars = [this];
    this.linkSpeed = options.linkSpeed ?? 1e9;
    if (!(this.linkSpeed > 0)) throw new RangeError(`e1000: link speed ${this.linkSpeed}`);
    this.nsPerByte = 8e9 / this.linkSpeed;
    this.dmaCopy = options.dmaCopy ?? 'word';
    const k = this.known;
    for (const off of PLAIN_REGISTERS) k[R(off)] = 1;
    for (const off of [E1000_CTRL, E1000_STATUS, E1000_ICR, E1000_ICS, E1000_IMS, E1000_IMC]) k[R(off)] = 1;
    for (let i = 0; i < E1000_MTA_COUNT; i++) k[R(E1000_MTA) + i] = 1;
    for (let i = 0; i < E1000_RA_COUNT; i++) {
      k[R(E1000_RAL(i))] = 1;
      k[R(E1000_RAH(i))] = 1;
    }
    // 0x4000..0x40FC: statistics (clear on read; the ones not modelled read 0).
    for (let off = 0x4000; off < 0x4100; off += 4) k[R(off)] = 1;
    this.resetRegisters();
  }

  // =====================================================================================================
  // Bus side

  connect(ctx: DeviceBusContext): void {
    if (this.clock !== null) throw new Error(`${this.model}: already connected to a bus`);
    if (ctx.irqs.length < 1) throw new Error(`${this.model}: needs one interrupt line`);
    const clock = ctx.clock;
    this.clock = clock;
    this.dma = ctx.dma;
    this.line = ctx.irqs[0];
    this.itrTimer = clock.createTimer('e1000.itr', () => this.updateIrq());
    this.rdtrTimer = clock.createTimer('e1000.rdtr', () => this.rxTimerExpired());
    this.radvTimer = clock.createTimer('e1000.radv', () => this.rxTimerExpired());
    this.tidvTimer = clock.createTimer('e1000.tidv', () => this.txTimerExpired());
    this.tadvTimer = clock.createTimer('e1000.tadv', () => this.txTimerExpired());
    this.txTimer = clock.createTimer('e1000.tx', () => this.txRun());
    this.reset();
  }

  // =====================================================================================================
  // Wire side

  attachWire(wire: Wire): WireEndpoint {
    this.wire = wire;
    this.carrierUp = wire.carrier(this);
    this.updateLink();
    return this;
  }

  wireCarrier(up: boolean): void {
    this.carrierUp = up;
    this.updateLink();
  }

  /** A frame arrives from the medium (no FCS). `frame[off, off+len)` is valid only during the call. */
  wireReceive(frame: Uint8Array, off: number, len: number): void {
    const st = this.stats;
    const r = this.r;
    st.rxFrames++;
    inc(r, R(E1000_TPR));
    const dma = this.dma;
    if (dma === null || !this.linkUp) {
      st.rxNoLink++;
      return;
    }
    const rctl = r[R(E1000_RCTL)];
    if ((rctl & RCTL_EN) === 0) {
      st.rxDisabled++;
      return;
    }
    // Sizes with FCS, as the MAC counts them.
    const wireLen = len + 4;
    if (len < 14 || (wireLen < 64 && (rctl & RCTL_SBP) === 0)) {
      st.rxUndersize++;
      inc(r, R(E1000_RUC));
      return;
    }
    const tagged = frame[off + 12] === 0x81 && frame[off + 13] === 0x00;
    const maxLen = (rctl & RCTL_LPE) !== 0 ? MAX_FRAME : tagged ? 1522 : 1518;
    if (wireLen > maxLen) {
      st.rxOversize++;
      inc(r, R(E1000_ROC));
      return;
    }
    const group = (frame[off] & 1) !== 0;
    const bcast = group && isBroadcast(frame, off);
    if (!this.accept(frame, off, rctl, group, bcast)) {
      st.rxFiltered++;
      return;
    }

    const n = r[R(E1000_RDLEN)] >>> 4;
    const rdh = r[R(E1000_RDH)];
    const rdt = r[R(E1000_RDT)];
    const bufSize = rctlBufferSize(rctl);
    const strip = (rctl & RCTL_SECRC) !== 0;
    const storeLen = strip ? len : wireLen;
    const need = Math.ceil(storeLen / bufSize);
    const avail = n === 0 || rdh >= n || rdt >= n ? 0 : (rdt - rdh + n) % n;
    if (avail < need) {
      st.rxMissed++;
      inc(r, R(E1000_MPC));
      inc(r, R(E1000_RNBC));
      this.setCause(ICR_RXO);
      return;
    }

    let src = frame;
    let srcOff = off;
    if (!strip) {
      const b = this.rxbuf;
      copyBytes(b, 0, frame, off, len);
      const fcs = crc32(b, 0, len);
      b[len] = fcs & 0xff;
      b[len + 1] = (fcs >>> 8) & 0xff;
      b[len + 2] = (fcs >>> 16) & 0xff;
      b[len + 3] = fcs >>> 24;
      src = b;
      srcOff = 0;
    }
    const base = r[R(E1000_RDBAH)] * SEGMENT + r[R(E1000_RDBAL)];
    let h = rdh;
    let pos = 0;
    for (let k = 0; k < need; k++) {
      const d = base + h * DESC_SIZE;
      const chunk = Math.min(storeLen - pos, bufSize);
      const ok = this.toBus(dma, dma.read64(d), src, srcOff + pos, chunk);
      if (!ok) st.rxDmaErrors++;
      dma.write16(d + RXD_LENGTH, chunk);
      dma.write16(d + RXD_CSUM, 0);
      dma.write8(d + RXD_ERRORS, ok ? 0 : RXD_ERR_RXE);
      dma.write16(d + RXD_SPECIAL, 0);
      // Status last: DD tells the driver the rest of the descriptor is valid.
      dma.write8(d + RXD_STATUS, k === need - 1 ? RXD_STAT_DD | RXD_STAT_EOP : RXD_STAT_DD);
      pos += chunk;
      h = h + 1 === n ? 0 : h + 1;
    }
    r[R(E1000_RDH)] = h;

    st.rxDelivered++;
    inc(r, R(E1000_GPRC));
    add64(r, R(E1000_GORCL), wireLen);
    add64(r, R(E1000_TORL), wireLen);
    if (bcast) inc(r, R(E1000_BPRC));
    else if (group) inc(r, R(E1000_MPRC));

    // RXDMT0 when the free descriptors fall to the threshold (1/2, 1/4, 1/8 of the ring).
    const threshold = n >>> (((rctl >>> RCTL_RDMTS_SHIFT) & 3) + 1);
    if (avail > threshold && avail - need <= threshold) this.setCause(ICR_RXDMT0);
    this.rxTimerKick();
  }

  /** The receive address filter. */
  private accept(frame: Uint8Array, off: number, rctl: number, group: boolean, bcast: boolean): boolean {
    const r = this.r;
    if (group) {
      if ((rctl & RCTL_MPE) !== 0) return true;
      if (bcast) return (rctl & RCTL_BAM) !== 0;
    } else if ((rctl & RCTL_UPE) !== 0) {
      return true;
    }
    const lo = (frame[off] | (frame[off + 1] << 8) | (frame[off + 2] << 16) | (frame[off + 3] << 24)) >>> 0;
    const hi = frame[off + 4] | (frame[off + 5] << 8);
    for (let i = 0; i < E1000_RA_COUNT; i++) {
      const rah = r[R(E1000_RAH(i))];
      if ((rah & RAH_AV) !== 0 && r[R(E1000_RAL(i))] === lo && (rah & 0xffff) === hi) return true;
    }
    if (!group) return false;
    const hash = mtaHash(frame, off, (rctl >>> RCTL_MO_SHIFT) & 3);
    return (r[R(E1000_MTA) + (hash >>> 5)] & (1 << (hash & 31))) !== 0;
  }

  // =====================================================================================================
  // Registers (DeviceRegisters)

  read32(offset: number): number {
    const r = this.r;
    const i = offset >>> 2;
    switch (offset) {
      case E1000_CTRL:
        return r[i] & ~CTRL_RST;
      case E1000_STATUS:
        return STATUS_FD | STATUS_SPEED_1000 | (this.linkUp ? STATUS_LU : 0);
      case E1000_ICR: {
        const v = this.icr;
        this.icr = 0;
        this.updateIrq();
        return v;
      }
      case E1000_IMS:
        return this.ims;
      case E1000_ICS:
      case E1000_IMC:
        return 0; // write-only
      case E1000_GORCH:
      case E1000_GOTCH:
      case E1000_TORH:
      case E1000_TOTH: {
        // 64-bit octet counters: reading the high half clears the pair.
        const v = r[i];
        r[i] = 0;
        r[i - 1] = 0;
        return v;
      }
      case E1000_GORCL:
      case E1000_GOTCL:
      case E1000_TORL:
      case E1000_TOTL:
        return r[i];
    }
    if (offset >= 0x4000 && offset < 0x4100) {
      const v = r[i];
      r[i] = 0;
      return v;
    }
    if (offset >= 0 && offset < E1000_BAR0_SIZE && (offset & 3) === 0 && this.known[i] === 1) return r[i];
    this.stats.regUnknownReads++;
    return 0;
  }

  write32(offset: number, value: number): void {
    const r = this.r;
    const i = offset >>> 2;
    const v = value >>> 0;
    switch (offset) {
      case E1000_CTRL:
        if ((v & CTRL_RST) !== 0) {
          this.reset();
          return;
        }
        r[i] = v;
        this.updateLink();
        return;
      case E1000_STATUS:
        this.stats.regBadWrites++;
        return;
      case E1000_ICR:
        this.icr &= ~v;
        this.updateIrq();
        return;
      case E1000_ICS:
        this.icr |= v & ICR_ALL;
        this.updateIrq();
        return;
      case E1000_IMS:
        this.ims |= v & ICR_ALL;
        this.updateIrq();
        return;
      case E1000_IMC:
        this.ims &= ~v;
        this.updateIrq();
        return;
      case E1000_ITR:
      case E1000_RADV:
      case E1000_TIDV:
      case E1000_TADV:
        r[i] = v & 0xffff;
        return;
      case E1000_RDTR:
        r[i] = v & 0xffff;
        // FPD: flush partial descriptor block — a pending receive timer fires now.
        if ((v & 0x8000_0000) !== 0 && (this.rdtrTimer?.armed || this.radvTimer?.armed)) this.rxTimerExpired();
        return;
      case E1000_RDLEN:
      case E1000_TDLEN:
        r[i] = v & 0x000f_ff80;
        return;
      case E1000_RDH:
      case E1000_RDT:
        this.writeIndex(i, v, r[R(E1000_RDLEN)] >>> 4);
        return;
      case E1000_TDH:
        this.writeIndex(i, v, r[R(E1000_TDLEN)] >>> 4);
        return;
      case E1000_TDT:
        this.writeIndex(i, v, r[R(E1000_TDLEN)] >>> 4);
        this.kickTx();
        return;
      case E1000_TCTL:
        r[i] = v;
        if ((v & TCTL_EN) !== 0) this.kickTx();
        return;
    }
    if (offset >= 0x4000 && offset < 0x4100) {
      this.stats.regBadWrites++; // statistics are read-only
      return;
    }
    if (offset >= E1000_RAL(0) + 4 && offset < E1000_RAL(E1000_RA_COUNT) && (offset & 7) === 4) {
      r[i] = v & 0x8003_ffff; // RAH: address bytes 4..5, AS, AV
      return;
    }
    if (offset >= 0 && offset < E1000_BAR0_SIZE && (offset & 3) === 0 && this.known[i] === 1) {
      r[i] = v;
      return;
    }
    this.stats.regUnknownWrites++;
  }

  read8(offset: number): number {
    this.stats.regBadWidth++;
    return (this.peek(offset & ~3) >>> ((offset & 3) * 8)) & 0xff;
  }
  read16(offset: number): number {
    this.stats.regBadWidth++;
    return (this.peek(offset & ~3) >>> ((offset & 2) * 8)) & 0xffff;
  }
  write8(_offset: number, _value: number): void {
    this.stats.regBadWidth++;
  }
  write16(_offset: number, _value: number): void {
    this.stats.regBadWidth++;
  }

  /** A register's value without read side effects (for narrow reads and diagnostics). */
  peek(offset: number): number {
    switch (offset) {
      case E1000_STATUS:
        return STATUS_FD | STATUS_SPEED_1000 | (this.linkUp ? STATUS_LU : 0);
      case E1000_ICR:
        return this.icr;
      case E1000_IMS:
        return this.ims;
    }
    const i = offset >>> 2;
    return offset >= 0 && offset < E1000_BAR0_SIZE && this.known[i] === 1 ? this.r[i] : 0;
  }

  /** Ring index registers: values beyond the ring are ignored (counted). */
  private writeIndex(i: number, v: number, ringSize: number): void {
    if (v > 0xffff || (ringSize > 0 && v >= ringSize)) {
      this.stats.regBadWrites++;
      return;
    }
    this.r[i] = v;
  }

  // =====================================================================================================
  // Reset and link

  private resetRegisters(): void {
    const r = this.r;
    r.fill(0);
    r[R(E1000_CTRL)] = CTRL_FD;
    r[R(E1000_PBA)] = 0x0030; // 48 KB receive, 16 KB transmit
    const m = this.mac;
    r[R(E1000_RAL(0))] = (m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)) >>> 0;
    r[R(E1000_RAH(0))] = (m[4] | (m[5] << 8) | RAH_AV) >>> 0;
    this.icr = 0;
    this.ims = 0;
  }

  /** CTRL.RST: back to power-on state, MAC reloaded from the EEPROM, link down until SLU. */
  private reset(): void {
    this.stats.resets++;
    this.resetRegisters();
    this.itrTimer?.cancel();
    this.rdtrTimer?.cancel();
    this.radvTimer?.cancel();
    this.tidvTimer?.cancel();
    this.tadvTimer?.cancel();
    this.txTimer?.cancel();
    this.lastAssert = Number.NEGATIVE_INFINITY;
    this.txNextFree = 0;
    this.linkUp = false;
    this.line?.deassert();
  }

  private updateLink(): void {
    const up = this.carrierUp && (this.r[R(E1000_CTRL)] & CTRL_SLU) !== 0;
    if (up === this.linkUp) return;
    this.linkUp = up;
    if (this.clock !== null) this.setCause(ICR_LSC);
  }

  // =====================================================================================================
  // Interrupts

  private setCause(bits: number): void {
    this.icr |= bits;
    this.updateIrq();
  }

  /** Drives the line from `ICR & IMS`, holding a new assertion back until ITR allows it. */
  private updateIrq(): void {
    const line = this.line;
    if (line === null) return;
    if ((this.icr & this.ims) === 0) {
      if (line.asserted) line.deassert();
      return;
    }
    if (line.asserted) return;
    const now = this.clock!.now();
    const itr = this.r[R(E1000_ITR)];
    if (itr !== 0) {
      const earliest = this.lastAssert + itr * ITR_UNIT_NS;
      if (now < earliest) {
        const t = this.itrTimer!;
        if (!t.armed) t.arm(earliest);
        return;
      }
    }
    this.lastAssert = now;
    this.stats.irqAsserts++;
    line.assert();
  }

  /** After a received frame: RXT0 now (RDTR = 0) or (re)start the packet timer and the absolute timer. */
  private rxTimerKick(): void {
    const r = this.r;
    const rdtr = r[R(E1000_RDTR)];
    if (rdtr === 0) {
      this.setCause(ICR_RXT0);
      return;
    }
    this.rdtrTimer!.arm(this.clock!.now() + rdtr * DELAY_UNIT_NS);
    const radv = r[R(E1000_RADV)];
    const abs = this.radvTimer!;
    if (radv !== 0 && !abs.armed) abs.arm(this.clock!.now() + radv * DELAY_UNIT_NS);
  }

  private rxTimerExpired(): void {
    this.rdtrTimer!.cancel();
    this.radvTimer!.cancel();
    this.setCause(ICR_RXT0);
  }

  private txTimerExpired(): void {
    this.tidvTimer!.cancel();
    this.tadvTimer!.cancel();
    this.setCause(ICR_TXDW);
  }

  // =====================================================================================================
  // Transmit

  private kickTx(): void {
    const t = this.txTimer;
    if (t === null || t.armed || (this.r[R(E1000_TCTL)] & TCTL_EN) === 0) return;
    const now = this.clock!.now();
    t.arm(Math.max(now, this.txNextFree));
  }

  /** Transmit engine: sends one packet, then schedules itself after the packet's time on the wire. */
  private txRun(): void {
    const r = this.r;
    const dma = this.dma!;
    if ((r[R(E1000_TCTL)] & TCTL_EN) === 0) return;
    const n = r[R(E1000_TDLEN)] >>> 4;
    const tdh = r[R(E1000_TDH)];
    const tdt = r[R(E1000_TDT)];
    if (n === 0 || tdh === tdt || tdh >= n || tdt >= n) return;
    const base = r[R(E1000_TDBAH)] * SEGMENT + r[R(E1000_TDBAL)];
    const buf = this.txbuf;
    let h = tdh;
    let total = 0;
    let ok = true;
    let eop = false;
    let rs = false;
    let ide = false;
    while (h !== tdt) {
      const d = base + h * DESC_SIZE;
      const len = dma.read16(d + TXD_LENGTH);
      const cmd = dma.read8(d + TXD_CMD);
      h = h + 1 === n ? 0 : h + 1;
      if ((cmd & TXD_CMD_RS) !== 0) {
        rs = true;
        ide = (cmd & TXD_CMD_IDE) !== 0;
      }
      if ((cmd & TXD_CMD_DEXT) !== 0 || total + len > MAX_FRAME) ok = false;
      else if (ok && len > 0) {
        if (this.fromBus(dma, dma.read64(d), buf, total, len)) total += len;
        else ok = false;
      }
      if ((cmd & TXD_CMD_EOP) !== 0) {
        eop = true;
        break;
      }
    }
    if (!eop) return; // the rest of the packet is not there yet: wait for the next TDT write

    // Write DD back where asked (RS), then hand the descriptors back by advancing TDH.
    for (let k = tdh; k !== h; k = k + 1 === n ? 0 : k + 1) {
      const d = base + k * DESC_SIZE;
      if ((dma.read8(d + TXD_CMD) & TXD_CMD_RS) !== 0)
        dma.write8(d + TXD_STATUS, dma.read8(d + TXD_STATUS) | TXD_STAT_DD);
    }
    r[R(E1000_TDH)] = h;

    const now = this.clock!.now();
    const st = this.stats;
    if (!ok || total === 0) {
      st.txBad++;
    } else {
      if (total < 60 && (r[R(E1000_TCTL)] & TCTL_PSP) !== 0) {
        buf.fill(0, total, 60);
        total = 60;
      }
      const wire = this.wire;
      if (this.linkUp && wire?.transmit(this, buf, 0, total)) {
        st.txFrames++;
        st.txBytes += total;
        inc(r, R(E1000_GPTC));
        inc(r, R(E1000_TPT));
        add64(r, R(E1000_GOTCL), total + 4);
        add64(r, R(E1000_TOTL), total + 4);
      } else {
        st.txRefused++;
      }
      // The port is busy for preamble + frame + FCS + inter-frame gap.
      this.txNextFree = now + (Math.max(total, 60) + 24) * this.nsPerByte;
    }

    if (rs) {
      const tidv = r[R(E1000_TIDV)];
      if (ide && tidv !== 0) {
        this.tidvTimer!.arm(now + tidv * DELAY_UNIT_NS);
        const tadv = r[R(E1000_TADV)];
        if (tadv !== 0 && !this.tadvTimer!.armed) this.tadvTimer!.arm(now + tadv * DELAY_UNIT_NS);
      } else {
        this.setCause(ICR_TXDW);
      }
    }
    if (h === tdt) this.setCause(ICR_TXQE);
    else this.txTimer!.arm(Math.max(now, this.txNextFree));
  }

  // =====================================================================================================
  // DMA data movement

  private toBus(dma: DmaAccess, addr: number, src: Uint8Array, off: number, len: number): boolean {
    if (this.dmaCopy === 'bulk') return dma.copyToBus(addr, src, off, len);
    if (len === 0) return true;
    if (!writable(dma, addr, len)) return false;
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const o = off + i;
      dma.write32(addr + i, src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24));
    }
    for (; i < len; i++) dma.write8(addr + i, src[off + i]);
    return true;
  }

  private fromBus(dma: DmaAccess, addr: number, dst: Uint8Array, off: number, len: number): boolean {
    if (this.dmaCopy === 'bulk') return dma.copyFromBus(addr, dst, off, len);
    if (!readable(addr)) return false;
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const v = dma.read32(addr + i);
      const o = off + i;
      dst[o] = v;
      dst[o + 1] = v >>> 8;
      dst[o + 2] = v >>> 16;
      dst[o + 3] = v >>> 24;
    }
    for (; i < len; i++) dst[off + i] = dma.read8(addr + i);
    return true;
  }
}

/**
 * Whether `[addr, addr+len)` is host memory we may write: structurally a bus address (never below the
 * first segment, as address 0 — an uninitialised descriptor — is), and both ends answer like memory. A
 * write of 0 then a read back tells: unmapped memory reads all ones (and the host's `DmaSpace` counts a bus
 * error). The probed bytes are about to be overwritten by the frame anyway.
 */
function writable(dma: DmaAccess, addr: number, len: number): boolean {
  if (!(addr >= SEGMENT) || !Number.isSafeInteger(addr)) return false;
  const last = addr + len - 1;
  dma.write8(addr, 0);
  dma.write8(last, 0);
  return dma.read8(addr) === 0 && dma.read8(last) === 0;
}

/** Whether `addr` is structurally a bus address (reads of memory that is not there cannot be told apart). */
function readable(addr: number): boolean {
  return addr >= SEGMENT && Number.isSafeInteger(addr);
}

function inc(r: Uint32Array, i: number): void {
  if (r[i] !== 0xffff_ffff) r[i]++;
}

function add64(r: Uint32Array, lo: number, n: number): void {
  const v = r[lo] + n;
  if (v > 0xffff_ffff) {
    r[lo] = v - 0x1_0000_0000;
    if (r[lo + 1] !== 0xffff_ffff) r[lo + 1]++;
  } else {
    r[lo] = v;
  }
}

function isBroadcast(b: Uint8Array, off: number): boolean {
  return (b[off] & b[off + 1] & b[off + 2] & b[off + 3] & b[off + 4] & b[off + 5]) === 0xff;
}

function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
}

/** Parses `aa:bb:cc:dd:ee:ff`. */
export function parseMac(s: string): Uint8Array {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new RangeError(`not a MAC address: ${JSON.stringify(s)}`);
  }
  return Uint8Array.from(parts, (p) => Number.parseInt(p, 16));
}
