/**
 * `wm`: the driver for the e1000 device model — the DMA half of seed 000.
 *
 * ## How it maps to seed 000
 *
 * - **Interrupt routine** ({@link wmIntr}): reads ICR (which acknowledges the device and lowers the
 *   line), returns false if it was 0 (spurious), otherwise notes the causes for the poll and calls
 *   `ctx.defer()` — `<iftype>_defer(ifp)`. Nothing else: the framework masks the source through
 *   `intrDisable` (IMC), because a DMA device keeps filling receive descriptors on its own.
 * - **Poll** ({@link E1000Driver.poll}): the `if_poll` continuation at softnet. It takes the pending causes
 *   (link change → `ifp.setLinkState`; receive overrun → harvest MPC), reclaims transmit descriptors
 *   (not counted against the budget) and restarts output, reaps up to `budget` received packets — each
 *   straight to `ifp.input(m)`, which dispatches by table lookup with no queue in between — and refills
 *   the ring with fresh clusters (allocation is allowed here, never in the interrupt routine). It returns
 *   the packets reaped; the framework polls again on a full budget, and otherwise unmasks (IMS) or, when
 *   the device interrupts too often, stays masked and polls on the next tick.
 * - **No allocation in interrupt context**: receive buffers are allocated at `init` (the whole ring) and
 *   in the poll (refill). When the pool is empty a slot is left unrefilled (`wm.rx.nobufs`) and retried at
 *   the next poll: the ring shrinks and the *device* starts missing frames (MPC → `wm.rx.missed`), which is
 *   exactly where overload must be absorbed.
 *
 * ## Counters
 *
 * Packet drops go to `ifp.counters.drops` by reason (`wm.rx.missed`, `wm.rx.oversize`, `wm.rx.runt`,
 * `wm.rx.desc-error`, `wm.tx.*`), so *offered = delivered + Σ drops*. Conditions that drop nothing by
 * themselves (an unrefilled slot, a full transmit ring, a watchdog reset) are counted in
 * {@link E1000Driver.events}.
 *
 * @module
 */
import {
  ALLOC_RESERVE,
  type AttachArgs,
  type BusSpace,
  type DeviceDriver,
  type DeviceIdent,
  type DmaRegion,
  type DriverDescriptor,
  HOST,
  type Host,
  IFF_ALLMULTI,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFF_OACTIVE,
  IFF_PROMISC,
  IFT_ETHER,
  IPL_NET,
  type Ifnet,
  type IfnetDriverOps,
  type InjectionToken,
  type InterruptSource,
  LAYER_DRIVER_RX,
  LAYER_DRIVER_TX,
  M_BCAST,
  M_MCAST,
  M_PKTHDR,
  type Mbuf,
  type MbufPool,
  type Platform,
  type PollContext,
  type PollOps,
  inject,
  injectable,
} from '@ifnet/core';
import {
  CTRL_FD,
  CTRL_RST,
  CTRL_SLU,
  DESC_SIZE,
  E1000_CTRL,
  E1000_ICR,
  E1000_IMC,
  E1000_IMS,
  E1000_ITR,
  E1000_MPC,
  E1000_MTA,
  E1000_MTA_COUNT,
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
  E1000_VENDOR_INTEL,
  ICR_LSC,
  ICR_RXDMT0,
  ICR_RXO,
  ICR_RXT0,
  ICR_TXDW,
  RAH_AV,
  RCTL_BAM,
  RCTL_BSIZE_2048,
  RCTL_EN,
  RCTL_LPE,
  RCTL_MPE,
  RCTL_RDMTS_HALF,
  RCTL_SECRC,
  RCTL_UPE,
  RXD_ERRORS,
  RXD_LENGTH,
  RXD_STAT_DD,
  RXD_STAT_EOP,
  RXD_STATUS,
  STATUS_LU,
  TCTL_COLD_SHIFT,
  TCTL_CT_SHIFT,
  TCTL_EN,
  TCTL_PSP,
  TXD_CMD,
  TXD_CMD_EOP,
  TXD_CMD_IDE,
  TXD_CMD_IFCS,
  TXD_CMD_RS,
  TXD_LENGTH,
  TXD_STAT_DD,
  TXD_STATUS,
  mtaHash,
} from '../regs.js';

/** Tunables of the `wm` driver (platform-wide; see {@link registerE1000}). */
export interface E1000Options {
  /** Receive descriptors (multiple of 8, 8..4096). Default 256. */
  rxDescriptors?: number;
  /** Transmit descriptors (multiple of 8, 8..4096). Default 256. */
  txDescriptors?: number;
  /** Poll budget (NAPI weight). Default 64. */
  weight?: number;
  /**
   * Hardware interrupt moderation, in the registers' own units: ITR (256 ns), RDTR/RADV/TIDV/TADV
   * (1.024 µs). Default all 0: every receive raises RXT0 at once and seed 000's software policy alone
   * decides when to stop taking interrupts. A non-zero `tidv` makes the driver set IDE on transmit
   * descriptors.
   */
  itr?: number;
  rdtr?: number;
  radv?: number;
  tidv?: number;
  tadv?: number;
  /** Transmit watchdog in seconds (`if_timer`). Default 5. */
  watchdogSeconds?: number;
}

/** Optional platform registration of {@link E1000Options} (done by {@link registerE1000}). */
export const E1000_OPTIONS: InjectionToken<E1000Options> = Symbol.for('@ifnet/e1000:OPTIONS');

/** PCI ids of 8254x parts with the 82540EM's legacy programming model. */
export const E1000_IDS: readonly { readonly device: number; readonly name: string }[] = [
  { device: 0x100e, name: '82540EM' },
  { device: 0x100f, name: '82545EM (copper)' },
  { device: 0x1015, name: '82540EM (LOM)' },
  { device: 0x1016, name: '82540EP (LOM)' },
  { device: 0x1017, name: '82540EP' },
  { device: 0x101e, name: '82540EP (LP)' },
];

/** Causes the driver enables: receive timer, overrun, descriptors low, link change, transmit written back. */
export const WM_IMS = ICR_RXT0 | ICR_RXO | ICR_RXDMT0 | ICR_LSC | ICR_TXDW;
/** Largest MTU: frames of MTU + 18 bytes (header + 802.1Q tag) span 2048-byte clusters with RCTL.LPE. */
export const WM_MAX_MTU = 9000;
const ETHERMTU = 1500;
const SEG = 0x1_0000_0000;
/** The transmit engine gathers at most 16 KB per packet. */
const MAX_TX_FRAME = 16384;

/** Driver events that are not packet drops (an unrefilled slot is not a lost packet — yet). */
export interface WmEvents {
  /** A receive slot could not be refilled (pool empty); retried at the next poll. */
  'wm.rx.nobufs': number;
  /** `start` found the transmit ring full and set IFF_OACTIVE. */
  'wm.tx.ring-full': number;
  /** Link state changes seen. */
  'wm.link.changes': number;
  /** Chip resets by the transmit watchdog. */
  'wm.watchdog.reset': number;
}

/**
 * The `wm` softc: one instance per e1000 device, created by autoconfiguration.
 */
@injectable()
export class E1000Driver implements DeviceDriver {
  /** The interface, once attached. */
  ifp!: Ifnet;
  /** The receive queue's poll context. */
  ctx!: PollContext;
  readonly events: WmEvents = {
    'wm.rx.nobufs': 0,
    'wm.tx.ring-full': 0,
    'wm.link.changes': 0,
    'wm.watchdog.reset': 0,
  };
  /** Spurious interrupts (ICR read 0). */
  spurious = 0;

  private regs!: BusSpace;
  private line!: InterruptSource;
  private pool!: MbufPool;
  private opts!: Required<E1000Options>;
  private running = false;
  /** Causes read by the interrupt routine, handled by the next poll. */
  private icrPending = 0;
  private rctlFilter = 0;
  private readonly mta = new Uint32Array(E1000_MTA_COUNT);

  // Receive ring: slots [rxNext, rxNext + rxFilled) hold buffers (device-owned or done, not yet reaped);
  // rxFill (== RDT) is the next slot to refill.
  private rxRing!: DmaRegion;
  private rxN = 0;
  private rxMbuf: (Mbuf | null)[] = [];
  private rxNext = 0;
  private rxFill = 0;
  private rxFilled = 0;
  /** A packet spanning descriptors, being assembled. */
  private rxHead: Mbuf | null = null;
  private rxTail: Mbuf | null = null;
  /** A descriptor of the packet being assembled reported an error. */
  private rxError = false;

  // Transmit ring: slots [txHead, txTail) are in flight (txUsed of them). A packet's mbuf chain sits at
  // its last slot; txLast[first slot] names that slot.
  private txRing!: DmaRegion;
  private txN = 0;
  private txMbuf: (Mbuf | null)[] = [];
  private txLast!: Int32Array;
  private txHead = 0;
  private txTail = 0;
  private txUsed = 0;

  constructor(@inject(HOST) private readonly host: Host) {}

  // =====================================================================================================
  // Autoconfiguration

  attach(aa: AttachArgs): void {
    const host = this.host;
    const c = host.container;
    const o = c.isRegistered(E1000_OPTIONS, true) ? c.resolve(E1000_OPTIONS) : {};
    this.opts = {
      rxDescriptors: ringSize(o.rxDescriptors ?? 256, 'rxDescriptors'),
      txDescriptors: ringSize(o.txDescriptors ?? 256, 'txDescriptors'),
      weight: o.weight ?? 64,
      itr: o.itr ?? 0,
      rdtr: o.rdtr ?? 0,
      radv: o.radv ?? 0,
      tidv: o.tidv ?? 0,
      tadv: o.tadv ?? 0,
      watchdogSeconds: o.watchdogSeconds ?? 5,
    };
    if (aa.bars.length < 1 || aa.irqs.length < 1) throw new Error(`wm at ${aa.locator}: no BAR0 or no interrupt`);
    this.regs = aa.bars[0];
    this.line = aa.irqs[0];
    this.pool = host.pool;

    // Reset the chip and mask everything.
    this.wr(E1000_CTRL, CTRL_RST);
    this.wr(E1000_IMC, 0xffff_ffff);
    this.rd(E1000_ICR);

    // The station address, loaded from the EEPROM into RAL0/RAH0 by the reset.
    const ral = this.rd(E1000_RAL(0));
    const rah = this.rd(E1000_RAH(0));
    if ((rah & RAH_AV) === 0) throw new Error(`wm at ${aa.locator}: no valid Ethernet address in RAL0/RAH0`);
    const mac = Uint8Array.of(
      ral & 0xff,
      (ral >>> 8) & 0xff,
      (ral >>> 16) & 0xff,
      ral >>> 24,
      rah & 0xff,
      (rah >>> 8) & 0xff,
    );

    this.rxN = this.opts.rxDescriptors;
    this.txN = this.opts.txDescriptors;
    this.rxRing = aa.dma.alloc(this.rxN * DESC_SIZE, `wm ${aa.locator} rx ring`);
    this.txRing = aa.dma.alloc(this.txN * DESC_SIZE, `wm ${aa.locator} tx ring`);
    this.rxMbuf = new Array<Mbuf | null>(this.rxN).fill(null);
    this.txMbuf = new Array<Mbuf | null>(this.txN).fill(null);
    this.txLast = new Int32Array(this.txN);

    this.ifp = host.ifAttach({
      name: 'wm',
      ifType: IFT_ETHER,
      ops: new WmIfnetOps(this),
      lladdr: mac,
      mtu: ETHERMTU,
      maxMtu: WM_MAX_MTU,
      flags: IFF_BROADCAST | IFF_MULTICAST,
      baudrate: 1e9,
      softc: this,
    });
    this.ctx = this.ifp.addPollContext({
      name: `${this.ifp.name}.q0`,
      ops: WM_POLL_OPS,
      weight: this.opts.weight,
      maskOnDefer: true,
      capacity: this.opts.rxDescriptors - 1, // RDH == RDT means empty: one descriptor always stays free
    });
    this.ctx.softc = this;
    host.cpu.intr.establish(this.line, IPL_NET, wmIntr, this as E1000Driver, this.ifp.name);

    // Link up at the MAC; the PHY (the wire's carrier) decides the rest.
    this.wr(E1000_CTRL, CTRL_SLU | CTRL_FD);
    this.rd(E1000_ICR);
    this.ifp.setLinkState((this.rd(E1000_STATUS) & STATUS_LU) !== 0 ? 'up' : 'down');
  }

  /** Detaches the interface (down, then removed from the host) and releases the interrupt. */
  async detach(): Promise<void> {
    await this.host.ifDetach(this.ifp);
    this.wr(E1000_IMC, 0xffff_ffff);
    this.wr(E1000_CTRL, CTRL_RST);
    this.host.cpu.intr.disestablish(this.line);
  }

  // =====================================================================================================
  // Register access (the host's bus charges each access to the CPU)

  private rd(off: number): number {
    return this.regs.read32(off);
  }

  private wr(off: number, v: number): void {
    this.regs.write32(off, v);
  }

  // =====================================================================================================
  // if_init / if_stop

  /** `if_init`: program the MAC, fill the receive ring, enable receive, transmit and interrupts. */
  init(): void {
    const ifp = this.ifp;
    this.wr(E1000_IMC, 0xffff_ffff);
    this.wr(E1000_RCTL, 0);
    this.wr(E1000_TCTL, 0);
    this.rd(E1000_ICR);
    this.icrPending = 0;
    this.programAddress(ifp.lladdr);

    // Receive ring, filled with clusters (allocation happens here, at init, and in the poll only).
    const rx = this.rxRing;
    rx.u8.fill(0);
    this.rxNext = 0;
    this.rxFill = 0;
    this.rxFilled = 0;
    this.wr(E1000_RDBAL, rx.busAddr % SEG);
    this.wr(E1000_RDBAH, Math.floor(rx.busAddr / SEG));
    this.wr(E1000_RDLEN, this.rxN * DESC_SIZE);
    this.wr(E1000_RDH, 0);
    this.wr(E1000_RDT, 0);
    this.refill();

    // Transmit ring.
    const tx = this.txRing;
    tx.u8.fill(0);
    this.txHead = 0;
    this.txTail = 0;
    this.txUsed = 0;
    this.wr(E1000_TDBAL, tx.busAddr % SEG);
    this.wr(E1000_TDBAH, Math.floor(tx.busAddr / SEG));
    this.wr(E1000_TDLEN, this.txN * DESC_SIZE);
    this.wr(E1000_TDH, 0);
    this.wr(E1000_TDT, 0);
    this.wr(E1000_TIPG, 10 | (8 << 10) | (6 << 20)); // IEEE 802.3 gaps for copper

    // Moderation.
    const o = this.opts;
    this.wr(E1000_ITR, o.itr);
    this.wr(E1000_RDTR, o.rdtr);
    this.wr(E1000_RADV, o.radv);
    this.wr(E1000_TIDV, o.tidv);
    this.wr(E1000_TADV, o.tadv);

    this.running = true;
    this.updateFilter();
    this.wr(E1000_TCTL, TCTL_EN | TCTL_PSP | (0x0f << TCTL_CT_SHIFT) | (0x40 << TCTL_COLD_SHIFT));
    this.wr(E1000_RCTL, this.rctl());
    this.wr(E1000_IMS, WM_IMS);
    this.linkChange();
  }

  /**
   * `if_stop`: quiesce the chip (no interrupts, receiver and transmitter off), account for what the
   * device missed, and free every mbuf held by the rings so pool accounting balances after `down()`.
   */
  stop(): void {
    this.running = false;
    this.wr(E1000_IMC, 0xffff_ffff);
    this.wr(E1000_RCTL, 0);
    this.wr(E1000_TCTL, 0);
    this.rd(E1000_ICR);
    this.icrPending = 0;
    this.harvestErrors();
    this.txeof(false);
    this.flushRings();
    this.ifp.flags &= ~IFF_OACTIVE;
    this.ifp.watchdogTimer = 0;
  }

  /** Frees receive buffers and (uncompleted) transmit packets. */
  private flushRings(): void {
    const pool = this.pool;
    const ring = this.rxRing.u8;
    let lost = 0;
    for (let i = 0; i < this.rxN; i++) {
      const m = this.rxMbuf[i];
      if (m !== null) {
        // A frame the device completed but the poll never reaped is a packet lost here: count it.
        if ((ring[i * DESC_SIZE + RXD_STATUS] & (RXD_STAT_DD | RXD_STAT_EOP)) === (RXD_STAT_DD | RXD_STAT_EOP)) lost++;
        this.rxMbuf[i] = null;
        pool.freem(m);
      }
    }
    if (lost > 0) this.ifp.countDrop('wm.rx.flushed', lost);
    if (this.rxHead !== null) {
      pool.freem(this.rxHead);
      this.rxHead = this.rxTail = null;
      this.rxError = false;
    }
    this.rxFilled = 0;
    let flushed = 0;
    for (let i = 0; i < this.txN; i++) {
      const m = this.txMbuf[i];
      if (m !== null) {
        this.txMbuf[i] = null;
        pool.freem(m);
        flushed++;
      }
    }
    if (flushed > 0) this.ifp.countDrop('wm.tx.flushed', flushed);
    this.txUsed = 0;
    this.txHead = this.txTail = 0;
  }

  /** `if_watchdog`: the transmitter is stuck — reset the chip and start over. */
  watchdog(): void {
    this.events['wm.watchdog.reset']++;
    if (!this.running) return;
    this.stop();
    this.wr(E1000_CTRL, CTRL_RST);
    this.wr(E1000_CTRL, CTRL_SLU | CTRL_FD);
    this.init();
    this.start();
  }

  // =====================================================================================================
  // Receive filter, address, MTU

  private rctl(): number {
    let v = RCTL_EN | RCTL_BAM | RCTL_SECRC | RCTL_BSIZE_2048 | RCTL_RDMTS_HALF | this.rctlFilter;
    if (this.ifp.mtu > ETHERMTU) v |= RCTL_LPE;
    return v;
  }

  /** Programs RAL0/RAH0 with `addr` (address valid). */
  programAddress(addr: Uint8Array): void {
    this.wr(E1000_RAL(0), (addr[0] | (addr[1] << 8) | (addr[2] << 16) | (addr[3] << 24)) >>> 0);
    this.wr(E1000_RAH(0), (addr[4] | (addr[5] << 8) | RAH_AV) >>> 0);
  }

  /** IFF_PROMISC → UPE|MPE, IFF_ALLMULTI → MPE, joined groups → MTA hash bits (changed words only). */
  updateFilter(): void {
    const ifp = this.ifp;
    let f = 0;
    if ((ifp.flags & IFF_PROMISC) !== 0) f |= RCTL_UPE | RCTL_MPE;
    if ((ifp.flags & IFF_ALLMULTI) !== 0) f |= RCTL_MPE;
    this.rctlFilter = f;
    const want = new Uint32Array(E1000_MTA_COUNT);
    const addr = new Uint8Array(6);
    for (const hex of ifp.multicast) {
      for (let i = 0; i < 6; i++) addr[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      const h = mtaHash(addr, 0);
      want[h >>> 5] |= 1 << (h & 31);
    }
    for (let i = 0; i < E1000_MTA_COUNT; i++) {
      if (want[i] !== this.mta[i]) {
        this.mta[i] = want[i];
        this.wr(E1000_MTA + 4 * i, want[i]);
      }
    }
    if (this.running) this.wr(E1000_RCTL, this.rctl());
  }

  /** MTU up to {@link WM_MAX_MTU}: above 1500, long packets (LPE) spanning several clusters. */
  setMtu(mtu: number): boolean {
    if (mtu > WM_MAX_MTU) return false;
    const wasJumbo = this.ifp.mtu > ETHERMTU;
    if (this.running && mtu > ETHERMTU !== wasJumbo) {
      const v = this.rd(E1000_RCTL);
      this.wr(E1000_RCTL, mtu > ETHERMTU ? v | RCTL_LPE : v & ~RCTL_LPE);
    }
    return true;
  }

  // =====================================================================================================
  // Interrupt side (see wmIntr) and poll

  /** @internal Called by {@link wmIntr}. */
  intr(): boolean {
    const icr = this.rd(E1000_ICR);
    if (icr === 0) {
      this.spurious++;
      return false;
    }
    this.icrPending |= icr;
    this.ctx.defer();
    return true;
  }

  /** `intrEnable`: unmask the causes at the device. */
  intrEnable(): void {
    this.wr(E1000_IMS, WM_IMS);
  }

  /** `intrDisable`: mask everything at the device. */
  intrDisable(): void {
    this.wr(E1000_IMC, 0xffff_ffff);
  }

  /** `workPending`: the next receive descriptor is done. */
  workPending(): boolean {
    return this.rxFilled > 0 && (this.rxRing.u8[this.rxNext * DESC_SIZE + RXD_STATUS] & RXD_STAT_DD) !== 0;
  }

  /**
   * The poll (`if_poll`): causes, transmit reclaim, up to `budget` received packets up through
   * `ifp.input`, refill. Returns the packets received.
   */
  poll(budget: number): number {
    if (!this.running) return 0;
    // Take every pending cause: those the interrupt routine saw and any raised since (reading ICR
    // acknowledges them, so work done here does not interrupt again after the unmask).
    const icr = this.icrPending | this.rd(E1000_ICR);
    this.icrPending = 0;
    if ((icr & ICR_LSC) !== 0) this.linkChange();
    if ((icr & ICR_RXO) !== 0) this.harvestErrors();
    if (this.txUsed > 0) this.txeof();

    const ifp = this.ifp;
    const cpu = this.host.cpu;
    const ring = this.rxRing.u8;
    const view = this.rxRing.view;
    const n = this.rxN;
    let work = 0;
    while (work < budget && this.rxFilled > 0) {
      const i = this.rxNext;
      const d = i * DESC_SIZE;
      const status = ring[d + RXD_STATUS];
      if ((status & RXD_STAT_DD) === 0) break;
      const m = this.rxMbuf[i]!;
      this.rxMbuf[i] = null;
      ring[d + RXD_STATUS] = 0;
      this.rxNext = i + 1 === n ? 0 : i + 1;
      this.rxFilled--;
      cpu.chargeLayerId(LAYER_DRIVER_RX);
      const len = view.getUint16(d + RXD_LENGTH, true);
      const errors = ring[d + RXD_ERRORS];
      m.len = len;
      const tail = this.rxTail;
      if (tail === null) {
        m.pkthdr.len = len;
        this.rxHead = this.rxTail = m;
      } else {
        m.flags &= ~M_PKTHDR;
        tail.next = m;
        this.rxTail = m;
        this.rxHead!.pkthdr.len += len;
      }
      if (errors !== 0) this.rxError = true;
      if ((status & RXD_STAT_EOP) === 0) continue;
      const pkt = this.rxHead!;
      this.rxHead = this.rxTail = null;
      work++;
      if (this.rxError) {
        this.rxError = false;
        ifp.counters.ierrors++;
        ifp.countDrop('wm.rx.desc-error');
        this.pool.freem(pkt);
        continue;
      }
      const b = pkt.buf;
      const o = pkt.off;
      if ((b[o] & 1) !== 0) {
        pkt.flags |= (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff ? M_BCAST : M_MCAST;
      }
      ifp.input(pkt);
      if (!this.running) return work; // brought down from inside the stack
    }
    this.refill();
    return work;
  }

  /** Gives the device fresh clusters for every empty slot (one RDT write). */
  private refill(): void {
    const n = this.rxN;
    const ring = this.rxRing;
    let i = this.rxFill;
    const start = i;
    while (this.rxFilled < n - 1) {
      const m = this.pool.getcl(ALLOC_RESERVE); // ring refill may use the pool's reserve
      if (m === null) {
        this.events['wm.rx.nobufs']++;
        break;
      }
      this.rxMbuf[i] = m;
      const d = i * DESC_SIZE;
      const addr = m.busAddr + m.off;
      const hi = Math.floor(addr / SEG);
      ring.view.setUint32(d, addr - hi * SEG, true); // (a double % costs ~10 ns in V8: avoided)
      ring.view.setUint32(d + 4, hi, true);
      ring.u8[d + RXD_STATUS] = 0;
      i = i + 1 === n ? 0 : i + 1;
      this.rxFilled++;
    }
    this.rxFill = i;
    if (i !== start) this.wr(E1000_RDT, i);
  }

  /** Reads the missed/oversize/undersize counters (clear on read) into the interface's drops. */
  harvestErrors(): void {
    const ifp = this.ifp;
    const mpc = this.rd(E1000_MPC);
    if (mpc !== 0) {
      ifp.counters.ierrors += mpc;
      ifp.countDrop('wm.rx.missed', mpc);
    }
    const roc = this.rd(E1000_ROC);
    if (roc !== 0) {
      ifp.counters.ierrors += roc;
      ifp.countDrop('wm.rx.oversize', roc);
    }
    const ruc = this.rd(E1000_RUC);
    if (ruc !== 0) {
      ifp.counters.ierrors += ruc;
      ifp.countDrop('wm.rx.runt', ruc);
    }
  }

  private linkChange(): void {
    const up = (this.rd(E1000_STATUS) & STATUS_LU) !== 0;
    const state = up ? 'up' : 'down';
    if (this.ifp.linkState !== state) {
      this.events['wm.link.changes']++;
      this.ifp.setLinkState(state);
    }
  }

  // =====================================================================================================
  // Transmit

  /**
   * `if_start`: moves packets from the send queue onto the transmit ring — one descriptor per non-empty
   * mbuf of the chain, EOP and RS on the last — and tells the device with one TDT write.
   */
  start(): void {
    const ifp = this.ifp;
    if (!this.running || (ifp.flags & IFF_OACTIVE) !== 0) return;
    const n = this.txN;
    const ring = this.txRing;
    const cpu = this.host.cpu;
    const lastCmd = TXD_CMD_IFCS | TXD_CMD_EOP | TXD_CMD_RS | (this.opts.tidv !== 0 ? TXD_CMD_IDE : 0);
    let queued = 0;
    for (;;) {
      const m = ifp.sendQueue.dequeue(ifp);
      if (m === null) break;
      let segs = 0;
      for (let s: Mbuf | null = m; s !== null; s = s.next) if (s.len > 0) segs++;
      if (segs === 0) {
        ifp.dropOutput(m, 'wm.tx.empty');
        continue;
      }
      if (segs > n - 1 || m.pkthdr.len > MAX_TX_FRAME) {
        ifp.dropOutput(m, 'wm.tx.too-big');
        continue;
      }
      if (segs > n - 1 - this.txUsed) {
        this.txeof();
        if (segs > n - 1 - this.txUsed) {
          ifp.sendQueue.requeue(ifp, m);
          ifp.flags |= IFF_OACTIVE;
          this.events['wm.tx.ring-full']++;
          break;
        }
      }
      cpu.chargeLayerId(LAYER_DRIVER_TX);
      const first = this.txTail;
      let slot = first;
      let last = first;
      for (let s: Mbuf | null = m; s !== null; s = s.next) {
        if (s.len === 0) continue;
        segs--;
        const d = slot * DESC_SIZE;
        const addr = s.busAddr + s.off;
        const hi = Math.floor(addr / SEG);
        ring.view.setUint32(d, addr - hi * SEG, true);
        ring.view.setUint32(d + 4, hi, true);
        ring.view.setUint16(d + TXD_LENGTH, s.len, true);
        ring.u8[d + TXD_CMD] = segs === 0 ? lastCmd : TXD_CMD_IFCS;
        ring.u8[d + TXD_STATUS] = 0;
        last = slot;
        slot = slot + 1 === n ? 0 : slot + 1;
        this.txUsed++;
      }
      this.txLast[first] = last;
      this.txMbuf[last] = m;
      this.txTail = slot;
      ifp.counters.opackets++;
      ifp.counters.obytes += m.pkthdr.len;
      queued++;
    }
    if (queued > 0) {
      this.wr(E1000_TDT, this.txTail);
      ifp.watchdogTimer = this.opts.watchdogSeconds;
      this.host.armWatchdog();
    }
  }

  /**
   * Transmit completion: frees packets whose last descriptor has DD; when `restart`, re-arms or clears the
   * watchdog and restarts output if it was blocked (IFF_OACTIVE).
   */
  private txeof(restart = true): void {
    const n = this.txN;
    const u8 = this.txRing.u8;
    let freed = 0;
    while (this.txUsed > 0) {
      const first = this.txHead;
      const last = this.txLast[first];
      if ((u8[last * DESC_SIZE + TXD_STATUS] & TXD_STAT_DD) === 0) break;
      const m = this.txMbuf[last]!;
      this.txMbuf[last] = null;
      this.pool.freem(m);
      this.txUsed -= ((last - first + n) % n) + 1;
      this.txHead = last + 1 === n ? 0 : last + 1;
      freed++;
    }
    if (freed === 0 || !restart) return;
    const ifp = this.ifp;
    ifp.watchdogTimer = this.txUsed > 0 ? this.opts.watchdogSeconds : 0;
    if ((ifp.flags & IFF_OACTIVE) !== 0) {
      ifp.flags &= ~IFF_OACTIVE;
      this.start();
    }
  }

  /** Slots of the receive ring holding a buffer (device-owned or done). For tests and diagnostics. */
  get rxBuffers(): number {
    return this.rxFilled;
  }

  /** Transmit descriptors in flight. */
  get txInFlight(): number {
    return this.txUsed;
  }

  /** Device's RDH as last read (diagnostics; costs a register access). */
  readRdh(): number {
    return this.rd(E1000_RDH);
  }
}

/** The interrupt routine: acknowledge (read ICR), note the causes, defer. */
export function wmIntr(sc: E1000Driver): boolean {
  return sc.intr();
}

/** The interface's driver operations (`if_init`, `if_stop`, `if_start`, ...). */
class WmIfnetOps implements IfnetDriverOps {
  constructor(private readonly sc: E1000Driver) {}
  init(): void {
    this.sc.init();
  }
  stop(): void {
    this.sc.stop();
  }
  start(): void {
    this.sc.start();
  }
  updateFilter(): void {
    this.sc.updateFilter();
  }
  setMtu(_ifp: Ifnet, mtu: number): boolean {
    return this.sc.setMtu(mtu);
  }
  setLinkAddress(_ifp: Ifnet, addr: Uint8Array): void {
    this.sc.programAddress(addr);
  }
  watchdog(): void {
    this.sc.watchdog();
  }
}

/** Poll operations shared by every `wm` instance (the softc hangs off the context). */
const WM_POLL_OPS: PollOps = {
  poll: (ctx, budget) => (ctx.softc as E1000Driver).poll(budget),
  intrEnable: (ctx) => (ctx.softc as E1000Driver).intrEnable(),
  intrDisable: (ctx) => (ctx.softc as E1000Driver).intrDisable(),
  workPending: (ctx) => (ctx.softc as E1000Driver).workPending(),
};

function ringSize(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 8 || n > 4096 || n % 8 !== 0) {
    throw new RangeError(`wm: ${what} must be a multiple of 8 in 8..4096, got ${n}`);
  }
  return n;
}

/** `wm_match`: Intel vendor id and a device id from {@link E1000_IDS}. */
export function wmMatch(ident: DeviceIdent): number {
  if (ident.vendor !== E1000_VENDOR_INTEL) return 0;
  for (const id of E1000_IDS) if (id.device === ident.device) return 1;
  return 0;
}

/** The driver as autoconfiguration sees it. */
export const e1000Driver: DriverDescriptor = {
  name: 'wm',
  match: wmMatch,
  driver: E1000Driver,
};

/** Registers the `wm` driver (and optionally its tunables) on a platform. */
export function registerE1000(platform: Platform, options?: E1000Options): Platform {
  if (options !== undefined) platform.container.register(E1000_OPTIONS, { useValue: options });
  platform.registerDriver(e1000Driver);
  return platform;
}
