/**
 * The EHEA-like device model: a multi-queue Ethernet port with receive-side scaling, as *hardware*.
 *
 * ## Port resources
 *
 * The port has N port resources (1..16, fixed at construction: `queues`), each with a receive queue and
 * a send queue of 16-byte WQEs, a completion queue of 16-byte entries and an event queue of 8-byte
 * entries, all rings in host memory, and its own interrupt line (MSI-X-like). The driver programs the
 * rings' bases and sizes, enables the resource (Q_CTRL.EN), and from then on talks to it only through
 * doorbells that add credits (see `regs.ts`). `NQUEUES` says how many of them receive steered frames.
 *
 * ## Receive
 *
 * A frame from the wire is checked (receiver on, link up, 60..1514 bytes, 1518 with an 802.1Q tag),
 * filtered (own address, broadcast with BAM, any group with MPE, anything with UPE), then *steered*:
 * broadcasts and frames RSS does not hash (non-IPv4) go to resource 0; otherwise the Toeplitz hash of the
 * IPv4 addresses (plus the TCP/UDP ports of unfragmented datagrams, when enabled in RSS_CTRL) under the
 * programmable 40-byte key picks entry `hash & 127` of the 128-entry indirection table, which names the
 * resource. If that resource has no receive credit or no free completion entry, the frame is **missed**
 * there — dropped in the device and counted per resource (Q_MISSED, and an ERRORS event when the counter
 * leaves 0). Otherwise it is written into the next receive buffer and a completion entry carrying length,
 * buffer index, hash, hash type, resource and flags is written with the current phase in its valid bit,
 * the status word last. If the CQ was armed, the arm is consumed and an event entry is written: the
 * resource's line rises.
 *
 * ## Transmit
 *
 * Send-queue doorbells start the transmitter, which serves the send queues round-robin, one packet at a
 * time at the link speed: it gathers the WQEs of a packet up to EOP, pads it to 60 bytes, puts it on the
 * wire and, when the packet's last WQE asks for it (SIGNAL), writes a transmit completion into that
 * resource's CQ — waiting, if the CQ is full, until the driver returns completion credits.
 *
 * ## Not modelled
 *
 * Real eHEA's firmware (hypervisor) calls, memory regions and queue-pair states, its three receive
 * queues per queue pair by packet size, VLAN filtering and tag handling, checksum and segmentation
 * offload, IPv6 hashing, jumbo frames, flow control, the per-CQ N1/EP bits' finer semantics. Unknown
 * offsets read 0 and ignore writes; bad values are ignored; all counted, never an exception.
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
  DmaMap,
  Wire,
  WireEndpoint,
  WiredDevice,
} from '@ifnet/core';
import { parseLinkAddress } from '@ifnet/core';
import {
  CQE_ERR_DMA,
  CQE_ERR_LENGTH,
  CQE_F_BCAST,
  CQE_F_MCAST,
  CQE_SIZE,
  CTRL_BAM,
  CTRL_LINK,
  CTRL_MPE,
  CTRL_RST,
  CTRL_RXEN,
  CTRL_TXEN,
  CTRL_UPE,
  EHEA_BAR0_SIZE,
  EHEA_CTRL,
  EHEA_DEVICE_ID,
  EHEA_ERR_OVERSIZE,
  EHEA_ERR_RUNT,
  EHEA_ID,
  EHEA_ID_VALUE,
  EHEA_MAC_HI,
  EHEA_MAC_LO,
  EHEA_MAX_FRAME,
  EHEA_MAXQ,
  EHEA_MAX_QUEUES,
  EHEA_NQUEUES,
  EHEA_Q_BASE,
  EHEA_Q_STRIDE,
  EHEA_RETA,
  EHEA_RETA_ENTRIES,
  EHEA_RSS_CTRL,
  EHEA_RSS_KEY,
  EHEA_RSS_KEY_BYTES,
  EHEA_STATUS,
  EHEA_VENDOR_IBM,
  EQE_SIZE,
  EQE_T_ERRORS,
  EQE_T_LINK,
  HASH_NONE,
  Q_MISSED,
  RING_MAX,
  RSS_ENABLE,
  STATUS_LU,
  WQE_ADDR,
  WQE_LENGTH,
  WQE_SIZE,
} from '../regs.js';
import { RssClassifier } from '../rss/classify.js';
import { RSS_DEFAULT_KEY, ToeplitzHasher } from '../rss/toeplitz.js';
import { getU16, getU32 } from './le.js';
import { readPortRegister, type RegisterErrorCounts, writePortRegister } from './port-registers.js';
import { PortResource } from './port-resource.js';
import { EheaTransmitter, type TransmitStats } from './transmitter.js';

export interface EheaDeviceOptions {
  /** The station address, as the "EEPROM" holds it (`02:00:00:00:00:01` or 6 bytes). */
  mac: Uint8Array | string;
  /** Port resources (interrupt vectors) the device has, 1..16. Default 16. */
  queues?: number;
  /** Model name for diagnostics. Default `ehea`. */
  name?: string;
  /** Link speed used to pace transmission, bits/s. Default 10 Gb/s (eHEA's 10G ports). */
  linkSpeed?: number;
}

/**
 * The model's own counters. Every frame that reached the port is in exactly one outcome:
 * `rxFrames = rxDelivered + rxMissed + rxFiltered + rxUndersize + rxOversize + rxDisabled + rxNoLink`;
 * per resource, `rxSteered = rxDelivered + rxMissed` (see {@link EheaDevice.queues}).
 */
export interface EheaDeviceStats extends TransmitStats, RegisterErrorCounts {
  rxFrames: number;
  /** Written into a receive buffer (with a completion entry; `rxDmaErrors` and `rxTooLong` among them). */
  rxDelivered: number;
  /** Dropped at their port resource (no buffer, CQ full, resource off). */
  rxMissed: number;
  rxFiltered: number;
  rxUndersize: number;
  rxOversize: number;
  rxDisabled: number;
  rxNoLink: number;
  /** Completion with an error: the buffer address was implausible. */
  rxDmaErrors: number;
  /** Completion with an error: the frame was longer than the posted buffer. */
  rxTooLong: number;
  /** Frames hashed by RSS (the others went to resource 0). */
  rxHashed: number;
  /** Indirection-table entries naming a resource at or above NQUEUES (steered to 0 instead). */
  rssBadEntry: number;
  regBadWidth: number;
  resets: number;
}

function newStats(): EheaDeviceStats {
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
    rxTooLong: 0,
    rxHashed: 0,
    rssBadEntry: 0,
    txFrames: 0,
    txBytes: 0,
    txRefused: 0,
    txBad: 0,
    regUnknownReads: 0,
    regUnknownWrites: 0,
    regBadWidth: 0,
    regBadWrites: 0,
    resets: 0,
  };
}

/**
 * An EHEA-like port. Plug it into a host (`host.attachDevice(dev)`) and a medium (`cable.connect(dev,
 * peer)`); the driver finds it by its identity (1014:0EEA).
 */
export class EheaDevice implements DeviceModel, DeviceRegisters, WiredDevice, WireEndpoint {
  readonly model: string;
  readonly ident: DeviceIdent;
  readonly bars: readonly DeviceRegisters[];
  readonly interruptVectors: number;
  readonly size = EHEA_BAR0_SIZE;
  readonly stats: EheaDeviceStats = newStats();
  readonly mac: Uint8Array;
  readonly linkSpeed: number;
  /** The port resources (hardware state and per-resource counters). */
  readonly queues: readonly PortResource[];

  private ctrl = 0;
  private nqueues = 1;
  private macLo = 0;
  private macHi = 0;
  private rssCtrl = 0;
  private errOversize = 0;
  private errRunt = 0;
  private readonly key = new Uint8Array(EHEA_RSS_KEY_BYTES);
  private keyDirty = true;
  private readonly reta = new Uint8Array(EHEA_RETA_ENTRIES);
  private readonly classifier = new RssClassifier(new ToeplitzHasher(RSS_DEFAULT_KEY));
  private clock: Clock | null = null;
  private dma: DmaAccess | null = null;
  /** The receive buffer being written: loaded from a WQE's address halves, per frame. */
  private rxMap: DmaMap | null = null;
  private tx: EheaTransmitter | null = null;
  /** Starts the transmitter (a send doorbell, completion credits). */
  private readonly kickTx = (): void => this.tx?.kick();
  private wire: Wire | null = null;
  private carrierUp = false;
  private linkUp = false;
  private readonly nsPerByte: number;

  constructor(options: EheaDeviceOptions) {
    this.mac = typeof options.mac === 'string' ? parseLinkAddress(options.mac) : new Uint8Array(options.mac);
    if (this.mac.length !== 6) throw new RangeError('ehea: MAC address must be 6 bytes');
    const n = options.queues ?? EHEA_MAX_QUEUES;
    if (!Number.isInteger(n) || n < 1 || n > EHEA_MAX_QUEUES) {
      throw new RangeError(`ehea: queues must be 1..${EHEA_MAX_QUEUES}, got ${n}`);
    }
    this.interruptVectors = n;
    this.queues = Array.from({ length: n }, (_, i) => new PortResource(i));
    this.model = options.name ?? 'ehea';
    this.ident = { vendor: EHEA_VENDOR_IBM, device: EHEA_DEVICE_ID, deviceClass: 'network' };
    this.bars = [this];
    this.linkSpeed = options.linkSpeed ?? 10e9;
    if (!(this.linkSpeed > 0)) throw new RangeError(`ehea: link speed ${this.linkSpeed}`);
    this.nsPerByte = 8e9 / this.linkSpeed;
    this.resetRegisters();
  }

  // =====================================================================================================
  // Bus side

  connect(ctx: DeviceBusContext): void {
    if (this.clock !== null) throw new Error(`${this.model}: already connected to a bus`);
    if (ctx.irqs.length < this.queues.length) {
      throw new Error(`${this.model}: needs ${this.queues.length} interrupt lines, got ${ctx.irqs.length}`);
    }
    this.clock = ctx.clock;
    this.dma = ctx.dma;
    const dma = ctx.dma;
    for (const pr of this.queues) {
      pr.line = ctx.irqs[pr.index];
      pr.rqMap = dma.createMap(`${this.model}.q${pr.index}.rq`, RING_MAX * WQE_SIZE);
      pr.sqMap = dma.createMap(`${this.model}.q${pr.index}.sq`, RING_MAX * WQE_SIZE);
      pr.cqMap = dma.createMap(`${this.model}.q${pr.index}.cq`, RING_MAX * CQE_SIZE);
      pr.eqMap = dma.createMap(`${this.model}.q${pr.index}.eq`, RING_MAX * EQE_SIZE);
    }
    this.rxMap = dma.createMap(`${this.model}.rx`, 0xffff);
    const device = this;
    this.tx = new EheaTransmitter(
      this.model,
      ctx.clock,
      dma,
      this.queues,
      {
        get txEnabled() {
          return (device.ctrl & CTRL_TXEN) !== 0;
        },
        send: (buf, len) => this.linkUp && this.wire?.transmit(this, buf, 0, len) === true,
      },
      this.stats,
      this.nsPerByte,
    );
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
    st.rxFrames++;
    if (this.dma === null || !this.linkUp) {
      st.rxNoLink++;
      return;
    }
    const ctrl = this.ctrl;
    if ((ctrl & CTRL_RXEN) === 0) {
      st.rxDisabled++;
      return;
    }
    if (len < 60) {
      st.rxUndersize++;
      if (this.errRunt++ === 0) this.queues[0].notify(EQE_T_ERRORS);
      return;
    }
    const tagged = frame[off + 12] === 0x81 && frame[off + 13] === 0x00;
    if (len > (tagged ? EHEA_MAX_FRAME : EHEA_MAX_FRAME - 4)) {
      st.rxOversize++;
      if (this.errOversize++ === 0) this.queues[0].notify(EQE_T_ERRORS);
      return;
    }
    const group = (frame[off] & 1) !== 0;
    const bcast =
      group &&
      (frame[off] & frame[off + 1] & frame[off + 2] & frame[off + 3] & frame[off + 4] & frame[off + 5]) === 0xff;
    if (!this.accept(frame, off, ctrl, group, bcast)) {
      st.rxFiltered++;
      return;
    }

    // Steering: broadcasts and unhashed frames to resource 0, the rest through the indirection table.
    let q = 0;
    let type = HASH_NONE;
    const rss = this.rssCtrl;
    if (!bcast && (rss & RSS_ENABLE) !== 0) {
      if (this.keyDirty) {
        this.classifier.hasher.setKey(this.key);
        this.keyDirty = false;
      }
      type = this.classifier.classify(frame, off, len, rss);
      if (type !== HASH_NONE) {
        st.rxHashed++;
        q = this.reta[this.classifier.hash & (EHEA_RETA_ENTRIES - 1)];
        if (q >= this.nqueues) {
          st.rssBadEntry++;
          q = 0;
        }
      }
    }
    const pr = this.queues[q];
    pr.stats.rxSteered++;
    if (!pr.enabled || pr.rqCredits === 0 || pr.cqFree === 0) {
      st.rxMissed++;
      pr.stats.rxMissed++;
      if (pr.missed !== 0xffff_ffff && pr.missed++ === 0) pr.notify(EQE_T_ERRORS);
      return;
    }
    const flags = bcast ? CQE_F_BCAST : group ? CQE_F_MCAST : 0;
    const err = this.rxStore(pr, frame, off, len);
    if (err === CQE_ERR_DMA) st.rxDmaErrors++;
    else if (err === CQE_ERR_LENGTH) st.rxTooLong++;
    st.rxDelivered++;
    pr.stats.rxDelivered++;
    // The hash goes on as two 16-bit halves, read from the classifier's field: a uint32 held in a local
    // or passed whole to a call would be boxed into a heap number whenever it exceeds 2^30.
    const c = this.classifier;
    pr.complete(
      err === 0 ? len : 0,
      (pr.rqHead - 1) & (pr.rqSize - 1),
      type,
      err,
      flags,
      c.hash & 0xffff,
      c.hash >>> 16,
    );
  }

  /** The receive address filter. */
  private accept(frame: Uint8Array, off: number, ctrl: number, group: boolean, bcast: boolean): boolean {
    if (group) {
      if ((ctrl & CTRL_MPE) !== 0) return true;
      return bcast && (ctrl & CTRL_BAM) !== 0;
    }
    if ((ctrl & CTRL_UPE) !== 0) return true;
    const lo = (frame[off] | (frame[off + 1] << 8) | (frame[off + 2] << 16) | (frame[off + 3] << 24)) >>> 0;
    const hi = frame[off + 4] | (frame[off + 5] << 8);
    return lo === this.macLo && hi === this.macHi;
  }

  /**
   * Writes the frame into the next receive buffer of `pr` and consumes the WQE. Returns 0 or a `CQE_ERR_*`.
   * The WQE's address halves stay small integers: the buffer is resolved through {@link rxMap} (bounds
   * checked once) and the frame copied in with one `copyIn` — no bus address ever becomes a double.
   */
  private rxStore(pr: PortResource, frame: Uint8Array, off: number, len: number): number {
    const ring = pr.rqMap!;
    const a = ring.segArena[0];
    const w = ring.segOff[0] + pr.rqHead * WQE_SIZE;
    const lo = getU32(a, w + WQE_ADDR);
    const hi = getU32(a, w + WQE_ADDR + 4);
    const blen = getU16(a, w + WQE_LENGTH);
    pr.rqHead = (pr.rqHead + 1) & (pr.rqSize - 1);
    pr.rqCredits--;
    if (len > blen) return CQE_ERR_LENGTH;
    const map = this.rxMap!;
    if (!map.loadAddr(hi, lo, len) || !map.copyIn(0, frame, off, len)) return CQE_ERR_DMA;
    return 0;
  }

  // =====================================================================================================
  // Registers (DeviceRegisters)

  read32(offset: number): number {
    if (offset >= EHEA_Q_BASE && offset < EHEA_Q_BASE + this.queues.length * EHEA_Q_STRIDE && (offset & 3) === 0) {
      return readPortRegister(this.queues[(offset - EHEA_Q_BASE) >>> 7], offset & (EHEA_Q_STRIDE - 1), this.stats);
    }
    switch (offset) {
      case EHEA_ID:
        return EHEA_ID_VALUE;
      case EHEA_CTRL:
        return this.ctrl;
      case EHEA_STATUS:
        return this.linkUp ? STATUS_LU : 0;
      case EHEA_NQUEUES:
        return this.nqueues;
      case EHEA_MAXQ:
        return this.queues.length;
      case EHEA_MAC_LO:
        return this.macLo;
      case EHEA_MAC_HI:
        return this.macHi;
      case EHEA_RSS_CTRL:
        return this.rssCtrl;
      case EHEA_ERR_OVERSIZE: {
        const v = this.errOversize;
        this.errOversize = 0;
        return v;
      }
      case EHEA_ERR_RUNT: {
        const v = this.errRunt;
        this.errRunt = 0;
        return v;
      }
    }
    if (offset >= EHEA_RSS_KEY && offset < EHEA_RSS_KEY + EHEA_RSS_KEY_BYTES && (offset & 3) === 0) {
      return bytesToWord(this.key, offset - EHEA_RSS_KEY);
    }
    if (offset >= EHEA_RETA && offset < EHEA_RETA + EHEA_RETA_ENTRIES && (offset & 3) === 0) {
      return bytesToWord(this.reta, offset - EHEA_RETA);
    }
    this.stats.regUnknownReads++;
    return 0;
  }

  write32(offset: number, value: number): void {
    const v = value >>> 0;
    if (offset >= EHEA_Q_BASE && offset < EHEA_Q_BASE + this.queues.length * EHEA_Q_STRIDE && (offset & 3) === 0) {
      writePortRegister(
        this.queues[(offset - EHEA_Q_BASE) >>> 7],
        offset & (EHEA_Q_STRIDE - 1),
        v,
        this.stats,
        this.kickTx,
      );
      return;
    }
    switch (offset) {
      case EHEA_CTRL:
        if ((v & CTRL_RST) !== 0) {
          this.reset();
          return;
        }
        this.ctrl = v;
        this.updateLink();
        if ((v & CTRL_TXEN) !== 0) this.tx?.kick();
        return;
      case EHEA_NQUEUES:
        if (v < 1 || v > this.queues.length) this.stats.regBadWrites++;
        else this.nqueues = v;
        return;
      case EHEA_MAC_LO:
        this.macLo = v;
        return;
      case EHEA_MAC_HI:
        this.macHi = v & 0xffff;
        return;
      case EHEA_RSS_CTRL:
        this.rssCtrl = v & 0xf;
        return;
      case EHEA_ID:
      case EHEA_STATUS:
      case EHEA_MAXQ:
      case EHEA_ERR_OVERSIZE:
      case EHEA_ERR_RUNT:
        this.stats.regBadWrites++; // read only
        return;
    }
    if (offset >= EHEA_RSS_KEY && offset < EHEA_RSS_KEY + EHEA_RSS_KEY_BYTES && (offset & 3) === 0) {
      wordToBytes(this.key, offset - EHEA_RSS_KEY, v);
      this.keyDirty = true;
      return;
    }
    if (offset >= EHEA_RETA && offset < EHEA_RETA + EHEA_RETA_ENTRIES && (offset & 3) === 0) {
      wordToBytes(this.reta, offset - EHEA_RETA, v & 0x0f0f_0f0f);
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

  /** A register's value without read side effects (narrow reads, diagnostics). */
  peek(offset: number): number {
    if (offset === EHEA_ERR_OVERSIZE) return this.errOversize;
    if (offset === EHEA_ERR_RUNT) return this.errRunt;
    if (offset >= EHEA_Q_BASE && (offset & (EHEA_Q_STRIDE - 1)) === Q_MISSED) {
      return this.queues[(offset - EHEA_Q_BASE) >>> 7]?.missed ?? 0;
    }
    const unknown = this.stats.regUnknownReads;
    const v = this.read32(offset);
    this.stats.regUnknownReads = unknown;
    return v;
  }

  /** The RSS key as the device holds it (a copy). */
  get rssKey(): Uint8Array {
    return this.key.slice();
  }

  /** The indirection table as the device holds it (a copy). */
  get indirectionTable(): Uint8Array {
    return this.reta.slice();
  }

  /** Active port resources (NQUEUES). */
  get activeQueues(): number {
    return this.nqueues;
  }

  // =====================================================================================================
  // Reset and link

  private resetRegisters(): void {
    this.ctrl = 0;
    this.nqueues = 1;
    const m = this.mac;
    this.macLo = (m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)) >>> 0;
    this.macHi = m[4] | (m[5] << 8);
    this.rssCtrl = 0;
    this.errOversize = 0;
    this.errRunt = 0;
    this.key.set(RSS_DEFAULT_KEY);
    this.keyDirty = true;
    this.reta.fill(0);
    for (const pr of this.queues) pr.reset();
  }

  /** CTRL.RST: power-on state, MAC reloaded, link down until CTRL.LINK. */
  private reset(): void {
    this.stats.resets++;
    this.resetRegisters();
    this.tx?.reset();
    this.linkUp = false;
  }

  private updateLink(): void {
    const up = this.carrierUp && (this.ctrl & CTRL_LINK) !== 0;
    if (up === this.linkUp) return;
    this.linkUp = up;
    if (this.clock !== null) this.queues[0].notify(EQE_T_LINK);
  }
}

function bytesToWord(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

function wordToBytes(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
  b[i + 2] = (v >>> 16) & 0xff;
  b[i + 3] = v >>> 24;
}
