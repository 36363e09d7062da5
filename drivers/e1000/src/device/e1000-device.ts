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
  RXD_ERR_RXE,
  RXD_LENGTH,
  RXD_STAT_DD,
  RXD_STAT_EOP,
  STATUS_FD,
  STATUS_LU,
  STATUS_SPEED_1000,
  TCTL_EN,
  TCTL_PSP,
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
   * `copyToBus`/`copyFromBus` per buffer (also allocation-free, since core's `DmaSpace` copies without
   * creating views; about the same speed — kept for comparison).
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

/** Maximum frame the transmit engine gathers, and the largest receive frame with LPE (bytes). */
const MAX_FRAME = 16384;
/** Bus addresses are numbers: segment i of the host's DmaSpace starts at (i + 1) × 2^32. */
const SEGMENT = 0x1_0000_0000;
/** {@link E1000Device.txGather}: no EOP descriptor yet. */
const TX_INCOMPLETE = -1;
/** {@link E1000Device.txGather}: the packet cannot be sent. */
const TX_BAD = -2;
/** Bus addresses this model accepts in descriptors: segment 1 .. 2^21 (a 53-bit double stays exact). */
const MAX_BUS_ADDR = 0x20_0000 * 0x1_0000_0000;
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
  /** The last packet gathered had a descriptor with RS / its RS descriptor had IDE. */
  private txRs = false;
  private txIde = false;

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

    const errors = this.rxStoreFrame(frame, off, len, strip, need, bufSize, rdh, n);
    if (errors !== 0) st.rxDmaErrors += errors;
    this.rxDone(wireLen, group, bcast, avail, need, n, rctl);
  }

  /**
   * Stores one frame into the receive ring from RDH on — FCS appended unless RCTL.SECRC, a buffer's worth
   * per descriptor, EOP on the last — writes each descriptor back (length; then status, errors, special:
   * the status byte with DD last) and advances RDH. Returns the number of descriptors whose buffer address
   * was implausible (they get RXE and no data).
   *
   * Why one self-contained function with only small-integer arguments: bus addresses (≥ 2^32) are doubles,
   * and V8 boxes a double into a new heap number whenever it passes one to a function it did not inline.
   * Here the few DMA call sites (descriptor read, data words, descriptor write-back) sit in one function
   * that is too big to be inlined into its callers and small enough to inline all of them itself, so
   * receiving a frame allocates nothing. Verified by the driver's allocation test.
   */
  private rxStoreFrame(
    frame: Uint8Array,
    off: number,
    len: number,
    strip: boolean,
    need: number,
    bufSize: number,
    rdh: number,
    n: number,
  ): number {
    const dma = this.dma!;
    const r = this.r;
    let src = frame;
    let base = off;
    let total = len;
    if (!strip) {
      // Keep the CRC: stage the frame and append its FCS, as the MAC received it.
      const b = this.rxbuf;
      for (let i = 0; i < len; i++) b[i] = frame[off + i];
      const fcs = crc32(b, 0, len);
      b[len] = fcs & 0xff;
      b[len + 1] = (fcs >>> 8) & 0xff;
      b[len + 2] = (fcs >>> 16) & 0xff;
      b[len + 3] = fcs >>> 24;
      src = b;
      base = 0;
      total = len + 4;
    }
    const ring = r[R(E1000_RDBAH)] * SEGMENT + r[R(E1000_RDBAL)];
    const bulk = this.dmaCopy === 'bulk';
    let errors = 0;
    let h = rdh;
    let pos = 0;
    for (let k = 0; k < need; k++) {
      const chunk = Math.min(total - pos, bufSize);
      const d = ring + h * DESC_SIZE;
      const buf = dma.read64(d);
      let ok = buf >= SEGMENT && buf < MAX_BUS_ADDR;
      if (ok) {
        const from = base + pos;
        if (bulk) ok = dma.copyToBus(buf, src, from, chunk);
        else {
          // Whole dwords, the last one zero-padded (a chunk ends unaligned only when it is shorter than
          // its buffer, and buffers are multiples of 4 bytes). Memory that is not there is the host's
          // business: its DmaSpace drops the writes and counts bus errors, as after a master abort.
          const end = from + chunk;
          let o = from;
          for (; o + 4 <= end; o += 4) {
            dma.write32(buf + (o - from), src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24));
          }
          if (o < end) {
            const w = src[o] | (o + 1 < end ? src[o + 1] << 8 : 0) | (o + 2 < end ? src[o + 2] << 16 : 0);
            dma.write32(buf + (o - from), w);
          }
        }
      }
      if (!ok) errors++;
      const status = k === need - 1 ? RXD_STAT_DD | RXD_STAT_EOP : RXD_STAT_DD;
      // Bytes 8..15: length, checksum 0, status, errors, special 0 — one 64-bit write.
      dma.write64(d + RXD_LENGTH, chunk + (ok ? status : status | (RXD_ERR_RXE << 8)) * SEGMENT);
      pos += chunk;
      h = h + 1 === n ? 0 : h + 1;
    }
    r[R(E1000_RDH)] = h;
    return errors;
  }

  /** After a frame was stored: statistics, RXDMT0, the receive timers. */
  private rxDone(
    wireLen: number,
    group: boolean,
    bcast: boolean,
    avail: number,
    need: number,
    n: number,
    rctl: number,
  ): void {
    const r = this.r;
    this.stats.rxDelivered++;
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
    if ((r[R(E1000_TCTL)] & TCTL_EN) === 0) return;
    const n = r[R(E1000_TDLEN)] >>> 4;
    const tdh = r[R(E1000_TDH)];
    const tdt = r[R(E1000_TDT)];
    if (n === 0 || tdh === tdt || tdh >= n || tdt >= n) return;
    let total = this.txGather(tdh, tdt, n);
    if (total === TX_INCOMPLETE) return; // the rest of the packet is not there yet: wait for a TDT write
    const buf = this.txbuf;
    const h = r[R(E1000_TDH)];
    const rs = this.txRs;
    const ide = this.txIde;
    const ok = total !== TX_BAD;

    const now = this.clock!.now();
    const st = this.stats;
    if (!ok || total === 0) {
      st.txBad++;
    } else {
      if (total < 60 && (r[R(E1000_TCTL)] & TCTL_PSP) !== 0) {
        // Pad short packets (PSP).
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
      this.txNextFree = Math.ceil(now + (Math.max(total, 60) + 24) * this.nsPerByte);
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

  /**
   * Fetches the descriptors of one packet from TDH, gathers its bytes into the on-chip buffer, writes DD
   * back into the descriptors that asked for it (RS) and advances TDH past the packet. Returns the
   * packet's length, {@link TX_BAD} for a packet that cannot be sent (a DEXT descriptor, an implausible
   * buffer address, longer than 16 KB: its descriptors are completed anyway), or {@link TX_INCOMPLETE}
   * when no EOP descriptor is there yet (nothing consumed). Sets {@link txRs} / {@link txIde}.
   *
   * Self-contained, with only small-integer arguments, for the same reason as {@link rxStoreFrame}.
   */
  private txGather(tdh: number, tdt: number, n: number): number {
    const r = this.r;
    const dma = this.dma!;
    const ring = r[R(E1000_TDBAH)] * SEGMENT + r[R(E1000_TDBAL)];
    const bulk = this.dmaCopy === 'bulk';
    const buf = this.txbuf;
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
      if ((cmd & TXD_CMD_DEXT) !== 0 || total + len > MAX_FRAME) ok = false;
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
    r[R(E1000_TDH)] = h;
    this.txRs = rs;
    this.txIde = ide;
    return ok && total > 0 ? total : TX_BAD;
  }
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

/** Parses `aa:bb:cc:dd:ee:ff`. */
export function parseMac(s: string): Uint8Array {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new RangeError(`not a MAC address: ${JSON.stringify(s)}`);
  }
  return Uint8Array.from(parts, (p) => Number.parseInt(p, 16));
}
