/**
 * The vnic device model: *hardware*. A small virtio-net-like NIC with one receive and one transmit
 * descriptor ring in host memory, a read-to-clear interrupt cause register and one interrupt line.
 *
 * It acts on its own, as hardware does: a frame from the wire is filtered (station address, broadcast,
 * ALLMULTI, PROMISC), copied by DMA into the buffer of the next receive descriptor the driver gave it,
 * and the descriptor is marked done; with no free descriptor the frame is *missed* (counted in MISSED,
 * cause RXO). A write to TX_TAIL makes it send every descriptor up to the tail at once (DMA read, then
 * onto the wire) and mark them done. It never trusts the driver either: bad ring addresses are DMA bus
 * errors (counted by the DMA space), bad sizes are ignored.
 *
 * The driver never calls any method here: it reaches the device through the register window
 * ({@link VnicDevice.bars}), DMA memory and the interrupt line the host's bus wires up.
 *
 * @module
 */
import type {
  DeviceBusContext,
  DeviceModel,
  DeviceRegisters,
  DmaAccess,
  InterruptLine,
  Wire,
  WireEndpoint,
  WiredDevice,
} from '@ifnet/core';
import {
  CTRL_ALLMULTI,
  CTRL_BCAST,
  CTRL_PROMISC,
  CTRL_RESET,
  CTRL_RX_EN,
  CTRL_TX_EN,
  DESC_ADDR,
  DESC_DONE,
  DESC_FLAGS,
  DESC_LEN,
  DESC_SIZE,
  INT_LINK,
  INT_RX,
  INT_RXO,
  INT_TX,
  STATUS_LINK,
  VNIC_CTRL,
  VNIC_DEVICE,
  VNIC_IMC,
  VNIC_IMS,
  VNIC_ISR,
  VNIC_MAC_HI,
  VNIC_MAC_LO,
  VNIC_MISSED,
  VNIC_REG_SIZE,
  VNIC_RX_BASE_HI,
  VNIC_RX_BASE_LO,
  VNIC_RX_ERRORS,
  VNIC_RX_HEAD,
  VNIC_RX_SIZE,
  VNIC_RX_TAIL,
  VNIC_STATUS,
  VNIC_TX_BASE_HI,
  VNIC_TX_BASE_LO,
  VNIC_TX_HEAD,
  VNIC_TX_SIZE,
  VNIC_TX_TAIL,
  VNIC_VENDOR,
} from '../regs.js';

const SEG = 0x1_0000_0000;

export interface VnicDeviceOptions {
  /** Station address in the EEPROM, `aa:bb:cc:dd:ee:ff`. */
  mac: string;
}

/** One descriptor ring as the device sees it. */
class Ring {
  base = 0;
  size = 0;
  head = 0;
  tail = 0;
  reset(): void {
    this.base = 0;
    this.size = 0;
    this.head = 0;
    this.tail = 0;
  }
}

export class VnicDevice implements DeviceModel, DeviceRegisters, WiredDevice, WireEndpoint {
  readonly model = 'vnic (ifnet example NIC)';
  readonly ident = { vendor: VNIC_VENDOR, device: VNIC_DEVICE, deviceClass: 'network' };
  readonly bars: readonly DeviceRegisters[] = [this];
  readonly interruptVectors = 1;
  readonly size = VNIC_REG_SIZE;
  /** Device-side counters (what a register dump or `ethtool -S` would show). */
  readonly stats = { rxFrames: 0, rxFiltered: 0, rxMissed: 0, rxTooLong: 0, txFrames: 0, txRefused: 0 };

  private readonly eeprom: Uint8Array;
  private readonly mac = new Uint8Array(6);
  private ctrl = 0;
  private isr = 0;
  private ims = 0;
  private missed = 0;
  private rxErrors = 0;
  private link = false;
  private readonly rx = new Ring();
  private readonly tx = new Ring();
  /** Transmit staging buffer (the device's FIFO): frames leave from here, so the wire never sees host memory. */
  private readonly txBuf = new Uint8Array(16384);
  private dma: DmaAccess | undefined;
  private line: InterruptLine | undefined;
  private wire: Wire | undefined;

  constructor(options: VnicDeviceOptions) {
    this.eeprom = Uint8Array.from(options.mac.split(':'), (x) => Number.parseInt(x, 16));
    if (this.eeprom.length !== 6 || this.eeprom.some((b) => Number.isNaN(b))) {
      throw new RangeError(`vnic: bad MAC '${options.mac}'`);
    }
    this.reset();
  }

  // ---- the bus side -----------------------------------------------------------------------------

  connect(ctx: DeviceBusContext): void {
    this.dma = ctx.dma;
    this.line = ctx.irqs[0];
  }

  private reset(): void {
    this.ctrl = 0;
    this.isr = 0;
    this.ims = 0;
    this.rx.reset();
    this.tx.reset();
    this.mac.set(this.eeprom);
    this.updateLine();
  }

  private raise(cause: number): void {
    this.isr |= cause;
    this.updateLine();
  }

  /** The line is high while an enabled cause is pending (level-triggered, like PCI INTx). */
  private updateLine(): void {
    if ((this.isr & this.ims) !== 0) this.line?.assert();
    else this.line?.deassert();
  }

  read8(): number {
    return 0xff;
  }
  read16(): number {
    return 0xffff;
  }
  write8(): void {}
  write16(): void {}

  read32(off: number): number {
    switch (off) {
      case VNIC_CTRL:
        return this.ctrl;
      case VNIC_STATUS:
        return this.link ? STATUS_LINK : 0;
      case VNIC_ISR: {
        const v = this.isr;
        this.isr = 0;
        this.updateLine();
        return v;
      }
      case VNIC_IMS:
        return this.ims;
      case VNIC_MAC_LO:
        return (this.mac[0] | (this.mac[1] << 8) | (this.mac[2] << 16) | (this.mac[3] << 24)) >>> 0;
      case VNIC_MAC_HI:
        return this.mac[4] | (this.mac[5] << 8);
      case VNIC_RX_BASE_LO:
        return this.rx.base % SEG;
      case VNIC_RX_BASE_HI:
        return Math.floor(this.rx.base / SEG);
      case VNIC_RX_SIZE:
        return this.rx.size;
      case VNIC_RX_TAIL:
        return this.rx.tail;
      case VNIC_RX_HEAD:
        return this.rx.head;
      case VNIC_TX_BASE_LO:
        return this.tx.base % SEG;
      case VNIC_TX_BASE_HI:
        return Math.floor(this.tx.base / SEG);
      case VNIC_TX_SIZE:
        return this.tx.size;
      case VNIC_TX_TAIL:
        return this.tx.tail;
      case VNIC_TX_HEAD:
        return this.tx.head;
      case VNIC_MISSED: {
        const v = this.missed;
        this.missed = 0;
        return v;
      }
      case VNIC_RX_ERRORS: {
        const v = this.rxErrors;
        this.rxErrors = 0;
        return v;
      }
      default:
        return 0;
    }
  }

  write32(off: number, v: number): void {
    switch (off) {
      case VNIC_CTRL:
        if ((v & CTRL_RESET) !== 0) {
          this.reset();
          return;
        }
        this.ctrl = v;
        if ((v & CTRL_TX_EN) !== 0) this.transmit();
        return;
      case VNIC_IMS:
        this.ims |= v;
        this.updateLine();
        return;
      case VNIC_IMC:
        this.ims &= ~v;
        this.updateLine();
        return;
      case VNIC_MAC_LO:
        this.mac[0] = v & 0xff;
        this.mac[1] = (v >>> 8) & 0xff;
        this.mac[2] = (v >>> 16) & 0xff;
        this.mac[3] = v >>> 24;
        return;
      case VNIC_MAC_HI:
        this.mac[4] = v & 0xff;
        this.mac[5] = (v >>> 8) & 0xff;
        return;
      case VNIC_RX_BASE_LO:
        this.rx.base = Math.floor(this.rx.base / SEG) * SEG + v;
        return;
      case VNIC_RX_BASE_HI:
        this.rx.base = v * SEG + (this.rx.base % SEG);
        return;
      case VNIC_RX_SIZE:
        if (ringSizeOk(v)) {
          this.rx.size = v;
          this.rx.head = this.rx.tail = 0;
        }
        return;
      case VNIC_RX_TAIL:
        if (v < this.rx.size) this.rx.tail = v;
        return;
      case VNIC_TX_BASE_LO:
        this.tx.base = Math.floor(this.tx.base / SEG) * SEG + v;
        return;
      case VNIC_TX_BASE_HI:
        this.tx.base = v * SEG + (this.tx.base % SEG);
        return;
      case VNIC_TX_SIZE:
        if (ringSizeOk(v)) {
          this.tx.size = v;
          this.tx.head = this.tx.tail = 0;
        }
        return;
      case VNIC_TX_TAIL:
        if (v < this.tx.size) {
          this.tx.tail = v;
          this.transmit();
        }
        return;
    }
  }

  // ---- transmit: descriptors [head, tail) go out at once ----------------------------------------

  private transmit(): void {
    const dma = this.dma;
    const tx = this.tx;
    if (dma === undefined || (this.ctrl & CTRL_TX_EN) === 0 || tx.size === 0) return;
    let done = 0;
    while (tx.head !== tx.tail) {
      const d = tx.base + tx.head * DESC_SIZE;
      const len = dma.read16(d + DESC_LEN);
      const addr = dma.read64(d + DESC_ADDR);
      if (len > 0 && len <= this.txBuf.length && dma.copyFromBus(addr, this.txBuf, 0, len)) {
        if (this.link && this.wire?.transmit(this, this.txBuf, 0, len)) this.stats.txFrames++;
        else this.stats.txRefused++;
      }
      dma.write16(d + DESC_FLAGS, DESC_DONE);
      tx.head = (tx.head + 1) & (tx.size - 1);
      done++;
    }
    if (done > 0) this.raise(INT_TX);
  }

  // ---- the wire side ----------------------------------------------------------------------------

  attachWire(wire: Wire): WireEndpoint {
    this.wire = wire;
    this.wireCarrier(wire.carrier(this));
    return this;
  }

  wireCarrier(up: boolean): void {
    if (up === this.link) return;
    this.link = up;
    this.raise(INT_LINK);
  }

  wireReceive(frame: Uint8Array, off: number, len: number): void {
    if ((this.ctrl & CTRL_RX_EN) === 0 || len < 14) return;
    if (!this.accepts(frame, off)) {
      this.stats.rxFiltered++;
      return;
    }
    const rx = this.rx;
    const dma = this.dma!;
    if (rx.head === rx.tail) {
      this.missed++;
      this.stats.rxMissed++;
      this.raise(INT_RXO);
      return;
    }
    const d = rx.base + rx.head * DESC_SIZE;
    if (len > dma.read16(d + DESC_LEN)) {
      this.rxErrors++;
      this.stats.rxTooLong++;
      return;
    }
    dma.copyToBus(dma.read64(d + DESC_ADDR), frame, off, len);
    dma.write16(d + DESC_LEN, len);
    dma.write16(d + DESC_FLAGS, DESC_DONE);
    rx.head = (rx.head + 1) & (rx.size - 1);
    this.stats.rxFrames++;
    this.raise(INT_RX);
  }

  /** The receive filter: our address, broadcast (BCAST), any group (ALLMULTI), anything (PROMISC). */
  private accepts(f: Uint8Array, o: number): boolean {
    const c = this.ctrl;
    if ((c & CTRL_PROMISC) !== 0) return true;
    if ((f[o] & 1) !== 0) {
      const bcast = (f[o] & f[o + 1] & f[o + 2] & f[o + 3] & f[o + 4] & f[o + 5]) === 0xff;
      return bcast ? (c & CTRL_BCAST) !== 0 : (c & CTRL_ALLMULTI) !== 0;
    }
    const m = this.mac;
    return (
      f[o] === m[0] &&
      f[o + 1] === m[1] &&
      f[o + 2] === m[2] &&
      f[o + 3] === m[3] &&
      f[o + 4] === m[4] &&
      f[o + 5] === m[5]
    );
  }
}

function ringSizeOk(n: number): boolean {
  return n >= 8 && n <= 1024 && (n & (n - 1)) === 0;
}
