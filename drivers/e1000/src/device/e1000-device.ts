/**
 * The e1000 device model: an Intel 82540EM-like gigabit Ethernet controller, as *hardware*.
 *
 * It follows the 8254x programming model: memory-mapped 32-bit registers at their real offsets (BAR0),
 * legacy 16-byte receive and transmit descriptors in host memory that it reads and writes by DMA only,
 * a level-triggered interrupt line driven by `ICR & IMS`, and the interrupt moderation timers running on
 * the clock. A driver reaches it through `BusSpace` (registers), `DmaSpace` (descriptors and buffers) and
 * its interrupt handler, never by calling these methods itself.
 *
 * This file is the register file and the glue: it decodes each register write when it happens and hands
 * the decoded values to the units — {@link E1000Receiver} (`receiver.ts`), {@link E1000Transmitter}
 * (`transmitter.ts`), {@link E1000Interrupts} (`interrupts.ts`) and the statistics registers
 * (`statistics.ts`) — so that no frame re-reads or re-decodes a register.
 *
 * ## Not modelled
 *
 * The PHY and MDIC, the EEPROM interface (the MAC is given at construction and loaded into RAL0/RAH0 at
 * reset, as the EEPROM would), flow control, VLAN filtering and tag stripping, transmit checksum offload
 * and context descriptors (DEXT: counted as bad descriptors), the packet checksum field of receive
 * descriptors (written 0), the on-chip receive FIFO (a frame without descriptors is missed at once),
 * collisions and half duplex. Unknown register offsets read 0 and ignore writes, counted.
 *
 * @module
 */
import type {
  DeviceBusContext,
  DeviceIdent,
  DeviceModel,
  DeviceRegisters,
  RegisterNames,
  Wire,
  WireEndpoint,
  WiredDevice,
} from '@ifnet/core';
import {
  CTRL_FD,
  CTRL_RST,
  CTRL_SLU,
  E1000_BAR0_SIZE,
  E1000_CTRL,
  E1000_CTRL_EXT,
  E1000_DEV_82540EM,
  E1000_EECD,
  E1000_ICR,
  E1000_ICS,
  E1000_IMC,
  E1000_IMS,
  E1000_ITR,
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
  E1000_RXCSUM,
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
  E1000_VENDOR_INTEL,
  ICR_ALL,
  ICR_LSC,
  RAH_AV,
  RXCSUM_IPOFL,
  RXCSUM_TUOFL,
  STATUS_FD,
  STATUS_LU,
  STATUS_SPEED_1000,
} from '../regs.js';
import { e1000RegisterName } from '../trace.js';
import { E1000Interrupts } from './interrupts.js';
import { E1000Receiver } from './receiver.js';
import { type E1000DeviceStats, E1000StatRegs, newStats } from './statistics.js';
import { E1000Transmitter } from './transmitter.js';

export interface E1000DeviceOptions {
  /** The station address, as the EEPROM would hold it (`02:00:00:00:00:01` or 6 bytes). */
  mac: Uint8Array | string;
  /** Model name for diagnostics. Default `e1000 (82540EM)`. */
  name?: string;
  /** PCI device id. Default 0x100E (82540EM). */
  deviceId?: number;
  /** Link speed used to pace transmission, in bits/s. Default 1 Gb/s. */
  linkSpeed?: number;
}

/** RXCSUM after reset: IP and TCP/UDP checksum offload enabled, PCSS 0. */
const RXCSUM_RESET = RXCSUM_IPOFL | RXCSUM_TUOFL;
/** Register index (offset / 4). */
const R = (off: number) => off >>> 2;
const STATS_START = 0x4000;
const STATS_END = 0x4100;

/** Register offsets stored and read back as plain values (their side effects, if any, in write32). */
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
  E1000_RDTR,
  E1000_RXCSUM,
];

/**
 * An 82540EM-like controller. Plug it into a host (`host.attachDevice(dev)`) and a medium
 * (`cable.connect(dev, peer)` or `sink.attach(dev)`); the driver finds it by its PCI identity.
 */
export class E1000Device implements DeviceModel, DeviceRegisters, WiredDevice, WireEndpoint {
  readonly model: string;
  readonly ident: DeviceIdent;
  readonly bars: readonly DeviceRegisters[];
  /** BAR0's register names, for core's register-access traces (`host.traceRegisters`). */
  readonly registerNames: readonly RegisterNames[] = [e1000RegisterName];
  readonly interruptVectors = 1;
  readonly size = E1000_BAR0_SIZE;
  readonly stats: E1000DeviceStats = newStats();
  /** The station address from the "EEPROM". */
  readonly mac: Uint8Array;
  readonly linkSpeed: number;

  /** The register file: values of the plain registers, RAL/RAH and MTA, as last written. */
  private readonly r = new Uint32Array(E1000_BAR0_SIZE >>> 2);
  /** 1 for register indices that exist (plain or special). */
  private readonly known = new Uint8Array(E1000_BAR0_SIZE >>> 2);
  private readonly statRegs = new E1000StatRegs();
  private readonly irq: E1000Interrupts;
  private readonly rx: E1000Receiver;
  private readonly tx: E1000Transmitter;
  private connected = false;
  private carrierUp = false;
  private linkUp = false;

  constructor(options: E1000DeviceOptions) {
    this.mac = typeof options.mac === 'string' ? parseMac(options.mac) : new Uint8Array(options.mac);
    if (this.mac.length !== 6) throw new RangeError('e1000: MAC address must be 6 bytes');
    this.model = options.name ?? 'e1000 (82540EM)';
    this.ident = { vendor: E1000_VENDOR_INTEL, device: options.deviceId ?? E1000_DEV_82540EM, deviceClass: 'network' };
    this.bars = [this];
    this.linkSpeed = options.linkSpeed ?? 1e9;
    if (!(this.linkSpeed > 0)) throw new RangeError(`e1000: link speed ${this.linkSpeed}`);
    this.irq = new E1000Interrupts(this.stats);
    this.rx = new E1000Receiver(this.stats, this.statRegs, this.irq, this.r);
    this.tx = new E1000Transmitter(this, this.stats, this.statRegs, this.irq, 8e9 / this.linkSpeed);
    const k = this.known;
    for (const off of PLAIN_REGISTERS) k[R(off)] = 1;
    for (const off of [E1000_CTRL, E1000_STATUS, E1000_ICR, E1000_ICS, E1000_IMS, E1000_IMC]) k[R(off)] = 1;
    for (const off of [E1000_RDH, E1000_RDT, E1000_TDH, E1000_TDT]) k[R(off)] = 1;
    for (let i = 0; i < E1000_MTA_COUNT; i++) k[R(E1000_MTA) + i] = 1;
    for (let i = 0; i < E1000_RA_COUNT; i++) {
      k[R(E1000_RAL(i))] = 1;
      k[R(E1000_RAH(i))] = 1;
    }
    for (let off = STATS_START; off < STATS_END; off += 4) k[R(off)] = 1; // clear on read; unkept ones read 0
    this.resetRegisters();
  }

  // =====================================================================================================
  // Bus side

  connect(ctx: DeviceBusContext): void {
    if (this.connected) throw new Error(`${this.model}: already connected to a bus`);
    if (ctx.irqs.length < 1) throw new Error(`${this.model}: needs one interrupt line`);
    this.connected = true;
    this.irq.connect(ctx.clock, ctx.irqs[0]);
    this.rx.connect(ctx.dma);
    this.tx.connect(ctx.clock, ctx.dma);
    this.reset();
  }

  // =====================================================================================================
  // Wire side

  attachWire(wire: Wire): WireEndpoint {
    this.tx.wire = wire;
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
    this.rx.receive(frame, off, len);
  }

  // =====================================================================================================
  // Registers (DeviceRegisters)

  read32(offset: number): number {
    switch (offset) {
      case E1000_CTRL:
        return this.r[R(offset)] & ~CTRL_RST;
      case E1000_STATUS:
        return this.status();
      case E1000_ICR:
        return this.irq.readAndClear();
      case E1000_IMS:
        return this.irq.ims;
      case E1000_ICS:
      case E1000_IMC:
        return 0; // write-only
      case E1000_RDH:
        return this.rx.rdh;
      case E1000_RDT:
        return this.rx.rdt;
      case E1000_TDH:
        return this.tx.tdh;
      case E1000_TDT:
        return this.tx.tdt;
    }
    if (offset >= STATS_START && offset < STATS_END && (offset & 3) === 0) return this.statRegs.read(offset);
    if (offset >= 0 && offset < E1000_BAR0_SIZE && (offset & 3) === 0 && this.known[R(offset)] === 1) {
      return this.r[R(offset)];
    }
    this.stats.regUnknownReads++;
    return 0;
  }

  write32(offset: number, value: number): void {
    const r = this.r;
    const i = R(offset);
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
        this.irq.icr &= ~v;
        this.irq.update();
        return;
      case E1000_ICS:
        this.irq.setCause(v & ICR_ALL);
        return;
      case E1000_IMS:
        this.irq.ims |= v & ICR_ALL;
        this.irq.update();
        return;
      case E1000_IMC:
        this.irq.ims &= ~v;
        this.irq.update();
        return;
      case E1000_ITR:
        r[i] = v & 0xffff;
        this.irq.setItr(r[i]);
        return;
      case E1000_RADV:
        r[i] = v & 0xffff;
        this.irq.setRadv(r[i]);
        return;
      case E1000_TIDV:
        r[i] = v & 0xffff;
        this.irq.setTidv(r[i]);
        return;
      case E1000_TADV:
        r[i] = v & 0xffff;
        this.irq.setTadv(r[i]);
        return;
      case E1000_RDTR:
        r[i] = v & 0xffff;
        // FPD: flush partial descriptor block — a pending receive timer fires now.
        this.irq.setRdtr(r[i], (v & 0x8000_0000) !== 0);
        return;
      case E1000_RCTL:
        r[i] = v;
        this.rx.setRctl(v);
        return;
      case E1000_RXCSUM:
        r[i] = v & 0x3ff;
        this.rx.setRxcsum(r[i]);
        return;
      case E1000_RDBAL:
      case E1000_RDBAH:
        r[i] = offset === E1000_RDBAL ? v & ~0xf : v; // 16-byte aligned
        this.rx.setBase(r[R(E1000_RDBAL)], r[R(E1000_RDBAH)]);
        return;
      case E1000_TDBAL:
      case E1000_TDBAH:
        r[i] = offset === E1000_TDBAL ? v & ~0xf : v;
        this.tx.setBase(r[R(E1000_TDBAL)], r[R(E1000_TDBAH)]);
        return;
      case E1000_RDLEN:
        r[i] = v & 0x000f_ff80;
        this.rx.setRingSize(r[i] >>> 4);
        return;
      case E1000_TDLEN:
        r[i] = v & 0x000f_ff80;
        this.tx.setRingSize(r[i] >>> 4);
        return;
      case E1000_RDH:
        if (this.indexOk(v, this.rx.ring.size)) this.rx.rdh = v;
        return;
      case E1000_RDT:
        if (this.indexOk(v, this.rx.ring.size)) this.rx.rdt = v;
        return;
      case E1000_TDH:
        if (this.indexOk(v, this.tx.ring.size)) this.tx.tdh = v;
        return;
      case E1000_TDT:
        if (this.indexOk(v, this.tx.ring.size)) this.tx.tdt = v;
        this.tx.kick();
        return;
      case E1000_TCTL:
        r[i] = v;
        this.tx.setTctl(v);
        return;
    }
    if (offset >= STATS_START && offset < STATS_END) {
      this.stats.regBadWrites++; // statistics are read-only
      return;
    }
    if (offset >= E1000_RAL(0) && offset < E1000_RAL(E1000_RA_COUNT) && (offset & 3) === 0) {
      r[i] = (offset & 7) === 4 ? v & 0x8003_ffff : v; // RAH: address bytes 4..5, AS, AV
      this.rx.setReceiveAddresses();
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

  /** A register's value without read side effects (for narrow reads and diagnostics; statistics read 0). */
  peek(offset: number): number {
    switch (offset) {
      case E1000_STATUS:
        return this.status();
      case E1000_ICR:
        return this.irq.icr;
      case E1000_IMS:
        return this.irq.ims;
      case E1000_RDH:
        return this.rx.rdh;
      case E1000_RDT:
        return this.rx.rdt;
      case E1000_TDH:
        return this.tx.tdh;
      case E1000_TDT:
        return this.tx.tdt;
    }
    if (offset >= STATS_START && offset < STATS_END) return 0;
    const i = R(offset);
    return offset >= 0 && offset < E1000_BAR0_SIZE && this.known[i] === 1 ? this.r[i] : 0;
  }

  /** Ring index registers: values beyond the ring are ignored (counted). */
  private indexOk(v: number, ringSize: number): boolean {
    if (v > 0xffff || (ringSize > 0 && v >= ringSize)) {
      this.stats.regBadWrites++;
      return false;
    }
    return true;
  }

  private status(): number {
    return STATUS_FD | STATUS_SPEED_1000 | (this.linkUp ? STATUS_LU : 0);
  }

  // =====================================================================================================
  // Reset and link

  private resetRegisters(): void {
    const r = this.r;
    r.fill(0);
    r[R(E1000_CTRL)] = CTRL_FD;
    r[R(E1000_PBA)] = 0x0030; // 48 KB receive, 16 KB transmit
    r[R(E1000_RXCSUM)] = RXCSUM_RESET;
    const m = this.mac;
    r[R(E1000_RAL(0))] = (m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)) >>> 0;
    r[R(E1000_RAH(0))] = (m[4] | (m[5] << 8) | RAH_AV) >>> 0;
    this.statRegs.reset();
    this.irq.reset();
    this.rx.reset(RXCSUM_RESET);
    this.tx.reset();
  }

  /** CTRL.RST: back to power-on state, MAC reloaded from the EEPROM, link down until SLU. */
  private reset(): void {
    this.stats.resets++;
    this.resetRegisters();
    this.setLink(false);
  }

  private updateLink(): void {
    const up = this.carrierUp && (this.r[R(E1000_CTRL)] & CTRL_SLU) !== 0;
    if (up === this.linkUp) return;
    this.setLink(up);
    if (this.connected) this.irq.setCause(ICR_LSC);
  }

  private setLink(up: boolean): void {
    this.linkUp = up;
    this.rx.linkUp = up && this.connected;
    this.tx.linkUp = up;
  }
}

/** Parses `aa:bb:cc:dd:ee:ff`. */
export function parseMac(s: string): Uint8Array {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new RangeError(`not a MAC address: ${JSON.stringify(s)}`);
  }
  return Uint8Array.from(parts, (p) => Number.parseInt(p, 16));
}
