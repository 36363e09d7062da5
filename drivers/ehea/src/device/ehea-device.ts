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
  HardwareTimer,
  Nanoseconds,
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
  CQE_F_TX,
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
  EQE_T_COMPLETION,
  EQE_T_ERRORS,
  EQE_T_LINK,
  HASH_NONE,
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
  RSS_ENABLE,
  STATUS_LU,
  WQE_ADDR,
  WQE_EOP,
  WQE_FLAGS,
  WQE_LENGTH,
  WQE_SIGNAL,
  WQE_SIZE,
} from '../regs.js';
import { RssClassifier } from '../rss/classify.js';
import { RSS_DEFAULT_KEY, ToeplitzHasher } from '../rss/toeplitz.js';
import { getU16, getU32, putU16, putU32 } from './le.js';
import { PortResource } from './port-resource.js';

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
export interface EheaDeviceStats {
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
  txFrames: number;
  txBytes: number;
  txRefused: number;
  /** Packets completed without being sent: implausible buffer, empty, or longer than 1518 bytes. */
  txBad: number;
  /** Events lost because an event queue was full or missing. */
  eqOverflow: number;
  regUnknownReads: number;
  regUnknownWrites: number;
  regBadWidth: number;
  /** Writes of values the register does not accept (ignored). */
  regBadWrites: number;
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
    eqOverflow: 0,
    regUnknownReads: 0,
    regUnknownWrites: 0,
    regBadWidth: 0,
    regBadWrites: 0,
    resets: 0,
  };
}

/** Largest frame (no FCS) with an 802.1Q tag; 1514 without. */
const MAX_FRAME = 1518;
const TX_INCOMPLETE = -1;
const TX_BAD = -2;
const TX_STALL = -3;

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
  /** Hash of the frame being stored (a field: a uint32 passed as an argument would be boxed). */
  private cqeHash = 0;
  private clock: Clock | null = null;
  private dma: DmaAccess | null = null;
  /** Receive buffer / transmit buffer being moved: loaded from a WQE's address halves, per frame. */
  private rxMap: DmaMap | null = null;
  private txMap: DmaMap | null = null;
  private wire: Wire | null = null;
  private carrierUp = false;
  private linkUp = false;
  private txTimer: HardwareTimer | null = null;
  private txNextFree: Nanoseconds = 0;
  /** Next resource the transmitter looks at (round-robin). */
  private txRr = 0;
  private readonly nsPerByte: number;
  private readonly txbuf = new Uint8Array(MAX_FRAME);
  /** Set by {@link txGather}: the packet's last WQE index and whether it asked for a completion. */
  private txLastWqe = 0;
  private txSignal = false;

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
    this.txMap = dma.createMap(`${this.model}.tx`, 0xffff);
    this.txTimer = ctx.clock.createTimer(`${this.model}.tx`, () => this.txRun());
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
      if (this.errRunt++ === 0) this.notify(this.queues[0], EQE_T_ERRORS);
      return;
    }
    const tagged = frame[off + 12] === 0x81 && frame[off + 13] === 0x00;
    if (len > (tagged ? MAX_FRAME : MAX_FRAME - 4)) {
      st.rxOversize++;
      if (this.errOversize++ === 0) this.notify(this.queues[0], EQE_T_ERRORS);
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
    this.cqeHash = 0;
    const rss = this.rssCtrl;
    if (!bcast && (rss & RSS_ENABLE) !== 0) {
      if (this.keyDirty) {
        this.classifier.hasher.setKey(this.key);
        this.keyDirty = false;
      }
      type = this.classifier.classify(frame, off, len, rss);
      if (type !== HASH_NONE) {
        st.rxHashed++;
        const h = this.classifier.hash;
        this.cqeHash = h;
        q = this.reta[h & (EHEA_RETA_ENTRIES - 1)];
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
      if (pr.missed !== 0xffff_ffff && pr.missed++ === 0) this.notify(pr, EQE_T_ERRORS);
      return;
    }
    const flags = bcast ? CQE_F_BCAST : group ? CQE_F_MCAST : 0;
    const err = this.rxStore(pr, frame, off, len);
    if (err === CQE_ERR_DMA) st.rxDmaErrors++;
    else if (err === CQE_ERR_LENGTH) st.rxTooLong++;
    st.rxDelivered++;
    pr.stats.rxDelivered++;
    this.writeCqe(pr, err === 0 ? len : 0, (pr.rqHead - 1) & (pr.rqSize - 1), type, err, flags);
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

  /**
   * Writes a completion entry into `pr`'s CQ — the status word with the valid/toggle bit last — and
   * fires the CQ's notification if it was armed. The hash comes from {@link cqeHash}.
   */
  private writeCqe(pr: PortResource, len: number, wqe: number, type: number, err: number, flags: number): void {
    const ring = pr.cqMap!;
    const a = ring.segArena[0];
    const c = ring.segOff[0] + pr.cqTail * CQE_SIZE;
    const h = this.cqeHash;
    putU16(a, c, len);
    putU16(a, c + 2, wqe);
    putU16(a, c + 4, h & 0xffff);
    putU16(a, c + 6, (h >>> 16) & 0xffff);
    a[c + 8] = type;
    a[c + 9] = pr.index;
    a[c + 10] = err;
    a[c + 11] = flags;
    putU32(a, c + 12, pr.cqPhase);
    pr.stats.completions++;
    pr.cqFree--;
    if (++pr.cqTail === pr.cqSize) {
      pr.cqTail = 0;
      pr.cqPhase ^= 1;
    }
    if (pr.armed) {
      pr.armed = false;
      this.postEvent(pr, EQE_T_COMPLETION);
    }
  }

  /**
   * A port event (link change, an error counter leaving 0) for `pr`: posted now if the resource is armed
   * (the arm is its interrupt enable), else latched and posted when it is next armed — so a resource
   * whose poll is running (disarmed) is not interrupted, and the event is not lost.
   */
  private notify(pr: PortResource, type: number): void {
    if (!pr.enabled) return;
    if (pr.armed) {
      pr.armed = false;
      this.postEvent(pr, type);
    } else {
      pr.latched |= 1 << type;
    }
  }

  /** Writes an event entry into `pr`'s EQ (lost and counted if it is full) and raises its line. */
  private postEvent(pr: PortResource, type: number): void {
    if (!pr.enabled) return;
    if (pr.eqUnacked >= pr.eqSize) {
      this.stats.eqOverflow++;
      return;
    }
    const ring = pr.eqMap!;
    const a = ring.segArena[0];
    const e = ring.segOff[0] + pr.eqTail * EQE_SIZE;
    putU32(a, e, type | (pr.index << 8));
    putU32(a, e + 4, pr.eqPhase << 24);
    pr.stats.events++;
    if (++pr.eqTail === pr.eqSize) {
      pr.eqTail = 0;
      pr.eqPhase ^= 1;
    }
    pr.eqUnacked++;
    pr.updateLine();
  }

  // =====================================================================================================
  // Registers (DeviceRegisters)

  read32(offset: number): number {
    if (offset >= EHEA_Q_BASE && offset < EHEA_Q_BASE + this.queues.length * EHEA_Q_STRIDE && (offset & 3) === 0) {
      return this.readQueue(this.queues[(offset - EHEA_Q_BASE) >>> 7], offset & (EHEA_Q_STRIDE - 1));
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
      this.writeQueue(this.queues[(offset - EHEA_Q_BASE) >>> 7], offset & (EHEA_Q_STRIDE - 1), v);
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
        if ((v & CTRL_TXEN) !== 0) this.kickTx();
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

  /**
   * Resolves the four rings of `pr` through its DMA maps (sizes set, bases in mapped memory). False when
   * one is not: the resource is not enabled (the bus error is counted by the DMA space).
   */
  private loadRings(pr: PortResource): boolean {
    if (pr.rqSize === 0 || pr.sqSize === 0 || pr.cqSize === 0 || pr.eqSize === 0) return false;
    return (
      pr.rqMap!.loadAddr(pr.rqBaseHi, pr.rqBaseLo, pr.rqSize * WQE_SIZE) &&
      pr.sqMap!.loadAddr(pr.sqBaseHi, pr.sqBaseLo, pr.sqSize * WQE_SIZE) &&
      pr.cqMap!.loadAddr(pr.cqBaseHi, pr.cqBaseLo, pr.cqSize * CQE_SIZE) &&
      pr.eqMap!.loadAddr(pr.eqBaseHi, pr.eqBaseLo, pr.eqSize * EQE_SIZE)
    );
  }

  private readQueue(pr: PortResource, reg: number): number {
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
    this.stats.regUnknownReads++;
    return 0;
  }

  private writeQueue(pr: PortResource, reg: number, v: number): void {
    const st = this.stats;
    switch (reg) {
      case Q_CTRL:
        if ((v & QCTRL_EN) === 0) pr.stop();
        else if (!pr.enabled) {
          if (!this.loadRings(pr)) st.regBadWrites++;
          else pr.start();
        }
        return;
      case Q_RQ_DOORBELL:
        if (!pr.enabled || v > pr.rqSize - pr.rqCredits) st.regBadWrites++;
        else pr.rqCredits += v;
        return;
      case Q_SQ_DOORBELL:
        if (!pr.enabled || v > pr.sqSize - pr.sqPending) st.regBadWrites++;
        else {
          pr.sqPending += v;
          pr.sqWaiting = false;
          this.kickTx();
        }
        return;
      case Q_CQ_DOORBELL:
        if (!pr.enabled || v > pr.cqSize - pr.cqFree) st.regBadWrites++;
        else {
          pr.cqFree += v;
          if (pr.sqStalled && v > 0) {
            pr.sqStalled = false;
            this.kickTx();
          }
        }
        return;
      case Q_CQ_ARM:
        pr.armed = pr.enabled && (v & 1) !== 0;
        if (pr.armed && pr.latched !== 0) {
          // Latched port events fire the arm at once.
          pr.armed = false;
          const latched = pr.latched;
          pr.latched = 0;
          if ((latched & (1 << EQE_T_LINK)) !== 0) this.postEvent(pr, EQE_T_LINK);
          if ((latched & (1 << EQE_T_ERRORS)) !== 0) this.postEvent(pr, EQE_T_ERRORS);
        }
        return;
      case Q_EQ_DOORBELL:
        if (v > pr.eqUnacked) st.regBadWrites++;
        else {
          pr.eqUnacked -= v;
          pr.updateLine();
        }
        return;
      case Q_MISSED:
        st.regBadWrites++;
        return;
    }
    // Ring bases and sizes: only while the resource is stopped.
    if (pr.enabled) {
      st.regBadWrites++;
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
      case Q_EQ_SIZE: {
        if (v < RING_MIN || v > RING_MAX || (v & (v - 1)) !== 0) {
          st.regBadWrites++;
          return;
        }
        if (reg === Q_RQ_SIZE) pr.rqSize = v;
        else if (reg === Q_SQ_SIZE) pr.sqSize = v;
        else if (reg === Q_CQ_SIZE) pr.cqSize = v;
        else pr.eqSize = v;
        return;
      }
    }
    st.regUnknownWrites++;
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
    this.txTimer?.cancel();
    this.txNextFree = 0;
    this.txRr = 0;
    this.linkUp = false;
  }

  private updateLink(): void {
    const up = this.carrierUp && (this.ctrl & CTRL_LINK) !== 0;
    if (up === this.linkUp) return;
    this.linkUp = up;
    if (this.clock !== null) this.notify(this.queues[0], EQE_T_LINK);
  }

  // =====================================================================================================
  // Transmit

  private kickTx(): void {
    const t = this.txTimer;
    if (t === null || t.armed || (this.ctrl & CTRL_TXEN) === 0) return;
    t.arm(Math.max(this.clock!.now(), this.txNextFree));
  }

  /** The next resource with a packet to send, round-robin, or null. */
  private nextSender(): PortResource | null {
    const qs = this.queues;
    const n = qs.length;
    for (let k = 0; k < n; k++) {
      const i = this.txRr + k < n ? this.txRr + k : this.txRr + k - n;
      const pr = qs[i];
      if (pr.enabled && pr.sqPending > 0 && !pr.sqWaiting && !pr.sqStalled) {
        this.txRr = i + 1 === n ? 0 : i + 1;
        return pr;
      }
    }
    return null;
  }

  /** Transmit engine: one packet from the next send queue, then again after its time on the wire. */
  private txRun(): void {
    if ((this.ctrl & CTRL_TXEN) === 0) return;
    const now = this.clock!.now();
    const st = this.stats;
    for (;;) {
      const pr = this.nextSender();
      if (pr === null) return;
      const total = this.txGather(pr);
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
          this.txbuf.fill(0, len, 60);
          len = 60;
        }
        if (this.linkUp && this.wire?.transmit(this, this.txbuf, 0, len)) {
          st.txFrames++;
          st.txBytes += len;
          pr.stats.txFrames++;
        } else {
          st.txRefused++;
        }
        // Preamble + frame + FCS + inter-frame gap.
        this.txNextFree = Math.ceil(now + (len + 24) * this.nsPerByte);
      }
      if (this.txSignal) {
        this.cqeHash = 0;
        this.writeCqe(pr, Math.max(total, 0), this.txLastWqe, HASH_NONE, total === TX_BAD ? CQE_ERR_DMA : 0, CQE_F_TX);
      }
      if (this.nextSenderExists()) this.txTimer!.arm(Math.max(now, this.txNextFree));
      return;
    }
  }

  private nextSenderExists(): boolean {
    for (const pr of this.queues) if (pr.enabled && pr.sqPending > 0 && !pr.sqWaiting && !pr.sqStalled) return true;
    return false;
  }

  /**
   * Gathers the packet at `pr`'s SQ head into the on-chip buffer and consumes its WQEs. Returns its
   * length, {@link TX_BAD} (consumed, not sent), {@link TX_INCOMPLETE} (no EOP among the posted WQEs:
   * nothing consumed) or {@link TX_STALL} (it wants a completion and the CQ is full: nothing consumed).
   * Self-contained for the same reason as {@link rxStore}.
   */
  private txGather(pr: PortResource): number {
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
    const buf = this.txbuf;
    const map = this.txMap!;
    let total = 0;
    let ok = true;
    for (let k = 0; k < count; k++) {
      const w = base + ((pr.sqHead + k) & mask) * WQE_SIZE;
      const len = getU16(a, w + WQE_LENGTH);
      if (!ok || len === 0) continue;
      if (total + len > MAX_FRAME) {
        ok = false;
        continue;
      }
      const lo = getU32(a, w + WQE_ADDR);
      const hi = getU32(a, w + WQE_ADDR + 4);
      if (!map.loadAddr(hi, lo, len) || !map.copyOut(0, buf, total, len)) {
        ok = false;
        continue;
      }
      total += len;
    }
    this.txLastWqe = (pr.sqHead + count - 1) & mask;
    this.txSignal = signal;
    pr.sqHead = (pr.sqHead + count) & mask;
    pr.sqPending -= count;
    return ok && total > 0 ? total : TX_BAD;
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
