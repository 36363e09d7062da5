/**
 * `wm`: the driver for the e1000 device model — the DMA half of seed 000. This file is the softc
 * ({@link WmSoftc}): attach/detach, init/stop, the statistics tick, the watchdog, filters and MTU. The
 * data path (interrupt routine, poll, rxeof, refill, start, txeof) is its base class in `wm-datapath.ts`.
 *
 * ## How it maps to seed 000
 *
 * - **Interrupt routine** (`WmDataPath.intr`): reads ICR (which acknowledges the device and lowers the
 *   line), returns false if it was 0 (spurious), otherwise notes the causes for the poll and calls
 *   `ctx.defer()` — `<iftype>_defer(ifp)`. The framework masks the source through `intrDisable` (IMC).
 * - **Poll**: the `if_poll` continuation at softnet. It takes the pending causes (link change →
 *   `ifp.setLinkState`; receive overrun → harvest the statistics), reclaims transmit descriptors and
 *   restarts output, reaps up to `budget` packets straight to `ifp.input(m)`, and refills the ring.
 * - **No allocation in interrupt context**: receive buffers are allocated at `init` and in the poll. An
 *   empty pool leaves a slot unrefilled (`wm.rx.nobufs`): the ring shrinks and the *device* misses frames.
 *
 * ## Known state from any state
 *
 * `init` resets the chip (CTRL.RST) and programs everything it relies on — link up at the MAC (SLU),
 * addresses, filters, rings, moderation, enables — so `down` + `up` recovers from whatever was done to
 * the hardware behind the driver's back (a reset, a clobbered register), as NetBSD's `wm_init` does.
 *
 * ## Counters
 *
 * Packet drops go to `ifp.counters.drops` under {@link WmDrop}'s names, so *offered = delivered + Σ
 * drops*; the device's error counters (MPC, ROC, RUC) reach them at least once a second through the
 * statistics tick ({@link WmSoftc.tick}, `wm_tick`), at once on an overrun, and at stop.
 *
 * @module
 */
import {
  type AttachArgs,
  Callout,
  type DeviceDriver,
  type DeviceIdent,
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
  type IfnetDriverOps,
  type InjectionToken,
  type InterruptSource,
  type Mbuf,
  type Platform,
  type PollContext,
  RxBufferCache,
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
  ITR_UNIT_NS,
  RAH_AV,
  RCTL_BAM,
  RCTL_BSIZE_2048,
  RCTL_EN,
  RCTL_LPE,
  RCTL_MPE,
  RCTL_RDMTS_HALF,
  RCTL_SECRC,
  RCTL_UPE,
  RXCSUM_IPOFL,
  RXCSUM_TUOFL,
  RXD_STAT_DD,
  RXD_STAT_EOP,
  RXD_STATUS,
  STATUS_LU,
  TCTL_COLD_SHIFT,
  TCTL_CT_SHIFT,
  TCTL_EN,
  TCTL_PSP,
  mtaHash,
} from '../regs.js';
import { MAX_TX_FRAME, WM_IMS, WM_NTXSEGS, WmDataPath, descriptorWords } from './wm-datapath.js';
import { WmDrop } from './wm-drops.js';

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
  /** Receive checksum offload (RXCSUM.IPOFL/TUOFL; `csum_flags` on received packets). Default true. */
  rxChecksum?: boolean;
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

/** ITR's interval field is 16 bits (256 ns units): at most 16.78 ms between interrupts. */
const WM_ITR_MAX = 0xffff;
/** The largest `rx-usecs` that fits ITR (16,777 µs: ITR 0xFFFF, 16.78 ms). */
export const WM_MAX_RX_USECS = Math.round((WM_ITR_MAX * ITR_UNIT_NS) / 1000);
/** Largest MTU: frames of MTU + 18 bytes (header + 802.1Q tag) span 2048-byte clusters with RCTL.LPE. */
export const WM_MAX_MTU = 9000;
const ETHERMTU = 1500;
const SEG = 0x1_0000_0000;
/** Largest frame without FCS: 1518 (with an 802.1Q tag) without LPE, 16384 - 4 with it. */
const MAX_FRAME = 1518;
const MAX_FRAME_LPE = 16380;
/** The statistics tick's period in seconds (`wm_tick` runs once a second). */
const TICK_SECONDS = 1;

/**
 * The `wm` softc: one instance per e1000 device, created by autoconfiguration. It is the interface's
 * driver operations ({@link IfnetDriverOps}) and its poll context's operations itself.
 */
@injectable()
export class WmSoftc extends WmDataPath implements DeviceDriver, IfnetDriverOps {
  private line!: InterruptSource;
  private opts!: Required<E1000Options>;
  private rctlFilter = 0;
  private readonly mta = new Uint32Array(E1000_MTA_COUNT);
  /** ITR in force (256 ns units): the `itr` tunable, then what `ethtool -C rx-usecs` set. */
  private itr = 0;
  /** A poll ran since the last tick. */
  private polled = false;
  /** `wm_tick`: the once-a-second statistics harvest. */
  private readonly tickCallout = new Callout<WmSoftc>('wm.tick', (sc) => sc.tick(), this);

  constructor(@inject(HOST) host: Host) {
    super(host);
  }

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
      rxChecksum: o.rxChecksum ?? true,
    };
    this.txIde = this.opts.tidv !== 0;
    this.watchdogSeconds = this.opts.watchdogSeconds;
    if (aa.bars.length < 1 || aa.irqs.length < 1) throw new Error(`wm at ${aa.locator}: no BAR0 or no interrupt`);
    this.regs = aa.bars[0];
    this.line = aa.irqs[0];
    this.pool = host.pool;
    if (host.pool.mclbytes < this.rxBufSize) {
      throw new Error(`wm at ${aa.locator}: clusters of ${host.pool.mclbytes} bytes, receive buffers need 2048`);
    }

    this.reset();
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
    this.rxWords = descriptorWords(this.rxRing);
    this.txWords = descriptorWords(this.txRing);
    // Packed arrays (Array.from, not new Array(n).fill): V8 loads from them without hole checks.
    this.rxMbuf = Array.from({ length: this.rxN }, (): Mbuf | null => null);
    this.txMbuf = Array.from({ length: this.txN }, (): Mbuf | null => null);
    this.txLast = new Int32Array(this.txN);
    for (let i = 0; i < this.rxN; i++) this.rxMaps.push(aa.dma.createMap(`wm rx ${i}`, this.rxBufSize));
    this.rxCache = new RxBufferCache(host.pool, { name: `wm ${aa.locator} rx`, capacity: this.rxN });
    for (let i = 0; i < this.txN; i++) this.txMaps.push(aa.dma.createMap(`wm tx ${i}`, MAX_TX_FRAME, WM_NTXSEGS));

    this.ifp = host.ifAttach({
      name: 'wm',
      ifType: IFT_ETHER,
      ops: this,
      lladdr: mac,
      mtu: ETHERMTU,
      maxMtu: WM_MAX_MTU,
      flags: IFF_BROADCAST | IFF_MULTICAST,
      baudrate: 1e9,
      softc: this,
    });
    this.ctx = this.ifp.addPollContext({
      name: `${this.ifp.name}.q0`,
      ops: this,
      weight: this.opts.weight,
      maskOnDefer: true,
      capacity: this.opts.rxDescriptors - 1, // RDH == RDT means empty: one descriptor always stays free
    });
    // The itr tunable is the queue's initial rx-usecs (ethtool -c reports it).
    this.ctx.setCoalescing({ rxUsecs: Math.round((this.opts.itr * ITR_UNIT_NS) / 1000) });
    this.itr = this.opts.itr;
    host.cpu.intr.establish(this.line, IPL_NET, WmDataPath.intr, this as WmDataPath, this.ifp.name);
    this.ifp.setLinkState((this.rd(E1000_STATUS) & STATUS_LU) !== 0 ? 'up' : 'down');
  }

  /** Detaches the interface (down, then removed from the host) and releases the interrupt. */
  async detach(): Promise<void> {
    await this.host.ifDetach(this.ifp);
    this.host.callouts.stop(this.tickCallout);
    this.wr(E1000_IMC, 0xffff_ffff);
    this.wr(E1000_CTRL, CTRL_RST);
    this.host.cpu.intr.disestablish(this.line);
  }

  /**
   * `wm_reset`: chip reset (every register back to its power-on value, the MAC reloaded from the EEPROM),
   * everything masked, then link up at the MAC (SLU; the PHY — the wire's carrier — decides the rest).
   */
  private reset(): void {
    this.wr(E1000_CTRL, CTRL_RST);
    this.wr(E1000_IMC, 0xffff_ffff);
    this.wr(E1000_CTRL, CTRL_SLU | CTRL_FD);
    this.rd(E1000_ICR);
  }

  // =====================================================================================================
  // if_init / if_stop

  /**
   * `if_init` (`wm_init`): bring the chip to a known state from any state — harvest its counters, reset
   * it, then program the MAC, fill the receive ring, enable receive, transmit and interrupts, and start
   * the statistics tick.
   */
  init(): void {
    const ifp = this.ifp;
    this.harvestStats(); // what the counters hold before the reset clears them
    this.reset();
    this.icrPending = 0;
    this.programAddress(ifp.lladdr);
    this.mta.fill(0); // the reset cleared the table: updateFilter rewrites every word it needs

    // Receive ring, filled with clusters (allocation happens here, at init, and in the poll only).
    const rx = this.rxRing;
    rx.u8.fill(0);
    this.rxNext = 0;
    this.rxFill = 0;
    this.rxFilled = 0;
    this.rxAbandon();
    this.rxCache.reopen();
    this.rxMaxFrame = ifp.mtu > ETHERMTU ? MAX_FRAME_LPE : MAX_FRAME;
    this.wr(E1000_RDBAL, rx.busAddr % SEG);
    this.wr(E1000_RDBAH, Math.floor(rx.busAddr / SEG));
    this.wr(E1000_RDLEN, this.rxN * DESC_SIZE);
    this.wr(E1000_RDH, 0);
    this.wr(E1000_RDT, 0);
    this.wr(E1000_RXCSUM, this.opts.rxChecksum ? RXCSUM_IPOFL | RXCSUM_TUOFL : 0);
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
    this.wr(E1000_ITR, this.itr);
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
    this.host.callouts.reset(this.tickCallout, this.host.hz * TICK_SECONDS);
  }

  /**
   * `if_stop`: quiesce the chip (no interrupts, receiver and transmitter off), account for what the
   * device missed, and free every mbuf held by the rings so pool accounting balances after `down()`.
   */
  stop(): void {
    this.running = false;
    this.host.callouts.stop(this.tickCallout);
    this.wr(E1000_IMC, 0xffff_ffff);
    this.wr(E1000_RCTL, 0);
    this.wr(E1000_TCTL, 0);
    this.rd(E1000_ICR);
    this.icrPending = 0;
    this.harvestStats();
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
        this.rxMaps[i].unload();
        pool.freem(m);
      }
    }
    if (lost > 0) this.ifp.countDrop(WmDrop.RxFlushed, lost);
    this.rxAbandon();
    this.rxFilled = 0;
    // page_pool_destroy: cached buffers go back to the pool (buffers still in the stack follow when freed).
    this.rxCache.drain();
    let flushed = 0;
    for (let i = 0; i < this.txN; i++) {
      this.txMaps[i].unload();
      const m = this.txMbuf[i];
      if (m !== null) {
        this.txMbuf[i] = null;
        pool.freem(m);
        flushed++;
      }
    }
    if (flushed > 0) this.ifp.countDrop(WmDrop.TxFlushed, flushed);
    this.txUsed = 0;
    this.txHead = this.txTail = 0;
  }

  /** `if_watchdog`: the transmitter is stuck — stop, reset the chip (init does) and start over. */
  watchdog(): void {
    this.events['wm.watchdog.reset']++;
    this.restart();
  }

  private restart(): void {
    if (!this.running) return;
    this.stop();
    this.init();
    this.start();
  }

  /**
   * `wm_tick`, once a second while running: the device's error counters into the interface counters,
   * and a sanity check of the ring indices it reports — an index beyond its ring means the chip is
   * confused (or was reprogrammed behind the driver's back): reset and re-initialise it.
   */
  tick(): void {
    this.events['wm.tick']++;
    this.harvestStats();
    if (this.rd(E1000_RDH) >= this.rxN || this.rd(E1000_TDH) >= this.txN) {
      this.events['wm.hw.bad-index']++;
      this.restart();
      return;
    }
    // Ticks go on while the interface is busy; an idle one stops ticking (so an idle simulation is idle)
    // and the next poll starts the tick again.
    if (this.running && this.polled) this.host.callouts.reset(this.tickCallout, this.host.hz * TICK_SECONDS);
    this.polled = false;
  }

  /** The poll ran: make sure the statistics tick is armed. */
  protected pollActivity(): void {
    this.polled = true;
    if (!this.tickCallout.pending) this.host.callouts.reset(this.tickCallout, this.host.hz * TICK_SECONDS);
  }

  /** Reads the missed/oversize/undersize counters (clear on read) into the interface's drops. */
  protected harvestStats(): void {
    const ifp = this.ifp;
    const mpc = this.rd(E1000_MPC);
    if (mpc !== 0) {
      ifp.counters.ierrors += mpc;
      ifp.countDrop(WmDrop.RxMissed, mpc);
    }
    const roc = this.rd(E1000_ROC);
    if (roc !== 0) {
      ifp.counters.ierrors += roc;
      ifp.countDrop(WmDrop.RxOversize, roc);
    }
    const ruc = this.rd(E1000_RUC);
    if (ruc !== 0) {
      ifp.counters.ierrors += ruc;
      ifp.countDrop(WmDrop.RxRunt, ruc);
    }
  }

  protected linkChange(): void {
    const up = (this.rd(E1000_STATUS) & STATUS_LU) !== 0;
    const state = up ? 'up' : 'down';
    if (this.ifp.linkState !== state) {
      this.events['wm.link.changes']++;
      this.ifp.setLinkState(state);
    }
  }

  // =====================================================================================================
  // Interrupt coalescing (ethtool -C)

  /**
   * `PollOps.setCoalescing` (`e1000_set_coalesce`): `rx-usecs` becomes the interrupt throttle, ITR =
   * rx-usecs / 256 ns, written at once when running (and by every `init`) — as Linux's e1000 maps it
   * (`itr = 10^6 / rx-usecs` interrupts/s, ITR = 10^9 / (itr × 256)). ITR holds an interrupt back only
   * when the previous one was less than the interval ago, so the first frame after a quiet period still
   * interrupts at once. RDTR/RADV are left to the `rdtr`/`radv` tunables: the packet timer delays *every*
   * frame's interrupt, also at low load, which is not the coalescing rule. The 8254x has no frame-count
   * threshold, so `rx-frames` is refused (Linux's e1000 supports only `rx-usecs` too). Allocates nothing.
   */
  setCoalescing(ctx: PollContext, rxUsecs: number, rxFrames: number): void {
    if (rxFrames !== 0) {
      throw new RangeError(`${ctx.name}: rx-frames is not supported (the 8254x has no frame-count threshold)`);
    }
    if (rxUsecs > WM_MAX_RX_USECS) {
      throw new RangeError(`${ctx.name}: rx-usecs at most ${WM_MAX_RX_USECS} (ITR is 16 bits of 256 ns)`);
    }
    const itr = Math.min(WM_ITR_MAX, Math.round((rxUsecs * 1000) / ITR_UNIT_NS));
    this.itr = itr;
    if (this.running) this.wr(E1000_ITR, itr);
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

  /** `setLinkAddress`: the new station address into RAL0/RAH0. */
  setLinkAddress(_ifp: unknown, addr: Uint8Array): void {
    this.programAddress(addr);
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
  setMtu(_ifp: unknown, mtu: number): boolean {
    if (mtu > WM_MAX_MTU) return false;
    const jumbo = mtu > ETHERMTU;
    if (this.running && jumbo !== this.ifp.mtu > ETHERMTU) {
      const v = this.rd(E1000_RCTL);
      this.wr(E1000_RCTL, jumbo ? v | RCTL_LPE : v & ~RCTL_LPE);
    }
    this.rxMaxFrame = jumbo ? MAX_FRAME_LPE : MAX_FRAME;
    return true;
  }

  // =====================================================================================================
  // Diagnostics

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
  driver: WmSoftc,
};

/** Registers the `wm` driver (and optionally its tunables) on a platform. */
export function registerE1000(platform: Platform, options?: E1000Options): Platform {
  if (options !== undefined) platform.container.register(E1000_OPTIONS, { useValue: options });
  platform.registerDriver(e1000Driver);
  return platform;
}
