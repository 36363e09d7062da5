/**
 * `ne`: the driver for NE2000-compatible (DP8390) cards — the PIO half of seed 000. This file holds the
 * softc's autoconfiguration, the card's set-up (reset, PROM, memory probe), `if_init`/`if_stop` and the
 * receive filter; the data path is in `ne-datapath.ts` ({@link NeDataPath}).
 *
 * ## How it maps to seed 000
 *
 * - **Interrupt routine** ({@link neIntr} → `service()`): reads ISR; for received frames it takes a
 *   *pre-allocated* mbuf from the softc's free queue ({@link RxPrealloc}), copies the frame in from the
 *   card's ring by remote DMA through the data port (`readMulti16`: `bus_space_read_multi_2`), puts the
 *   mbuf on the softc's completed queue and gives the ring pages back (BNRY); then it calls `ctx.defer()`
 *   — `ne_defer(ifp)`. It never allocates. No free mbuf: the frame is skipped in the ring (counted,
 *   `ne.rx.nobufs`), the pre-allocation target grows, and the routine leaves the rest of the ring to the
 *   poll, masking the per-packet causes until the poll has run (no livelock inside the routine).
 * - **The source stays unmasked** (`maskOnDefer: false`): the card holds only a few milliseconds of
 *   traffic in its ring, so it must keep being drained while the poll runs. When the mitigation policy
 *   decides the card interrupts too often, the poll context masks the per-packet causes (OVW and CNT stay
 *   enabled) and the tick-driven poll drains the card itself, by the same port I/O, at softnet.
 * - **Poll** (`poll()`): tops the free queue up to the target (allocation is allowed here), drains the card
 *   when masked, handles transmit completions and errors and restarts output, hands up to `budget`
 *   completed mbufs to `ifp.input` — dispatch by table lookup, no queue in between — tops up again, and
 *   returns the work done (a full budget means "poll me again").
 * - **Overflow** (`overrun()`): the DP8390's prescribed recovery — remember TXP, STOP, clear RBCR, wait for
 *   RST (at most 1.6 ms), note whether an interrupted transmission must be resent, loopback, START, take a
 *   frame out, acknowledge OVW, leave loopback, resend, drain the rest.
 * - **Transmit** (`start()`): each packet is copied into one of two 6-page transmit buffers on the card by
 *   remote-DMA write (and freed: the card has the bytes now), then sent with TPSR, TBCR and CR.TXP; while
 *   one buffer is on the wire the other is filled.
 *
 * The driver reaches the card only through its `BusSpace` (port reads and writes) and its interrupt line,
 * initialises it in the data sheet's order and assumes nothing a faithful DP8390 would not give: every
 * wait is bounded, every value read back is checked.
 *
 * @module
 */
import {
  type AttachArgs,
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
  type Platform,
  inject,
  injectable,
} from '@ifnet/core';
import { marIndex } from '../mar-hash.js';
import {
  CR_PAGE1,
  CR_RD_ABORT,
  CR_STA,
  CR_STP,
  DCR_FT1,
  DCR_LS,
  DCR_WTS,
  DP_BNRY,
  DP_CR,
  DP_CURR,
  DP_DCR,
  DP_IMR,
  DP_ISR,
  DP_MAR0,
  DP_PAGE_SIZE,
  DP_PAR0,
  DP_PSTART,
  DP_PSTOP,
  DP_RBCR0,
  DP_RBCR1,
  DP_RCR,
  DP_TCR,
  DP_TPSR,
  ISR_RST,
  NE_PROM_SIGNATURE,
  NE_PROM_SIZE,
  NE_RAM_START_PAGE,
  NE_RESET,
  RCR_AB,
  RCR_AM,
  RCR_PRO,
  RTL_DEV_8029,
  RTL_VENDOR_REALTEK,
  TCR_LB0,
} from '../regs.js';
import { NeDrop } from './ne-drops.js';
import { RemoteDma } from './remote-dma.js';
import { RxPrealloc } from './rx-prealloc.js';
import { NE_IMR, NE_TX_PAGES, NeDataPath, neIntr } from './ne-datapath.js';

/** Tunables of the `ne` driver (platform-wide; see {@link registerNe2000}). */
export interface Ne2000Options {
  /**
   * Pre-allocated receive mbufs: initial target, lower and upper bound. Defaults 64 (a full ring of
   * minimum frames, 51, empties without a drop), 4 and 256.
   */
  rxBuffers?: number;
  rxBuffersMin?: number;
  rxBuffersMax?: number;
  /** Poll budget (NAPI weight). Default 64. */
  weight?: number;
  /** Transmit watchdog in seconds (`if_timer`). Default 5. */
  watchdogSeconds?: number;
  /** The overflow recovery's wait after STOP, ns. Default 1.6 ms (the data sheet's minimum). */
  overflowWaitNs?: number;
}

/** Optional platform registration of {@link Ne2000Options} (done by {@link registerNe2000}). */
export const NE2000_OPTIONS: InjectionToken<Ne2000Options> = Symbol.for('@ifnet/ne2000:OPTIONS');

const ETHERMTU = 1500;

/**
 * The `ne` softc: one per NE2000 card, created by autoconfiguration.
 */
@injectable()
export class Ne2000Driver extends NeDataPath implements DeviceDriver, IfnetDriverOps {
  /** First page after the card's packet RAM (0x80 for 16 KiB, 0xC0 for 32 KiB). */
  ramEndPage = 0;
  private rcr = RCR_AB;
  private readonly mar = new Uint8Array(8);

  constructor(@inject(HOST) host: Host) {
    super(host);
  }

  // =====================================================================================================
  // Autoconfiguration

  attach(aa: AttachArgs): void {
    const host = this.host;
    const c = host.container;
    const o = c.isRegistered(NE2000_OPTIONS, true) ? c.resolve(NE2000_OPTIONS) : {};
    this.opts = {
      rxBuffers: o.rxBuffers ?? 64,
      rxBuffersMin: o.rxBuffersMin ?? 4,
      rxBuffersMax: o.rxBuffersMax ?? 256,
      weight: o.weight ?? 64,
      watchdogSeconds: o.watchdogSeconds ?? 5,
      overflowWaitNs: o.overflowWaitNs ?? 1_600_000,
    };
    if (aa.bars.length < 1 || aa.irqs.length < 1) throw new Error(`ne at ${aa.locator}: no I/O ports or no interrupt`);
    this.regs = aa.bars[0];
    this.line = aa.irqs[0];
    this.dma = new RemoteDma(this.regs);
    this.rx = new RxPrealloc(host.pool, {
      initial: this.opts.rxBuffers,
      min: this.opts.rxBuffersMin,
      max: this.opts.rxBuffersMax,
    });

    if (!this.resetCard()) throw new Error(`ne at ${aa.locator}: the card did not set ISR.RST after a reset`);
    const mac = this.readProm(aa.locator);
    this.ramEndPage = this.probeMemory(aa.locator);
    // Two transmit buffers at the start of the RAM, the receive ring after them.
    this.rxStart = NE_RAM_START_PAGE + 2 * NE_TX_PAGES;
    this.rxStop = this.ramEndPage;

    this.ifp = host.ifAttach({
      name: 'ne',
      ifType: IFT_ETHER,
      ops: this,
      lladdr: mac,
      mtu: ETHERMTU,
      flags: IFF_BROADCAST | IFF_MULTICAST,
      baudrate: 10e6,
      softc: this,
    });
    this.ctx = this.ifp.addPollContext({
      name: `${this.ifp.name}.rx`,
      ops: this,
      weight: this.opts.weight,
      // PIO: the card must keep being drained while the poll runs.
      maskOnDefer: false,
      // Minimum frames fit one page each: the ring holds (pages - 1) of them between two drains.
      capacity: this.rxStop - this.rxStart - 1,
    });
    host.cpu.intr.establish(this.line, IPL_NET, neIntr, this as NeDataPath, this.ifp.name);
  }

  async detach(): Promise<void> {
    await this.host.ifDetach(this.ifp);
    this.resetCard();
    this.host.cpu.intr.disestablish(this.line);
  }

  // =====================================================================================================
  // Card set-up

  /** Reset through the reset port and wait (bounded) for ISR.RST. Leaves the card stopped, ISR clear. */
  private resetCard(): boolean {
    const r = this.regs;
    r.write8(NE_RESET, r.read8(NE_RESET));
    let ok = false;
    for (let i = 0; i < 200 && !ok; i++) {
      if ((r.read8(DP_ISR) & ISR_RST) !== 0) ok = true;
      else this.delay(10_000);
    }
    r.write8(DP_CR, CR_STP | CR_RD_ABORT);
    r.write8(DP_IMR, 0);
    r.write8(DP_ISR, 0xff);
    return ok;
  }

  /**
   * Reads the station address PROM (32 bytes at card address 0, by remote DMA in byte mode) and decides
   * the data-port width: an NE2000 presents each PROM byte twice and has 0x57 0x57 at bytes 14-15.
   */
  private readProm(locator: string): Uint8Array {
    const r = this.regs;
    r.write8(DP_DCR, DCR_LS | DCR_FT1); // byte mode
    r.write8(DP_RBCR0, 0);
    r.write8(DP_RBCR1, 0);
    r.write8(DP_TCR, TCR_LB0);
    this.dma.wordMode = false;
    const raw = new Uint8Array(NE_PROM_SIZE);
    this.dma.read(0, raw, 0, NE_PROM_SIZE);
    this.dma.ackRead();
    r.write8(DP_CR, CR_STP | CR_RD_ABORT);
    let doubled = true;
    for (let i = 0; i < NE_PROM_SIZE; i += 2) if (raw[i] !== raw[i + 1]) doubled = false;
    const prom = new Uint8Array(16);
    for (let i = 0; i < 16; i++) prom[i] = doubled ? raw[2 * i] : raw[i];
    if (!doubled || prom[14] !== NE_PROM_SIGNATURE || prom[15] !== NE_PROM_SIGNATURE) {
      throw new Error(`ne at ${locator}: no NE2000 signature in the station address PROM (an 8-bit NE1000?)`);
    }
    this.dma.wordMode = true;
    r.write8(DP_DCR, DCR_WTS | DCR_LS | DCR_FT1);
    const mac = prom.slice(0, 6);
    if ((mac[0] & 1) !== 0 || mac.every((b) => b === 0)) {
      throw new Error(`ne at ${locator}: the PROM holds no valid station address`);
    }
    return mac;
  }

  /**
   * Finds the packet RAM: 16 KiB at 0x4000 must answer a write/read-back test; 32 KiB when 0x8000 also
   * holds a pattern without disturbing 0x4000. Returns the first page after the RAM.
   */
  private probeMemory(locator: string): number {
    const probe = (page: number, pattern: number): boolean => {
      const buf = this.txbuf;
      for (let i = 0; i < 8; i++) buf[i] = (pattern + i * 37) & 0xff;
      if (!this.dma.write(page * DP_PAGE_SIZE, buf, 0, 8)) return false;
      const back = this.hdr;
      for (let off = 0; off < 8; off += 4) {
        this.dma.read(page * DP_PAGE_SIZE + off, back, 0, 4);
        for (let i = 0; i < 4; i++) if (back[i] !== buf[off + i]) return false;
      }
      this.dma.ackRead();
      return true;
    };
    const r = this.regs;
    r.write8(DP_CR, CR_STA | CR_RD_ABORT); // remote DMA with the card started in loopback
    const base = probe(NE_RAM_START_PAGE, 0x5a);
    const high = base && probe(0x80, 0xa5) && probe(NE_RAM_START_PAGE, 0x3c) && probe(0x80, 0xc3);
    let still = high;
    if (high) {
      // 0x4000 must still hold its pattern: a card that mirrors 0x8000 onto 0x4000 has 16 KiB.
      this.dma.read(NE_RAM_START_PAGE * DP_PAGE_SIZE, this.hdr, 0, 4);
      this.dma.ackRead();
      still = this.hdr[0] === 0x3c;
    }
    r.write8(DP_CR, CR_STP | CR_RD_ABORT);
    if (!base) throw new Error(`ne at ${locator}: no packet RAM answers at card address 0x4000`);
    return still ? 0xc0 : 0x80;
  }

  // =====================================================================================================
  // if_init / if_stop

  /** `if_init`: the DP8390 initialisation sequence, in the data sheet's order. */
  init(): void {
    const r = this.regs;
    const ifp = this.ifp;
    this.computeFilter();
    r.write8(DP_CR, CR_STP | CR_RD_ABORT); // 1. page 0, stopped
    r.write8(DP_DCR, DCR_WTS | DCR_LS | DCR_FT1); // 2. word transfers, normal (not loopback) select
    r.write8(DP_RBCR0, 0); // 3. clear the remote byte count
    r.write8(DP_RBCR1, 0);
    r.write8(DP_RCR, this.rcr); // 4. receive configuration
    r.write8(DP_TCR, TCR_LB0); // 5. loopback while setting up
    r.write8(DP_TPSR, NE_RAM_START_PAGE); // 6. the ring (BNRY one page behind the first to read)
    r.write8(DP_PSTART, this.rxStart);
    r.write8(DP_BNRY, this.rxStop - 1);
    r.write8(DP_PSTOP, this.rxStop);
    r.write8(DP_ISR, 0xff); // 7. clear every cause
    this.imr = NE_IMR;
    this.masked = false;
    this.starved = false;
    this.imrNow = NE_IMR;
    r.write8(DP_IMR, NE_IMR); // 8. interrupt mask
    r.write8(DP_CR, CR_PAGE1 | CR_STP | CR_RD_ABORT); // 9. page 1: address, multicast filter, CURR
    for (let i = 0; i < 6; i++) r.write8(DP_PAR0 + i, ifp.lladdr[i]);
    for (let i = 0; i < 8; i++) r.write8(DP_MAR0 + i, this.mar[i]);
    r.write8(DP_CURR, this.rxStart);
    r.write8(DP_CR, CR_STA | CR_RD_ABORT); // 10. start (still in loopback)
    r.write8(DP_TCR, 0); // 11. normal transmit configuration: on the network
    this.dma.run = CR_STA;
    this.rxNext = this.rxStart;
    this.txLen.fill(0);
    this.txCur = -1;
    this.txFill = 0;
    this.txCompleted = 0;
    this.rx.refill();
    this.lastShrinkTick = this.host.ticks;
    this.running = true;
    ifp.setLinkState('up'); // a DP8390 has no link status: assume a link once started
  }

  /**
   * `if_stop`: stop the card (no interrupts, receiver and transmitter off), account for every frame still
   * on it or in the completed queue, and free the pre-allocated mbufs so the pool balances after `down()`.
   */
  stop(): void {
    const r = this.regs;
    const ifp = this.ifp;
    this.running = false;
    this.imrNow = 0;
    r.write8(DP_IMR, 0);
    r.write8(DP_CR, CR_STP | CR_RD_ABORT);
    r.write8(DP_RBCR0, 0);
    r.write8(DP_RBCR1, 0);
    this.dma.run = CR_STP;
    this.harvestCounters();
    const inRing = this.countRing();
    if (inRing > 0) ifp.countDrop(NeDrop.RxFlushed, inRing);
    const completed = this.rx.flush();
    if (completed > 0) ifp.countDrop(NeDrop.RxFlushed, completed);
    let tx = 0;
    for (let i = 0; i < 2; i++) if (this.txLen[i] !== 0) tx++;
    if (tx > 0) ifp.countDrop(NeDrop.TxFlushed, tx);
    this.txLen.fill(0);
    this.txCur = -1;
    r.write8(DP_ISR, 0xff);
    ifp.flags &= ~IFF_OACTIVE;
    ifp.watchdogTimer = 0;
  }

  /** `if_watchdog`: the transmitter is stuck — reset the card and start over. */
  watchdog(): void {
    this.events['ne.watchdog.reset']++;
    if (!this.running) return;
    this.stop();
    this.resetCard();
    this.init();
    this.start();
  }

  // =====================================================================================================
  // Receive filter

  /** RCR and MAR from the interface flags and joined groups. */
  private computeFilter(): void {
    const ifp = this.ifp;
    const mar = this.mar;
    mar.fill(0);
    let rcr = RCR_AB;
    if ((ifp.flags & IFF_PROMISC) !== 0) rcr |= RCR_PRO | RCR_AM;
    if ((ifp.flags & (IFF_ALLMULTI | IFF_PROMISC)) !== 0) mar.fill(0xff);
    else {
      const addr = new Uint8Array(6);
      for (const hex of ifp.multicast) {
        for (let i = 0; i < 6; i++) addr[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
        const idx = marIndex(addr);
        mar[idx >> 3] |= 1 << (idx & 7);
      }
    }
    if ((ifp.flags & IFF_ALLMULTI) !== 0 || ifp.multicast.size > 0) rcr |= RCR_AM;
    this.rcr = rcr;
  }

  /** IFF_PROMISC → RCR.PRO, IFF_ALLMULTI → all MAR bits, joined groups → MAR hash bits. */
  updateFilter(): void {
    this.computeFilter();
    if (!this.running) return;
    const r = this.regs;
    const s = this.host.cpu.splnet();
    r.write8(DP_CR, CR_PAGE1 | CR_STA | CR_RD_ABORT);
    for (let i = 0; i < 8; i++) r.write8(DP_MAR0 + i, this.mar[i]);
    r.write8(DP_CR, CR_STA | CR_RD_ABORT);
    r.write8(DP_RCR, this.rcr);
    this.host.cpu.splx(s);
  }

  /** `setLinkAddress`: programs PAR0-5 with `addr`. */
  setLinkAddress(_ifp: unknown, addr: Uint8Array): void {
    const r = this.regs;
    const s = this.host.cpu.splnet();
    const run = this.running ? CR_STA : CR_STP;
    r.write8(DP_CR, CR_PAGE1 | run | CR_RD_ABORT);
    for (let i = 0; i < 6; i++) r.write8(DP_PAR0 + i, addr[i]);
    r.write8(DP_CR, run | CR_RD_ABORT);
    this.host.cpu.splx(s);
  }
}

/** `ne_pci_match`: the RTL8029, an NE2000-compatible PCI card. */
export function neMatch(ident: DeviceIdent): number {
  return ident.vendor === RTL_VENDOR_REALTEK && ident.device === RTL_DEV_8029 ? 1 : 0;
}

/** The driver as autoconfiguration sees it. */
export const ne2000Driver: DriverDescriptor = {
  name: 'ne',
  match: neMatch,
  driver: Ne2000Driver,
};

/** Registers the `ne` driver (and optionally its tunables) on a platform. */
export function registerNe2000(platform: Platform, options?: Ne2000Options): Platform {
  if (options !== undefined) platform.container.register(NE2000_OPTIONS, { useValue: options });
  platform.registerDriver(ne2000Driver);
  return platform;
}
