/**
 * `ne`: the driver for NE2000-compatible (DP8390) cards — the PIO half of seed 000.
 *
 * ## How it maps to seed 000
 *
 * - **Interrupt routine** ({@link neIntr} → {@link Ne2000Driver.service}): reads ISR; for received frames
 *   it takes a *pre-allocated* mbuf from the softc's free queue ({@link RxPrealloc}), copies the frame in
 *   from the card's ring by remote DMA through the data port (`readMulti16`: `bus_space_read_multi_2`),
 *   puts the mbuf on the softc's completed queue and gives the ring pages back (BNRY); then it calls
 *   `ctx.defer()` — `ne_defer(ifp)`. It never allocates. No free mbuf: the frame is skipped in the ring
 *   (counted, `ne.rx.nobufs`) and the pre-allocation target grows.
 * - **The source stays unmasked** (`maskOnDefer: false`): the card holds only a few milliseconds of
 *   traffic in its ring, so it must keep being drained while the poll runs. When the mitigation policy
 *   decides the card interrupts too often, the poll context masks it (IMR = 0) and the tick-driven poll
 *   drains the card itself, by the same port I/O, at softnet (under `splnet`).
 * - **Poll** ({@link Ne2000Driver.poll}): tops the free queue up to the target (allocation is allowed
 *   here), drains the card when masked, handles transmit completions and errors and restarts output, hands
 *   up to `budget` completed mbufs to `ifp.input` — dispatch by table lookup, no queue in between — tops up
 *   again, and returns the work done (a full budget means "poll me again").
 * - **Overflow** ({@link Ne2000Driver.overrun}): the DP8390's prescribed recovery — remember TXP, STOP,
 *   wait 1.6 ms, clear RBCR, note whether an interrupted transmission must be resent, loopback, START,
 *   drain the ring, acknowledge OVW, leave loopback, resend.
 * - **Transmit** ({@link Ne2000Driver.start}): each packet is copied into one of two 6-page transmit
 *   buffers on the card by remote-DMA write (and freed: the card has the bytes now), then sent with TPSR,
 *   TBCR and CR.TXP; while one buffer is on the wire the other is filled.
 *
 * The driver reaches the card only through its `BusSpace` (port reads and writes) and its interrupt line,
 * initialises it in the data sheet's order and assumes nothing a faithful DP8390 would not give: every
 * wait is bounded, every value read back is checked.
 *
 * @module
 */
import {
  type AttachArgs,
  type BusSpace,
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
  type Ifnet,
  type IfnetDriverOps,
  type InjectionToken,
  type InterruptSource,
  LAYER_DRIVER_RX,
  LAYER_DRIVER_TX,
  M_BCAST,
  M_MCAST,
  type Platform,
  type PollContext,
  type PollOps,
  inject,
  injectable,
  m_copydata,
} from '@ifnet/core';
import { marIndex } from '../mar-hash.js';
import {
  CR_PAGE1,
  CR_RD_ABORT,
  CR_STA,
  CR_STP,
  CR_TXP,
  DCR_FT1,
  DCR_LS,
  DCR_WTS,
  DP_BNRY,
  DP_CNTR0,
  DP_CNTR1,
  DP_CNTR2,
  DP_CR,
  DP_CURR,
  DP_DCR,
  DP_IMR,
  DP_ISR,
  DP_MAR0,
  DP_NCR,
  DP_PAGE_SIZE,
  DP_PAR0,
  DP_PSTART,
  DP_PSTOP,
  DP_RBCR0,
  DP_RBCR1,
  DP_RCR,
  DP_RX_HDR_SIZE,
  DP_TBCR0,
  DP_TBCR1,
  DP_TCR,
  DP_TPSR,
  DP_TSR,
  ISR_CNT,
  ISR_OVW,
  ISR_PRX,
  ISR_PTX,
  ISR_RST,
  ISR_RXE,
  ISR_TXE,
  NE_PROM_SIGNATURE,
  NE_PROM_SIZE,
  NE_RAM_START_PAGE,
  NE_RESET,
  RCR_AB,
  RCR_AM,
  RCR_PRO,
  RSR_PRX,
  RTL_DEV_8029,
  RTL_VENDOR_REALTEK,
  TCR_LB0,
  TSR_ABT,
  TSR_COL,
  TSR_CRS,
  TSR_FU,
  TSR_OWC,
} from '../regs.js';
import { RemoteDma } from './remote-dma.js';
import { RxPrealloc } from './rx-prealloc.js';

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

/** Interrupt causes the driver enables (RDC is polled, never taken as an interrupt). */
export const NE_IMR = ISR_PRX | ISR_PTX | ISR_RXE | ISR_TXE | ISR_OVW | ISR_CNT;
/** Causes left unmasked in tick mode: the ones that must not wait for a tick. */
export const NE_IMR_TICK = ISR_OVW | ISR_CNT;
/** Each of the two transmit buffers: 6 pages hold a 1514-byte frame. */
export const NE_TX_PAGES = 6;
const ETHERMTU = 1500;
const ETHER_MAX_LEN = 1514;
const ETHER_MIN_LEN = 60;
/** Longest frame a card may report: 1518 (with an 802.1Q tag) + an FCS the part may store. */
const MAX_RX_LEN = 1522;
/** ISR rounds per interrupt before the routine returns (the line stays asserted if work is left). */
const MAX_SERVICE_ROUNDS = 10;

/** Driver events that are not packet drops. */
export interface NeEvents {
  /** Receive ring overflows recovered (OVW). */
  'ne.overflow': number;
  /** Transmissions cut by an overflow's STOP and resent. */
  'ne.tx.resend': number;
  /** Remote writes whose RDC never came (the card was reset). */
  'ne.rdc-timeout': number;
  /** Chip resets by the transmit watchdog. */
  'ne.watchdog.reset': number;
  /** `start` found both transmit buffers busy and set IFF_OACTIVE. */
  'ne.tx.busy': number;
}

/**
 * The `ne` softc: one per NE2000 card, created by autoconfiguration.
 */
@injectable()
export class Ne2000Driver implements DeviceDriver {
  ifp!: Ifnet;
  ctx!: PollContext;
  /** The free and completed queues of pre-allocated receive mbufs (seed 000's PIO buffering). */
  rx!: RxPrealloc;
  readonly events: NeEvents = {
    'ne.overflow': 0,
    'ne.tx.resend': 0,
    'ne.rdc-timeout': 0,
    'ne.watchdog.reset': 0,
    'ne.tx.busy': 0,
  };
  /** Interrupts that found nothing enabled in ISR. */
  spurious = 0;
  /** First page after the card's packet RAM (0x80 for 16 KiB, 0xC0 for 32 KiB). */
  ramEndPage = 0;
  /** The receive ring: pages [rxStart, rxStop). */
  rxStart = 0;
  rxStop = 0;

  private regs!: BusSpace;
  private line!: InterruptSource;
  private dma!: RemoteDma;
  private opts!: Required<Ne2000Options>;
  private running = false;
  /** The card's interrupts are masked (tick mode): the poll drains it. */
  private masked = false;
  /** The IMR value while unmasked. */
  private imr = NE_IMR;
  /** The next ring page to read (BNRY + 1). */
  private rxNext = 0;
  private rcr = RCR_AB;
  private readonly mar = new Uint8Array(8);
  /** Receive header and transmit staging buffers (allocated once). */
  private readonly hdr = new Uint8Array(DP_RX_HDR_SIZE);
  private readonly txbuf = new Uint8Array(ETHER_MAX_LEN + 2);
  /** Transmit buffers: length loaded (0 = free), the one on the wire (-1: none), the next to fill. */
  private readonly txLen = new Int32Array(2);
  private txCur = -1;
  private txFill = 0;
  /** Transmit completions seen by the interrupt routine, for the poll to restart output. */
  private txCompleted = 0;
  /** Host tick of the last pre-allocation shrink check. */
  private lastShrinkTick = 0;

  constructor(@inject(HOST) private readonly host: Host) {}

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
      ops: new NeIfnetOps(this),
      lladdr: mac,
      mtu: ETHERMTU,
      flags: IFF_BROADCAST | IFF_MULTICAST,
      baudrate: 10e6,
      softc: this,
    });
    this.ctx = this.ifp.addPollContext({
      name: `${this.ifp.name}.rx`,
      ops: NE_POLL_OPS,
      weight: this.opts.weight,
      // PIO: the card must keep being drained while the poll runs.
      maskOnDefer: false,
      // Minimum frames fit one page each: the ring holds (pages - 1) of them between two drains.
      capacity: this.rxStop - this.rxStart - 1,
    });
    this.ctx.softc = this;
    host.cpu.intr.establish(this.line, IPL_NET, neIntr, this as Ne2000Driver, this.ifp.name);
  }

  async detach(): Promise<void> {
    await this.host.ifDetach(this.ifp);
    this.resetCard();
    this.host.cpu.intr.disestablish(this.line);
  }

  // =====================================================================================================
  // Card set-up

  /** A bounded busy wait (`DELAY`): charged to the CPU on the virtual clock, spun on the real one. */
  private delay(ns: number): void {
    const cpu = this.host.cpu;
    const until = cpu.now() + ns;
    cpu.charge(ns);
    while (cpu.now() < until) {
      /* real clock: spin */
    }
  }

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
    r.write8(DP_IMR, 0);
    r.write8(DP_CR, CR_STP | CR_RD_ABORT);
    r.write8(DP_RBCR0, 0);
    r.write8(DP_RBCR1, 0);
    this.dma.run = CR_STP;
    this.harvestCounters();
    const inRing = this.countRing();
    if (inRing > 0) ifp.countDrop('ne.rx.flushed', inRing);
    const completed = this.rx.flush();
    if (completed > 0) ifp.countDrop('ne.rx.flushed', completed);
    let tx = 0;
    for (let i = 0; i < 2; i++) if (this.txLen[i] !== 0) tx++;
    if (tx > 0) ifp.countDrop('ne.tx.flushed', tx);
    this.txLen.fill(0);
    this.txCur = -1;
    r.write8(DP_ISR, 0xff);
    ifp.flags &= ~IFF_OACTIVE;
    ifp.watchdogTimer = 0;
  }

  /** Frames received into the ring but not read (walked by their headers, bounded by the ring size). */
  private countRing(): number {
    const curr = this.readCurr();
    let page = this.rxNext;
    let n = 0;
    for (let guard = this.rxStop - this.rxStart; page !== curr && guard > 0; guard--) {
      this.dma.read(page * DP_PAGE_SIZE, this.hdr, 0, DP_RX_HDR_SIZE);
      const next = this.hdr[1];
      if (next < this.rxStart || next >= this.rxStop) break;
      n++;
      page = next;
    }
    this.dma.ackRead();
    return n;
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

  /** Programs PAR0-5 with `addr`. */
  programAddress(addr: Uint8Array): void {
    const r = this.regs;
    const s = this.host.cpu.splnet();
    const run = this.running ? CR_STA : CR_STP;
    r.write8(DP_CR, CR_PAGE1 | run | CR_RD_ABORT);
    for (let i = 0; i < 6; i++) r.write8(DP_PAR0 + i, addr[i]);
    r.write8(DP_CR, run | CR_RD_ABORT);
    this.host.cpu.splx(s);
  }

  // =====================================================================================================
  // Interrupt side

  /**
   * Services the card's causes until ISR shows none enabled (at most {@link MAX_SERVICE_ROUNDS} rounds):
   * overflow recovery, the receive drain into pre-allocated mbufs, transmit completion, the tally
   * counters. Runs in the interrupt routine, or at softnet under `splnet` when the card is masked.
   * Allocates nothing. Returns the ISR causes seen.
   */
  service(enabled: number): number {
    const r = this.regs;
    let seen = 0;
    let isr = r.read8(DP_ISR);
    for (let round = 0; round < MAX_SERVICE_ROUNDS; round++) {
      const causes = isr & enabled;
      if (causes === 0) break;
      seen |= causes;
      if ((causes & ISR_OVW) !== 0) {
        this.overrun();
      } else if ((causes & (ISR_PRX | ISR_RXE)) !== 0) {
        // Acknowledge first: a frame arriving during the drain raises PRX again.
        r.write8(DP_ISR, causes & (ISR_PRX | ISR_RXE));
        this.rxDrain(0);
      }
      if ((causes & (ISR_PTX | ISR_TXE)) !== 0) {
        r.write8(DP_ISR, causes & (ISR_PTX | ISR_TXE));
        this.txIntr(causes);
      }
      if ((causes & (ISR_CNT | ISR_RXE)) !== 0) {
        // Missed frames raise RXE and count in CNTR2: account for them now, not only at overflow.
        this.harvestCounters();
        r.write8(DP_ISR, ISR_CNT);
      }
      isr = r.read8(DP_ISR);
    }
    return seen;
  }

  /** @internal Called by {@link neIntr}. */
  intr(): boolean {
    if (!this.running) {
      // Not ours to service now: quiet the card (a stale assertion).
      this.regs.write8(DP_IMR, 0);
      this.spurious++;
      return false;
    }
    // In tick mode only OVW and CNT interrupt; the rest waits for the tick's poll.
    if (this.service(this.masked ? NE_IMR_TICK : this.imr) === 0) {
      this.spurious++;
      return false;
    }
    this.ctx.defer();
    return true;
  }

  /** The card's current page (CURR is on page 1). */
  private readCurr(): number {
    const r = this.regs;
    const run = this.dma.run;
    r.write8(DP_CR, CR_PAGE1 | run | CR_RD_ABORT);
    const curr = r.read8(DP_CURR);
    r.write8(DP_CR, run | CR_RD_ABORT);
    return curr;
  }

  /**
   * Reads every frame between BNRY + 1 and CURR: header by remote DMA, sanity checks (the card is not
   * trusted), the frame into a pre-allocated mbuf onto the completed queue — or skipped and counted when
   * no mbuf is free — and BNRY advanced behind it.
   */
  private rxDrain(max: number): void {
    const _r = this.regs;
    const ifp = this.ifp;
    const cpu = this.host.cpu;
    const rx = this.rx;
    const dma = this.dma;
    const hdr = this.hdr;
    const start = this.rxStart;
    const stop = this.rxStop;
    const ringPages = stop - start;
    let curr = this.readCurr();
    // Frames per drain: `max`, or (0) a bound against a card that keeps moving CURR.
    let guard = max > 0 ? max : 2 * ringPages;
    while (this.rxNext !== curr && guard-- > 0) {
      const page = this.rxNext;
      dma.read(page * DP_PAGE_SIZE, hdr, 0, DP_RX_HDR_SIZE);
      const status = hdr[0];
      const next = hdr[1];
      const count = hdr[2] | (hdr[3] << 8);
      const len = count - DP_RX_HDR_SIZE;
      const expect = page + Math.ceil(count / DP_PAGE_SIZE);
      const expected = expect >= stop ? expect - ringPages : expect;
      if (
        next < start ||
        next >= stop ||
        (next !== expected && next !== (expected + 1 === stop ? start : expected + 1))
      ) {
        // A header we cannot follow: give the whole ring back (what cannot be read is lost).
        ifp.counters.ierrors++;
        ifp.countDrop('ne.rx.bad-header');
        this.rxNext = curr;
        this.setBnry(curr);
        curr = this.readCurr();
        continue;
      }
      cpu.chargeLayerId(LAYER_DRIVER_RX);
      if ((status & RSR_PRX) === 0) {
        ifp.counters.ierrors++;
        ifp.countDrop('ne.rx.error');
      } else if (len < ETHER_MIN_LEN || len > MAX_RX_LEN) {
        ifp.counters.ierrors++;
        ifp.countDrop('ne.rx.bad-length');
      } else {
        const m = rx.take();
        if (m === null) {
          ifp.countInputDrop('ne.rx.nobufs');
        } else {
          const o = m.off;
          const a = page * DP_PAGE_SIZE + DP_RX_HDR_SIZE;
          const toEnd = stop * DP_PAGE_SIZE - a;
          if (len <= toEnd) dma.read(a, m.buf, o, len);
          else {
            // The frame wraps: the part of it at the ring's end, then the rest from PSTART.
            dma.read(a, m.buf, o, toEnd);
            dma.read(start * DP_PAGE_SIZE, m.buf, o + toEnd, len - toEnd);
          }
          m.len = len;
          m.pkthdr.len = len;
          const b = m.buf;
          if ((b[o] & 1) !== 0) {
            m.flags |= (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff ? M_BCAST : M_MCAST;
          }
          if (!rx.complete(m)) ifp.dropInput(m, 'ne.rx.qfull');
        }
      }
      this.rxNext = next;
      this.setBnry(next);
      if (this.rxNext === curr) curr = this.readCurr();
    }
    dma.ackRead();
  }

  /** Gives the pages before `next` back to the card: BNRY = next - 1 (wrapping to PSTOP - 1). */
  private setBnry(next: number): void {
    this.regs.write8(DP_BNRY, next === this.rxStart ? this.rxStop - 1 : next - 1);
  }

  /**
   * The DP8390's receive-ring overflow recovery. The card wedges its receiver after an overflow; only
   * this sequence brings it back without losing what is in the ring (and without resending a frame that
   * was already sent, or losing one the STOP cut short). The card neither receives while stopped nor
   * while in loopback — frames on the wire then are lost without a trace in any counter — so both windows
   * are kept short: the wait ends as soon as ISR.RST says the card has stopped (a DP8390D stops within
   * microseconds once RBCR is clear), bounded by the data sheet's 1.6 ms; and only one frame is taken out
   * in loopback, as the data sheet's minimum, the rest after the card is back on the network.
   */
  private overrun(): void {
    const r = this.regs;
    this.events['ne.overflow']++;
    const wasTxing = (r.read8(DP_CR) & CR_TXP) !== 0; // 1. remember TXP
    r.write8(DP_CR, CR_STP | CR_RD_ABORT); // 2. STOP
    r.write8(DP_RBCR0, 0); // 3. clear the remote byte count (the part sets RST only then)
    r.write8(DP_RBCR1, 0);
    this.waitStopped(); // 4. wait for RST, at most 1.6 ms (a transmission in progress may hold it off)
    let resend = false;
    if (wasTxing) {
      // 5. a transmission that neither completed nor failed was cut by the STOP: send it again.
      resend = (r.read8(DP_ISR) & (ISR_PTX | ISR_TXE)) === 0;
    }
    r.write8(DP_TCR, TCR_LB0); // 6. loopback: nothing arrives while the ring is touched
    r.write8(DP_CR, CR_STA | CR_RD_ABORT); // 7. START
    this.rxDrain(1); // 8. take at least one frame out of the ring
    r.write8(DP_ISR, ISR_OVW | ISR_RXE); // 9. acknowledge the overflow
    r.write8(DP_TCR, 0); // 10. back on the network
    this.harvestCounters();
    if (resend) {
      this.events['ne.tx.resend']++;
      r.write8(DP_CR, CR_STA | CR_TXP | CR_RD_ABORT); // 11. resend (TPSR/TBCR still hold it)
    }
    r.write8(DP_ISR, ISR_PRX);
    this.rxDrain(0); // the rest of the ring
  }

  /** Polls ISR.RST after a STOP, for at most the overflow wait (1.6 ms by default), in 10 µs steps. */
  private waitStopped(): void {
    const r = this.regs;
    const step = 10_000;
    for (let waited = 0; waited < this.opts.overflowWaitNs; waited += step) {
      if ((r.read8(DP_ISR) & ISR_RST) !== 0) return;
      this.delay(step);
    }
  }

  /** The tally counters (clear on read): alignment and CRC errors, missed packets. */
  private harvestCounters(): void {
    const r = this.regs;
    const ifp = this.ifp;
    const fae = r.read8(DP_CNTR0);
    const crc = r.read8(DP_CNTR1);
    const missed = r.read8(DP_CNTR2);
    if (fae !== 0) {
      ifp.counters.ierrors += fae;
      ifp.countDrop('ne.rx.align', fae);
    }
    if (crc !== 0) {
      ifp.counters.ierrors += crc;
      ifp.countDrop('ne.rx.crc', crc);
    }
    if (missed !== 0) {
      ifp.counters.ierrors += missed;
      ifp.countDrop('ne.rx.missed', missed);
    }
  }

  /** Transmit completion (PTX or TXE): errors counted, the other buffer sent if it is loaded. */
  private txIntr(causes: number): void {
    const r = this.regs;
    const ifp = this.ifp;
    const tsr = r.read8(DP_TSR);
    if ((tsr & (TSR_COL | TSR_ABT)) !== 0) {
      ifp.counters.collisions += (tsr & TSR_ABT) !== 0 ? 16 : r.read8(DP_NCR) & 0x0f;
    }
    if ((causes & ISR_TXE) !== 0 || (tsr & (TSR_ABT | TSR_FU)) !== 0) {
      ifp.counters.oerrors++;
      ifp.countDrop((tsr & TSR_FU) !== 0 ? 'ne.tx.underrun' : 'ne.tx.aborted');
    } else if ((tsr & (TSR_CRS | TSR_OWC)) !== 0) {
      ifp.counters.oerrors++;
      ifp.countDrop((tsr & TSR_CRS) !== 0 ? 'ne.tx.no-carrier' : 'ne.tx.late-collision');
    }
    if (this.txCur >= 0) {
      this.txLen[this.txCur] = 0;
      this.txCur = -1;
    }
    this.txCompleted++;
    this.txKick();
  }

  /** Sends a loaded transmit buffer if the transmitter is idle. */
  private txKick(): void {
    if (this.txCur >= 0) return;
    const other = this.txLen[0] !== 0 && this.txLen[1] !== 0 ? this.txFill : this.txLen[0] !== 0 ? 0 : 1;
    const len = this.txLen[other];
    if (len === 0) return;
    const r = this.regs;
    r.write8(DP_TPSR, NE_RAM_START_PAGE + other * NE_TX_PAGES);
    r.write8(DP_TBCR0, len & 0xff);
    r.write8(DP_TBCR1, len >>> 8);
    r.write8(DP_CR, CR_STA | CR_TXP | CR_RD_ABORT);
    this.txCur = other;
  }

  /** `intrEnable`: unmask the card's causes. */
  intrEnable(): void {
    this.masked = false;
    this.regs.write8(DP_IMR, this.imr);
  }

  /**
   * `intrDisable` (tick mode: the poll drains the card): masks the per-packet causes (PRX, PTX, RXE, TXE)
   * but never OVW and CNT. A full ring still interrupts, and the interrupt routine recovers and drains it
   * into the free queue at once instead of leaving the receiver wedged until the tick; a tally counter
   * about to saturate (8 bits) is still read in time, so every missed frame stays counted.
   */
  intrDisable(): void {
    this.masked = true;
    this.regs.write8(DP_IMR, NE_IMR_TICK);
  }

  /** `workPending`: filled mbufs waiting (the card's own causes re-assert the line when unmasked). */
  workPending(): boolean {
    return this.rx.completed.length > 0;
  }

  // =====================================================================================================
  // Poll

  /**
   * The poll (`if_poll`): top up, drain the card if it is masked, transmit completions, up to `budget`
   * completed mbufs up through `ifp.input`, top up again. Returns the packets handed up.
   */
  poll(budget: number): number {
    if (!this.running) return 0;
    const rx = this.rx;
    const ifp = this.ifp;
    const cpu = this.host.cpu;
    rx.refill();
    if (this.masked) {
      const s = cpu.splnet();
      this.service(NE_IMR);
      cpu.splx(s);
      if (!this.running) return 0;
    }
    if (this.txCompleted > 0) {
      this.txCompleted = 0;
      ifp.watchdogTimer = this.txCur >= 0 ? this.opts.watchdogSeconds : 0;
      if ((ifp.flags & IFF_OACTIVE) !== 0) ifp.flags &= ~IFF_OACTIVE;
      if (ifp.sendQueue.length > 0) this.start();
    }
    const ticks = this.host.ticks;
    if (ticks - this.lastShrinkTick >= this.host.hz) {
      this.lastShrinkTick = ticks;
      rx.maybeShrink();
    }
    let work = 0;
    while (work < budget) {
      const m = rx.dequeueCompleted();
      if (m === null) break;
      work++;
      ifp.input(m);
      if (!this.running) return work; // brought down from inside the stack
    }
    rx.refill();
    return work;
  }

  // =====================================================================================================
  // Transmit

  /**
   * `if_start`: copies packets from the send queue into the card's free transmit buffers (remote-DMA
   * write; the mbuf is freed once the card has the bytes) and starts the transmitter when it is idle.
   */
  start(): void {
    const ifp = this.ifp;
    if (!this.running || (ifp.flags & IFF_OACTIVE) !== 0) return;
    const cpu = this.host.cpu;
    const s = cpu.splnet();
    const buf = this.txbuf;
    for (;;) {
      if (this.txLen[this.txFill] !== 0) {
        if (ifp.sendQueue.length > 0) {
          ifp.flags |= IFF_OACTIVE;
          this.events['ne.tx.busy']++;
        }
        break;
      }
      const m = ifp.sendQueue.dequeue(ifp);
      if (m === null) break;
      const len = m.pkthdr.len;
      if (len === 0) {
        ifp.dropOutput(m, 'ne.tx.empty');
        continue;
      }
      if (len > ETHER_MAX_LEN) {
        ifp.dropOutput(m, 'ne.tx.too-big');
        continue;
      }
      cpu.chargeLayerId(LAYER_DRIVER_TX);
      m_copydata(m, 0, len, buf, 0);
      const padded = Math.max(len, ETHER_MIN_LEN);
      if (padded > len) buf.fill(0, len, padded);
      if ((padded & 1) !== 0) buf[padded] = 0; // the word-mode write sends one byte more
      ifp.counters.opackets++;
      ifp.counters.obytes += len;
      m.pool.freem(m);
      const slot = this.txFill;
      if (!this.dma.write((NE_RAM_START_PAGE + slot * NE_TX_PAGES) * DP_PAGE_SIZE, buf, 0, padded)) {
        this.events['ne.rdc-timeout']++;
        ifp.counters.oerrors++;
        ifp.countDrop('ne.tx.rdc-timeout');
        break;
      }
      this.txLen[slot] = padded;
      this.txFill = slot ^ 1;
      this.txKick();
    }
    if (this.txCur >= 0) {
      ifp.watchdogTimer = this.opts.watchdogSeconds;
      this.host.armWatchdog();
    }
    cpu.splx(s);
  }

  /** Whether the card is masked and drained by the tick-driven poll (diagnostics). */
  get tickDriven(): boolean {
    return this.masked;
  }
}

/** The interrupt routine: service the card (PIO into pre-allocated mbufs), then defer. */
export function neIntr(sc: Ne2000Driver): boolean {
  return sc.intr();
}

/** The interface's driver operations. */
class NeIfnetOps implements IfnetDriverOps {
  constructor(private readonly sc: Ne2000Driver) {}
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
  setLinkAddress(_ifp: Ifnet, addr: Uint8Array): void {
    this.sc.programAddress(addr);
  }
  watchdog(): void {
    this.sc.watchdog();
  }
}

/** Poll operations shared by every `ne` instance (the softc hangs off the context). */
const NE_POLL_OPS: PollOps = {
  poll: (ctx, budget) => (ctx.softc as Ne2000Driver).poll(budget),
  intrEnable: (ctx) => (ctx.softc as Ne2000Driver).intrEnable(),
  intrDisable: (ctx) => (ctx.softc as Ne2000Driver).intrDisable(),
  workPending: (ctx) => (ctx.softc as Ne2000Driver).workPending(),
};

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
