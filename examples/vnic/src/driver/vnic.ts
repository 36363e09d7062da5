/**
 * `vnic`: the driver of the example NIC — and the annotated **skeleton** of an ifnet driver (the idea of
 * lwIP's `ethernetif.c`: copy it, rename it, fill in your hardware). `ifnet new-driver NAME` generates a
 * package from this file and its device model.
 *
 * The framework's contract, as this driver keeps it (see docs/writing-a-driver.md):
 *
 * 1. **Attach** ({@link VnicDriver.attach}): autoconfiguration matched our ids ({@link vnicMatch}) and
 *    hands us the device's bus resources — register windows, interrupt lines, the DMA space — never the
 *    device model. We reset the chip, read the station address, allocate descriptor rings (DMA memory,
 *    allowed here), create the interface (`host.ifAttach`), add one poll context and establish the
 *    interrupt handler.
 * 2. **Interrupt** ({@link vnicIntr}): read ISR (acknowledges the device), return false if nothing was
 *    pending (a spurious interrupt), else remember the causes and `ctx.defer()`. Nothing else — no
 *    packets, no allocation. The framework masks us through {@link VnicDriver.intrDisable} because this is
 *    a DMA device: it keeps filling descriptors while masked.
 * 3. **Poll** ({@link VnicDriver.poll}, at softnet): link changes, missed-frame counters, transmit reclaim,
 *    then at most `budget` received frames up through `ifp.input(m)` (which owns `m` from then on), then
 *    refill the ring (allocation allowed here). Return the number of frames; the framework polls again on
 *    a full budget and otherwise unmasks ({@link VnicDriver.intrEnable}) or defers to the clock tick.
 * 4. **Stop**: quiesce the chip and free every mbuf the rings hold, so the pool balances after `down()`.
 *
 * Drops are counted on the interface by reason (`vnic.rx.missed`, `vnic.rx.too-long`, `vnic.rx.flushed`,
 * `vnic.tx.too-big`), so every frame offered is delivered or dropped with a name.
 *
 * @module
 */
import {
  type AttachArgs,
  BUS_DMASYNC_POSTREAD,
  BUS_DMASYNC_PREREAD,
  type BusSpace,
  type DeviceDriver,
  type DeviceIdent,
  type DmaMap,
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
  type InterruptSource,
  LAYER_DRIVER_RX,
  LAYER_DRIVER_TX,
  M_BCAST,
  M_MCAST,
  type Mbuf,
  type Platform,
  type PollContext,
  type PollOps,
  inject,
  injectable,
  m_copydata,
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
  INT_ALL,
  INT_LINK,
  INT_RXO,
  STATUS_LINK,
  VNIC_BUFSIZE,
  VNIC_CTRL,
  VNIC_DEVICE,
  VNIC_IMC,
  VNIC_IMS,
  VNIC_ISR,
  VNIC_MAC_HI,
  VNIC_MAC_LO,
  VNIC_MISSED,
  VNIC_RX_BASE_HI,
  VNIC_RX_BASE_LO,
  VNIC_RX_ERRORS,
  VNIC_RX_SIZE,
  VNIC_RX_TAIL,
  VNIC_STATUS,
  VNIC_TX_BASE_HI,
  VNIC_TX_BASE_LO,
  VNIC_TX_SIZE,
  VNIC_TX_TAIL,
  VNIC_VENDOR,
} from '../regs.js';

const SEG = 0x1_0000_0000;
/** Receive and transmit descriptors. */
const RING = 256;
/** Largest MTU: a frame (MTU + 14-byte header + 4-byte 802.1Q tag) fits one receive buffer. */
export const VNIC_MAX_MTU = VNIC_BUFSIZE - 18;
/** Transmit watchdog (`if_timer`), seconds. */
const WATCHDOG_SECONDS = 5;

/** The softc: one per vnic device, created by autoconfiguration (resolved from the host's container). */
@injectable()
export class VnicDriver implements DeviceDriver, IfnetDriverOps {
  ifp!: Ifnet;
  ctx!: PollContext;
  /** Conditions that lose no packet by themselves. */
  readonly events = { 'vnic.rx.nobufs': 0, 'vnic.tx.ring-full': 0, 'vnic.watchdog.reset': 0 };

  protected regs!: BusSpace;
  protected line!: InterruptSource;
  protected running = false;
  /** Causes the interrupt routine read, for the next poll. */
  protected isrPending = 0;

  // Receive ring: [rxNext, rxNext + rxFilled) hold clusters; rxFill (== RX_TAIL) is the next to refill.
  // Each slot has a DMA map (bus_dmamap) created at attach: the cluster is loaded into it at refill and
  // the descriptor gets the map's segment address.
  protected rxRing!: DmaRegion;
  protected readonly rxMbuf: (Mbuf | null)[] = new Array<Mbuf | null>(RING).fill(null);
  protected readonly rxMap: DmaMap[] = [];
  protected rxNext = 0;
  protected rxFill = 0;
  protected rxFilled = 0;

  // Transmit ring: [txHead, txTail) in flight; frames are copied into per-slot DMA buffers (bounce
  // buffers), so the mbuf is freed as soon as it is on the ring.
  protected txRing!: DmaRegion;
  protected txBufs!: DmaRegion;
  protected txHead = 0;
  protected txTail = 0;
  protected txUsed = 0;

  constructor(@inject(HOST) protected readonly host: Host) {}

  // ---- autoconfiguration ------------------------------------------------------------------------

  attach(aa: AttachArgs): void {
    if (aa.bars.length < 1 || aa.irqs.length < 1) throw new Error(`vnic at ${aa.locator}: no BAR0 or interrupt`);
    this.regs = aa.bars[0];
    this.line = aa.irqs[0];
    this.wr(VNIC_CTRL, CTRL_RESET);
    this.wr(VNIC_IMC, INT_ALL);
    this.rd(VNIC_ISR);
    const lo = this.rd(VNIC_MAC_LO);
    const hi = this.rd(VNIC_MAC_HI);
    const mac = Uint8Array.of(
      lo & 0xff,
      (lo >>> 8) & 0xff,
      (lo >>> 16) & 0xff,
      lo >>> 24,
      hi & 0xff,
      (hi >>> 8) & 0xff,
    );

    // DMA memory is allocated once, here: never in the interrupt routine.
    this.rxRing = aa.dma.alloc(RING * DESC_SIZE, `vnic ${aa.locator} rx ring`);
    this.txRing = aa.dma.alloc(RING * DESC_SIZE, `vnic ${aa.locator} tx ring`);
    this.txBufs = aa.dma.alloc(RING * VNIC_BUFSIZE, `vnic ${aa.locator} tx buffers`);
    for (let i = 0; i < RING; i++) this.rxMap.push(aa.dma.createMap(`vnic ${aa.locator} rx${i}`, VNIC_BUFSIZE));

    this.ifp = this.host.ifAttach({
      name: 'vnic',
      ifType: IFT_ETHER,
      ops: this, // the softc is its own if_init/if_stop/if_start/...
      lladdr: mac,
      mtu: 1500,
      maxMtu: VNIC_MAX_MTU,
      flags: IFF_BROADCAST | IFF_MULTICAST,
      baudrate: 1e9,
      softc: this,
    });
    this.ctx = this.ifp.addPollContext({
      name: `${this.ifp.name}.q0`,
      ops: VNIC_POLL_OPS,
      maskOnDefer: true, // DMA device: mask while the poll runs
      capacity: RING - 1,
    });
    this.ctx.softc = this;
    this.host.cpu.intr.establish(this.line, IPL_NET, vnicIntr, this as VnicDriver, this.ifp.name);
    this.ifp.setLinkState((this.rd(VNIC_STATUS) & STATUS_LINK) !== 0 ? 'up' : 'down');
  }

  async detach(): Promise<void> {
    await this.host.ifDetach(this.ifp);
    this.wr(VNIC_CTRL, CTRL_RESET);
    this.host.cpu.intr.disestablish(this.line);
  }

  protected rd(off: number): number {
    return this.regs.read32(off);
  }

  protected wr(off: number, v: number): void {
    this.regs.write32(off, v);
  }

  // ---- if_init / if_stop --------------------------------------------------------------------------

  /** `if_init`: rings, address, filter, receive and transmit on, interrupts unmasked. */
  init(): void {
    this.wr(VNIC_CTRL, CTRL_RESET);
    this.isrPending = 0;
    this.programAddress(this.ifp.lladdr);
    this.rxRing.u8.fill(0);
    this.rxNext = this.rxFill = this.rxFilled = 0;
    this.wr(VNIC_RX_BASE_LO, this.rxRing.busAddr % SEG);
    this.wr(VNIC_RX_BASE_HI, Math.floor(this.rxRing.busAddr / SEG));
    this.wr(VNIC_RX_SIZE, RING);
    this.txRing.u8.fill(0);
    this.txHead = this.txTail = this.txUsed = 0;
    this.wr(VNIC_TX_BASE_LO, this.txRing.busAddr % SEG);
    this.wr(VNIC_TX_BASE_HI, Math.floor(this.txRing.busAddr / SEG));
    this.wr(VNIC_TX_SIZE, RING);
    this.refill();
    this.running = true;
    this.updateFilter();
    this.wr(VNIC_IMS, INT_ALL);
    this.linkChange();
  }

  /** `if_stop`: interrupts off, receiver and transmitter off, counters harvested, every mbuf freed. */
  stop(): void {
    this.running = false;
    this.wr(VNIC_IMC, INT_ALL);
    this.wr(VNIC_CTRL, 0);
    this.rd(VNIC_ISR);
    this.isrPending = 0;
    this.harvest();
    this.txeof();
    let lost = 0;
    const ring = this.rxRing.view;
    for (let i = 0; i < RING; i++) {
      const m = this.rxMbuf[i];
      if (m === null) continue;
      if ((ring.getUint16(i * DESC_SIZE + DESC_FLAGS, true) & DESC_DONE) !== 0) lost++; // received, never reaped
      this.rxMbuf[i] = null;
      this.rxMap[i].unload();
      m.pool.freem(m);
    }
    if (lost > 0) this.ifp.countDrop('vnic.rx.flushed', lost);
    this.rxFilled = 0;
    this.ifp.flags &= ~IFF_OACTIVE;
    this.ifp.watchdogTimer = 0;
  }

  /** `if_watchdog`: a transmit never completed (a lost interrupt, a hung chip): reset and restart. */
  watchdog(): void {
    this.events['vnic.watchdog.reset']++;
    if (!this.running) return;
    this.stop();
    this.init();
    this.start();
  }

  // ---- filter, address, MTU ---------------------------------------------------------------------------

  /** `SIOCSIFMTU`: any MTU whose frame fits one receive buffer. */
  setMtu(_ifp: Ifnet, mtu: number): boolean {
    return mtu <= VNIC_MAX_MTU;
  }

  /** `SIOCSIFLLADDR`. */
  setLinkAddress(_ifp: Ifnet, addr: Uint8Array): void {
    this.programAddress(addr);
  }

  programAddress(a: Uint8Array): void {
    this.wr(VNIC_MAC_LO, (a[0] | (a[1] << 8) | (a[2] << 16) | (a[3] << 24)) >>> 0);
    this.wr(VNIC_MAC_HI, a[4] | (a[5] << 8));
  }

  /** PROMISC → CTRL.PROMISC; ALLMULTI or any joined group → CTRL.ALLMULTI (the link layer filters groups exactly). */
  updateFilter(): void {
    if (!this.running) return;
    const f = this.ifp.flags;
    let c = CTRL_RX_EN | CTRL_TX_EN | CTRL_BCAST;
    if ((f & IFF_PROMISC) !== 0) c |= CTRL_PROMISC;
    if ((f & IFF_ALLMULTI) !== 0 || this.ifp.multicast.size > 0) c |= CTRL_ALLMULTI;
    this.wr(VNIC_CTRL, c);
  }

  // ---- interrupt side -------------------------------------------------------------------------------

  /** The interrupt routine's body: acknowledge, remember the causes, defer. Nothing else. */
  intr(): boolean {
    const isr = this.rd(VNIC_ISR);
    if (isr === 0) return false; // not ours: spurious
    this.isrPending |= isr;
    this.ctx.defer();
    return true;
  }

  intrEnable(): void {
    this.wr(VNIC_IMS, INT_ALL);
  }

  intrDisable(): void {
    this.wr(VNIC_IMC, INT_ALL);
  }

  /** The next receive descriptor is done (closes the completion race after the unmask). */
  workPending(): boolean {
    return (
      this.rxFilled > 0 && (this.rxRing.view.getUint16(this.rxNext * DESC_SIZE + DESC_FLAGS, true) & DESC_DONE) !== 0
    );
  }

  // ---- the poll (if_poll) -----------------------------------------------------------------------------

  poll(budget: number): number {
    if (!this.running) return 0;
    const isr = this.isrPending | this.rd(VNIC_ISR);
    this.isrPending = 0;
    if ((isr & INT_LINK) !== 0) this.linkChange();
    if ((isr & INT_RXO) !== 0) this.harvest();
    if (this.txUsed > 0) this.txeof();
    const ifp = this.ifp;
    const view = this.rxRing.view;
    let work = 0;
    while (work < budget && this.rxFilled > 0) {
      const i = this.rxNext;
      const d = i * DESC_SIZE;
      if ((view.getUint16(d + DESC_FLAGS, true) & DESC_DONE) === 0) break;
      const m = this.rxMbuf[i]!;
      this.rxMbuf[i] = null;
      this.rxMap[i].sync(BUS_DMASYNC_POSTREAD); // the device wrote the buffer: make it visible to the CPU
      this.rxMap[i].unload();
      this.rxNext = (i + 1) & (RING - 1);
      this.rxFilled--;
      work++;
      this.host.cpu.chargeLayerId(LAYER_DRIVER_RX);
      // Never trust what the device wrote back: a length outside the buffer is an error, not a crash.
      const len = view.getUint16(d + DESC_LEN, true);
      if (len < 14 || len > VNIC_BUFSIZE) {
        ifp.counters.ierrors++;
        ifp.dropInput(m, 'vnic.rx.bad-length');
        continue;
      }
      m.len = len;
      m.pkthdr.len = len;
      const b = m.buf;
      const o = m.off;
      if ((b[o] & 1) !== 0)
        m.flags |= (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff ? M_BCAST : M_MCAST;
      ifp.input(m); // ifp owns m now
      if (!this.running) return work; // brought down from inside the stack
    }
    this.refill();
    return work;
  }

  /** Gives the device a fresh cluster for every empty slot, then one RX_TAIL write. */
  protected refill(): void {
    const view = this.rxRing.view;
    let i = this.rxFill;
    const start = i;
    while (this.rxFilled < RING - 1) {
      const m = this.host.pool.getcl();
      if (m === null) {
        this.events['vnic.rx.nobufs']++; // retried at the next poll; the device misses frames meanwhile
        break;
      }
      m.len = m.capacity - m.off; // the space the device may fill
      const map = this.rxMap[i];
      if (!map.loadMbuf(m)) {
        m.pool.freem(m); // not DMA-able (a pool outside this DMA space): counted by the map
        this.events['vnic.rx.nobufs']++;
        break;
      }
      map.sync(BUS_DMASYNC_PREREAD);
      this.rxMbuf[i] = m;
      const d = i * DESC_SIZE;
      view.setUint32(d + DESC_ADDR, map.segLo[0], true);
      view.setUint32(d + DESC_ADDR + 4, map.segHi[0], true);
      view.setUint16(d + DESC_LEN, map.segLen[0], true);
      view.setUint16(d + DESC_FLAGS, 0, true);
      i = (i + 1) & (RING - 1);
      this.rxFilled++;
    }
    this.rxFill = i;
    if (i !== start) this.wr(VNIC_RX_TAIL, i);
  }

  /** MISSED and RX_ERRORS (clear on read) into named drops. */
  protected harvest(): void {
    const missed = this.rd(VNIC_MISSED);
    if (missed > 0) {
      this.ifp.counters.ierrors += missed;
      this.ifp.countDrop('vnic.rx.missed', missed);
    }
    const tooLong = this.rd(VNIC_RX_ERRORS);
    if (tooLong > 0) {
      this.ifp.counters.ierrors += tooLong;
      this.ifp.countDrop('vnic.rx.too-long', tooLong);
    }
  }

  protected linkChange(): void {
    this.ifp.setLinkState((this.rd(VNIC_STATUS) & STATUS_LINK) !== 0 ? 'up' : 'down');
  }

  // ---- transmit (if_start) ----------------------------------------------------------------------------

  /** Copies queued frames into transmit buffers, frees the mbufs, one TX_TAIL write for the batch. */
  start(): void {
    const ifp = this.ifp;
    if (!this.running || (ifp.flags & IFF_OACTIVE) !== 0) return;
    const view = this.txRing.view;
    let queued = 0;
    for (;;) {
      if (this.txUsed === RING - 1) {
        this.txeof();
        if (this.txUsed === RING - 1) {
          ifp.flags |= IFF_OACTIVE;
          this.events['vnic.tx.ring-full']++;
          break;
        }
      }
      const m = ifp.sendQueue.dequeue(ifp);
      if (m === null) break;
      const len = m.pkthdr.len;
      if (len > VNIC_BUFSIZE || len < 1) {
        ifp.dropOutput(m, 'vnic.tx.too-big');
        continue;
      }
      this.host.cpu.chargeLayerId(LAYER_DRIVER_TX);
      const slot = this.txTail;
      m_copydata(m, 0, len, this.txBufs.u8, slot * VNIC_BUFSIZE);
      const addr = this.txBufs.busAddr + slot * VNIC_BUFSIZE;
      const hi = Math.floor(addr / SEG);
      const d = slot * DESC_SIZE;
      view.setUint32(d + DESC_ADDR, addr - hi * SEG, true);
      view.setUint32(d + DESC_ADDR + 4, hi, true);
      view.setUint16(d + DESC_LEN, len, true);
      view.setUint16(d + DESC_FLAGS, 0, true);
      this.txTail = (slot + 1) & (RING - 1);
      this.txUsed++;
      ifp.counters.opackets++;
      ifp.counters.obytes += len;
      m.pool.freem(m);
      queued++;
    }
    if (queued > 0) {
      this.wr(VNIC_TX_TAIL, this.txTail);
      ifp.watchdogTimer = WATCHDOG_SECONDS;
      this.host.armWatchdog();
    }
  }

  /** Reclaims completed transmit descriptors; restarts output if it was blocked. */
  protected txeof(): void {
    const view = this.txRing.view;
    let freed = 0;
    while (this.txUsed > 0 && (view.getUint16(this.txHead * DESC_SIZE + DESC_FLAGS, true) & DESC_DONE) !== 0) {
      this.txHead = (this.txHead + 1) & (RING - 1);
      this.txUsed--;
      freed++;
    }
    if (freed === 0) return;
    const ifp = this.ifp;
    if (this.txUsed === 0) ifp.watchdogTimer = 0;
    if ((ifp.flags & IFF_OACTIVE) !== 0 && this.running) {
      ifp.flags &= ~IFF_OACTIVE;
      this.start();
    }
  }
}

/** The interrupt routine (`vnic_intr`). */
export function vnicIntr(sc: VnicDriver): boolean {
  return sc.intr();
}

const VNIC_POLL_OPS: PollOps = {
  poll: (ctx, budget) => (ctx.softc as VnicDriver).poll(budget),
  intrEnable: (ctx) => (ctx.softc as VnicDriver).intrEnable(),
  intrDisable: (ctx) => (ctx.softc as VnicDriver).intrDisable(),
  workPending: (ctx) => (ctx.softc as VnicDriver).workPending(),
};

/** `vnic_match`: our vendor and device id. */
export function vnicMatch(ident: DeviceIdent): number {
  return ident.vendor === VNIC_VENDOR && ident.device === VNIC_DEVICE ? 1 : 0;
}

/** The driver as autoconfiguration sees it. */
export const vnicDriver: DriverDescriptor = { name: 'vnic', match: vnicMatch, driver: VnicDriver };

/** Registers the driver on a platform (what an app calls; nothing registers on import). */
export function registerVnic(platform: Platform): Platform {
  platform.registerDriver(vnicDriver);
  return platform;
}
