/**
 * `ehea`: the driver for the EHEA-like device — seed 003's multi-queue case of the poll-context model.
 *
 * ## One interface, N poll contexts
 *
 * The driver attaches **one** `ifnet` (`ehea0`) and gives it one poll context per active port resource
 * (`ehea0.q0` ...), each with its own interrupt line, weight (64) and schedule/complete cycle — Linux's
 * `napi_struct` moved into the per-queue private data, with no dummy per-queue network devices.
 *
 * - **Interrupt routine** ({@link eheaIntr}, one per line): walks the queue's event queue by its
 *   valid/toggle bit, notes link and error events, acknowledges them all with one EQ doorbell write (the
 *   line drops) and calls that queue's `ctx.defer()`. Nothing else, and nothing allocated.
 * - **Masking** is the completion queue's one-shot arm (eHEA's N1 bit): `intrEnable` arms it,
 *   `intrDisable` cancels it. An arm fires only for completions written *after* it, so a frame completed
 *   between the poll's last look and the arm raises nothing: the framework's re-check (`workPending`: is
 *   the next completion entry valid?) after `intrEnable` closes that race.
 * - **Poll** ({@link EheaDriver.poll}): link/error events, then completion entries in order — transmit
 *   completions are reclaimed as they come and do not count against the budget; receive completions
 *   become packets (length, RSS hash, hash type and queue number in the packet header) handed straight to
 *   `ifp.input` — up to the budget; then one CQ doorbell returns the entries, the receive queue is
 *   refilled (allocation here, never in the interrupt routine) with one RQ doorbell.
 * - **Close** (`ifp.down()`) stops the port and disables every context, waiting for a running poll; open
 *   (`upIf`) re-initialises and re-enables them.
 * - **Transmit** spreads packets over the send queues by flow hash: the packet's own hash when it has one
 *   (a forwarded packet), else the Toeplitz hash of its IPv4 header computed in software; non-IP to 0.
 * - **Control** ({@link EheaDriver.configure}, `ethtool -X` / `-L` / `ifconfig`-like): RSS key and
 *   indirection table at run time (flows re-steer at once), queue count through down/up.
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
  LAYER_DRIVER_RX,
  LAYER_DRIVER_TX,
  type IfnetDriverOps,
  type InjectionToken,
  type InterruptSource,
  M_BCAST,
  M_HASHTYPE_NONE,
  M_HASHTYPE_RSS_IPV4,
  M_HASHTYPE_RSS_TCP_IPV4,
  M_HASHTYPE_RSS_UDP_IPV4,
  M_MCAST,
  type Mbuf,
  type MbufPool,
  type Platform,
  type PollContext,
  type PollOps,
  inject,
  injectable,
} from '@ifnet/core';
import {
  CQE_ERROR,
  CQE_FLAGS,
  CQE_F_BCAST,
  CQE_F_MCAST,
  CQE_F_TX,
  CQE_HASH,
  CQE_HASH_TYPE,
  CQE_LENGTH,
  CQE_SIZE,
  CQE_STATUS,
  CQE_VALID,
  CQE_WQE,
  CTRL_BAM,
  CTRL_LINK,
  CTRL_MPE,
  CTRL_RST,
  CTRL_RXEN,
  CTRL_TXEN,
  CTRL_UPE,
  EHEA_CTRL,
  EHEA_DEVICE_ID,
  EHEA_ERR_OVERSIZE,
  EHEA_ERR_RUNT,
  EHEA_MAC_HI,
  EHEA_MAC_LO,
  EHEA_MAXQ,
  EHEA_NQUEUES,
  EHEA_Q,
  EHEA_RETA,
  EHEA_RETA_ENTRIES,
  EHEA_RSS_CTRL,
  EHEA_RSS_KEY,
  EHEA_RSS_KEY_BYTES,
  EHEA_STATUS,
  EHEA_VENDOR_IBM,
  EQE_SIZE,
  EQE_STATUS,
  EQE_TYPE,
  EQE_T_ERRORS,
  EQE_T_LINK,
  EQE_VALID,
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
  RSS_ALL,
  STATUS_LU,
  WQE_EOP,
  WQE_FLAGS,
  WQE_LENGTH,
  WQE_SIGNAL,
  WQE_SIZE,
} from '../regs.js';
import { RssClassifier } from '../rss/classify.js';
import { RSS_DEFAULT_KEY, ToeplitzHasher } from '../rss/toeplitz.js';
import { EheaQueue } from './queue.js';

/** Tunables of the `ehea` driver (platform-wide; see {@link registerEhea}). */
export interface EheaOptions {
  /** Active queues at attach, 1..the device's port resources. Default: all of them. */
  queues?: number;
  /** Receive WQEs per queue (power of two, 8..2048). Default 256. */
  rxEntries?: number;
  /** Send WQEs per queue (power of two, 8..2048). Default 256. */
  txEntries?: number;
  /** Poll budget per queue (NAPI weight). Default 64. */
  weight?: number;
  /** RSS key at attach (40 bytes). Default Microsoft's. */
  rssKey?: Uint8Array;
  /** Transmit watchdog in seconds (`if_timer`). Default 5. */
  watchdogSeconds?: number;
}

/** Optional platform registration of {@link EheaOptions} (done by {@link registerEhea}). */
export const EHEA_OPTIONS: InjectionToken<EheaOptions> = Symbol.for('@ifnet/ehea:OPTIONS');

/** What {@link EheaDriver.configure} changes; omitted fields stay as they are. */
export interface EheaConfig {
  /** Active queues (1..max). Changing it takes the interface down and up; the table is reset to spread evenly. */
  queues?: number;
  /** RSS key, 40 bytes. Applied at once. */
  rssKey?: Uint8Array;
  /** Indirection table, 128 queue numbers below the (new) queue count. Applied at once. */
  indirectionTable?: ArrayLike<number>;
}

/** The current RSS configuration (copies). */
export interface EheaRssState {
  queues: number;
  maxQueues: number;
  rssKey: Uint8Array;
  indirectionTable: Uint8Array;
}

/** Driver events that are not packet drops. */
export interface EheaEvents {
  'ehea.rx.nobufs': number;
  'ehea.tx.ring-full': number;
  'ehea.link.changes': number;
  'ehea.watchdog.reset': number;
}

const ETHERMTU = 1500;
const ETHER_ALIGN = 2;
const SEG = 0x1_0000_0000;
/** Largest packet handed to the device (1514, or 1518 with an 802.1Q tag). */
const MAX_TX_FRAME = 1518;
/** Event queue entries per queue: completions (one per arm), link and error events. */
const EQ_ENTRIES = 64;
/** CQE hash type → `M_HASHTYPE_*`. */
const HASHTYPE_MAP = Int32Array.of(
  M_HASHTYPE_NONE,
  M_HASHTYPE_RSS_IPV4,
  M_HASHTYPE_RSS_TCP_IPV4,
  M_HASHTYPE_RSS_UDP_IPV4,
);

/**
 * The `ehea` softc: one per device, created by autoconfiguration.
 */
@injectable()
export class EheaDriver implements DeviceDriver {
  ifp!: Ifnet;
  /** Every port resource the device has; the first {@link activeQueues} are in use. */
  queues: EheaQueue[] = [];
  readonly events: EheaEvents = {
    'ehea.rx.nobufs': 0,
    'ehea.tx.ring-full': 0,
    'ehea.link.changes': 0,
    'ehea.watchdog.reset': 0,
  };

  private regs!: BusSpace;
  private lines: readonly InterruptSource[] = [];
  private pool!: MbufPool;
  private opts!: Required<Omit<EheaOptions, 'queues' | 'rssKey'>>;
  private maxQueues = 1;
  private nq = 1;
  private running = false;
  private filter = 0;
  private readonly key = new Uint8Array(EHEA_RSS_KEY_BYTES);
  private readonly reta = new Uint8Array(EHEA_RETA_ENTRIES);
  /** Software flow hash for transmit (same key as the device's). */
  private readonly txClassifier = new RssClassifier(new ToeplitzHasher(RSS_DEFAULT_KEY));

  constructor(@inject(HOST) private readonly host: Host) {}

  // =====================================================================================================
  // Autoconfiguration

  attach(aa: AttachArgs): void {
    const host = this.host;
    const c = host.container;
    const o = c.isRegistered(EHEA_OPTIONS, true) ? c.resolve(EHEA_OPTIONS) : {};
    this.opts = {
      rxEntries: ringSize(o.rxEntries ?? 256, 'rxEntries'),
      txEntries: ringSize(o.txEntries ?? 256, 'txEntries'),
      weight: o.weight ?? 64,
      watchdogSeconds: o.watchdogSeconds ?? 5,
    };
    if (aa.bars.length < 1) throw new Error(`ehea at ${aa.locator}: no BAR0`);
    this.regs = aa.bars[0];
    this.pool = host.pool;
    this.wr(EHEA_CTRL, CTRL_RST);
    this.maxQueues = this.rd(EHEA_MAXQ);
    if (this.maxQueues < 1 || this.maxQueues > 16 || aa.irqs.length < this.maxQueues) {
      throw new Error(`ehea at ${aa.locator}: ${this.maxQueues} port resources, ${aa.irqs.length} interrupt lines`);
    }
    this.lines = aa.irqs;
    this.nq = o.queues ?? this.maxQueues;
    if (!Number.isInteger(this.nq) || this.nq < 1 || this.nq > this.maxQueues) {
      throw new RangeError(`ehea: queues must be 1..${this.maxQueues}, got ${o.queues}`);
    }
    this.key.set(o.rssKey ?? RSS_DEFAULT_KEY);
    this.txClassifier.hasher.setKey(this.key);
    spreadTable(this.reta, this.nq);

    const lo = this.rd(EHEA_MAC_LO);
    const hi = this.rd(EHEA_MAC_HI);
    const mac = Uint8Array.of(lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24, hi & 0xff, hi >>> 8);

    const { rxEntries, txEntries } = this.opts;
    // One completion per receive buffer and per send WQE at most: the CQ never overflows.
    const cqEntries = nextPowerOfTwo(rxEntries + txEntries);
    for (let q = 0; q < this.maxQueues; q++) {
      const name = `ehea ${aa.locator} q${q}`;
      this.queues.push(
        new EheaQueue(
          this,
          q,
          aa.dma.alloc(rxEntries * WQE_SIZE, `${name} rq`),
          rxEntries,
          aa.dma.alloc(txEntries * WQE_SIZE, `${name} sq`),
          txEntries,
          aa.dma.alloc(cqEntries * CQE_SIZE, `${name} cq`),
          cqEntries,
          aa.dma.alloc(EQ_ENTRIES * EQE_SIZE, `${name} eq`),
          EQ_ENTRIES,
        ),
      );
    }

    this.ifp = host.ifAttach({
      name: 'ehea',
      ifType: IFT_ETHER,
      ops: new EheaIfnetOps(this),
      lladdr: mac,
      mtu: ETHERMTU,
      flags: IFF_BROADCAST | IFF_MULTICAST,
      baudrate: 10e9,
      softc: this,
    });
    for (let q = 0; q < this.maxQueues; q++) {
      host.cpu.intr.establish(this.lines[q], IPL_NET, eheaIntr, this.queues[q], `${this.ifp.name}.q${q}`);
    }
    this.addContexts();

    this.wr(EHEA_CTRL, CTRL_LINK);
    this.ifp.setLinkState((this.rd(EHEA_STATUS) & STATUS_LU) !== 0 ? 'up' : 'down');
  }

  /** Detaches the interface (down, removed from the host) and releases the interrupts. */
  async detach(): Promise<void> {
    await this.host.ifDetach(this.ifp);
    this.wr(EHEA_CTRL, CTRL_RST);
    for (let q = 0; q < this.maxQueues; q++) this.host.cpu.intr.disestablish(this.lines[q]);
  }

  /** One poll context per active queue (`netif_napi_add`), with per-queue operations. */
  private addContexts(): void {
    for (let q = 0; q < this.nq; q++) {
      const queue = this.queues[q];
      if (queue.ctx !== null) continue;
      queue.ctx = this.ifp.addPollContext({
        name: `${this.ifp.name}.q${q}`,
        ops: new EheaPollOps(this, queue),
        weight: this.opts.weight,
        maskOnDefer: true,
        capacity: this.opts.rxEntries,
      });
      queue.ctx.softc = queue;
    }
  }

  /** Removes the contexts of queues at or above the active count (`netif_napi_del`); they are disabled. */
  private removeContexts(): void {
    for (let q = this.nq; q < this.maxQueues; q++) {
      const queue = this.queues[q];
      if (queue.ctx === null) continue;
      this.ifp.removePollContext(queue.ctx);
      queue.ctx = null;
    }
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

  /** `if_init`: program address, RSS and every active port resource; fill receive queues; arm the CQs. */
  init(): void {
    this.wr(EHEA_CTRL, CTRL_LINK);
    this.programAddress(this.ifp.lladdr);
    this.wr(EHEA_NQUEUES, this.nq);
    this.programKey();
    this.programTable();
    this.wr(EHEA_RSS_CTRL, RSS_ALL);
    for (let q = 0; q < this.maxQueues; q++) {
      const queue = this.queues[q];
      const base = (reg: number) => EHEA_Q(q, reg);
      this.wr(base(Q_CTRL), 0);
      if (q >= this.nq) continue;
      queue.resetRings();
      this.ringRegs(base(Q_RQ_BASE_LO), base(Q_RQ_BASE_HI), base(Q_RQ_SIZE), queue.rq.busAddr, queue.rqN);
      this.ringRegs(base(Q_SQ_BASE_LO), base(Q_SQ_BASE_HI), base(Q_SQ_SIZE), queue.sq.busAddr, queue.sqN);
      this.ringRegs(base(Q_CQ_BASE_LO), base(Q_CQ_BASE_HI), base(Q_CQ_SIZE), queue.cq.busAddr, queue.cqN);
      this.ringRegs(base(Q_EQ_BASE_LO), base(Q_EQ_BASE_HI), base(Q_EQ_SIZE), queue.eq.busAddr, queue.eqN);
      this.wr(base(Q_CTRL), QCTRL_EN);
      if ((this.rd(base(Q_CTRL)) & QCTRL_EN) === 0) {
        throw new Error(`${this.ifp.name}: the device refused port resource ${q}'s ring configuration`);
      }
      this.rd(base(Q_MISSED));
      this.refill(queue);
      this.wr(base(Q_CQ_ARM), 1);
    }
    this.running = true;
    this.wr(EHEA_CTRL, this.ctrl());
    this.linkChange();
  }

  private ringRegs(lo: number, hi: number, size: number, busAddr: number, entries: number): void {
    const h = Math.floor(busAddr / SEG);
    this.wr(lo, busAddr - h * SEG);
    this.wr(hi, h);
    this.wr(size, entries);
  }

  private ctrl(): number {
    return CTRL_LINK | CTRL_RXEN | CTRL_TXEN | CTRL_BAM | this.filter;
  }

  /**
   * `if_stop`: receiver and transmitter off, every port resource stopped (lines drop), missed frames
   * harvested, and every mbuf the rings hold freed — completed-but-unreaped frames counted as
   * `ehea.rx.flushed`, unsent packets as `ehea.tx.flushed` — so the pool balances after `down()`.
   */
  stop(): void {
    this.running = false;
    this.wr(EHEA_CTRL, CTRL_LINK);
    for (let q = 0; q < this.nq; q++) {
      const queue = this.queues[q];
      this.wr(EHEA_Q(q, Q_CQ_ARM), 0);
      this.harvestMissed(queue);
      this.wr(EHEA_Q(q, Q_CTRL), 0);
      this.flush(queue);
    }
    this.harvestErrors();
    this.ifp.flags &= ~IFF_OACTIVE;
    this.ifp.watchdogTimer = 0;
  }

  /** Frees what a stopped queue holds, reclaiming transmit completions already written. */
  private flush(queue: EheaQueue): void {
    const ifp = this.ifp;
    const pool = this.pool;
    const u8 = queue.cq.u8;
    let lost = 0;
    for (let k = 0; k < queue.cqN; k++) {
      const c = queue.cqNext * CQE_SIZE;
      if ((u8[c + CQE_STATUS] & CQE_VALID) !== queue.cqPhase) break;
      if ((u8[c + CQE_FLAGS] & CQE_F_TX) !== 0) this.txComplete(queue, queue.cq.view.getUint16(c + CQE_WQE, true), 0);
      else lost++;
      this.cqAdvance(queue);
    }
    if (lost > 0) {
      queue.stats.rxFlushed += lost;
      ifp.countDrop('ehea.rx.flushed', lost);
    }
    for (let i = 0; i < queue.rqN; i++) {
      const m = queue.rqMbuf[i];
      if (m !== null) {
        queue.rqMbuf[i] = null;
        pool.freem(m);
      }
    }
    queue.rqPosted = 0;
    let flushed = 0;
    for (let i = 0; i < queue.sqN; i++) {
      const m = queue.sqMbuf[i];
      if (m !== null) {
        queue.sqMbuf[i] = null;
        pool.freem(m);
        flushed++;
      }
    }
    if (flushed > 0) ifp.countDrop('ehea.tx.flushed', flushed);
    queue.sqUsed = 0;
  }

  /** `if_watchdog`: a send queue is stuck — reset the port and start over. */
  watchdog(): void {
    this.events['ehea.watchdog.reset']++;
    if (!this.running) return;
    this.stop();
    this.wr(EHEA_CTRL, CTRL_RST);
    this.init();
    this.start();
  }

  // =====================================================================================================
  // Receive filter, address, RSS programming

  /** Programs the station address. */
  programAddress(addr: Uint8Array): void {
    this.wr(EHEA_MAC_LO, (addr[0] | (addr[1] << 8) | (addr[2] << 16) | (addr[3] << 24)) >>> 0);
    this.wr(EHEA_MAC_HI, addr[4] | (addr[5] << 8));
  }

  /** IFF_PROMISC → UPE|MPE; IFF_ALLMULTI or any joined group → MPE (no hash filter: Ethernet filters the rest). */
  updateFilter(): void {
    const ifp = this.ifp;
    let f = 0;
    if ((ifp.flags & IFF_PROMISC) !== 0) f |= CTRL_UPE | CTRL_MPE;
    if ((ifp.flags & IFF_ALLMULTI) !== 0 || ifp.multicast.size > 0) f |= CTRL_MPE;
    this.filter = f;
    if (this.running) this.wr(EHEA_CTRL, this.ctrl());
  }

  private programKey(): void {
    const k = this.key;
    for (let i = 0; i < EHEA_RSS_KEY_BYTES; i += 4) {
      this.wr(EHEA_RSS_KEY + i, (k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24)) >>> 0);
    }
  }

  private programTable(): void {
    const t = this.reta;
    for (let i = 0; i < EHEA_RETA_ENTRIES; i += 4) {
      this.wr(EHEA_RETA + i, (t[i] | (t[i + 1] << 8) | (t[i + 2] << 16) | (t[i + 3] << 24)) >>> 0);
    }
  }

  // =====================================================================================================
  // Control (ethtool -X / -L, ifconfig)

  /** Active queues. */
  get activeQueues(): number {
    return this.nq;
  }

  /** The RSS state: queue counts, key and indirection table (copies). */
  rssState(): EheaRssState {
    return {
      queues: this.nq,
      maxQueues: this.maxQueues,
      rssKey: this.key.slice(),
      indirectionTable: this.reta.slice(),
    };
  }

  /**
   * Changes the RSS key, the indirection table and/or the queue count. Key and table are validated, then
   * written to the device at once (a running interface keeps running; flows re-steer from the next
   * frame). A new queue count takes the interface down (waiting for running polls), removes or adds poll
   * contexts, resets the table to spread evenly over the new count (unless a table is given) and brings
   * it back up if it was up. Call it at process level, not from inside a poll. Throws RangeError on bad
   * values, before changing anything.
   */
  async configure(cfg: EheaConfig): Promise<void> {
    const queues = cfg.queues ?? this.nq;
    if (!Number.isInteger(queues) || queues < 1 || queues > this.maxQueues) {
      throw new RangeError(`${this.ifp.name}: queues must be 1..${this.maxQueues}, got ${cfg.queues}`);
    }
    if (cfg.rssKey !== undefined && cfg.rssKey.length !== EHEA_RSS_KEY_BYTES) {
      throw new RangeError(`${this.ifp.name}: RSS key must be ${EHEA_RSS_KEY_BYTES} bytes, got ${cfg.rssKey.length}`);
    }
    const table = cfg.indirectionTable;
    if (table !== undefined) {
      if (table.length !== EHEA_RETA_ENTRIES) {
        throw new RangeError(`${this.ifp.name}: indirection table must have ${EHEA_RETA_ENTRIES} entries`);
      }
      for (let i = 0; i < table.length; i++) {
        const e = table[i];
        if (!Number.isInteger(e) || e < 0 || e >= queues) {
          throw new RangeError(`${this.ifp.name}: indirection entry ${i} = ${e}, must be a queue below ${queues}`);
        }
      }
    }
    if (queues !== this.nq) {
      const wasUp = this.ifp.up;
      if (wasUp) await this.ifp.down();
      this.nq = queues;
      this.removeContexts();
      this.addContexts();
      spreadTable(this.reta, queues);
      if (table === undefined && this.running) this.programTable();
      if (wasUp) this.ifp.upIf();
    }
    if (cfg.rssKey !== undefined) {
      this.key.set(cfg.rssKey);
      this.txClassifier.hasher.setKey(this.key);
      if (this.running) this.programKey();
    }
    if (table !== undefined) {
      for (let i = 0; i < EHEA_RETA_ENTRIES; i++) this.reta[i] = table[i];
      if (this.running) this.programTable();
    }
  }

  // =====================================================================================================
  // Interrupts (see eheaIntr) and poll

  /**
   * @internal The interrupt routine of `queue`: consume its event entries (valid/toggle bit), note link
   * and error events, acknowledge them with one doorbell write, defer the queue's poll. Allocates nothing.
   */
  intr(queue: EheaQueue): boolean {
    const u8 = queue.eq.u8;
    let n = 0;
    while (n < queue.eqN) {
      const e = queue.eqNext * EQE_SIZE;
      if ((u8[e + EQE_STATUS] & EQE_VALID) !== queue.eqPhase) break;
      const type = u8[e + EQE_TYPE];
      if (type === EQE_T_LINK) queue.linkEvent = true;
      else if (type === EQE_T_ERRORS) queue.errorEvent = true;
      if (++queue.eqNext === queue.eqN) {
        queue.eqNext = 0;
        queue.eqPhase ^= 1;
      }
      n++;
    }
    if (n === 0) {
      queue.stats.spurious++;
      return false;
    }
    queue.stats.interrupts++;
    this.wr(EHEA_Q(queue.index, Q_EQ_DOORBELL), n);
    queue.ctx?.defer();
    return true;
  }

  /** `intrEnable`: arm the completion queue (notify on the next completion). */
  intrEnable(queue: EheaQueue): void {
    this.wr(EHEA_Q(queue.index, Q_CQ_ARM), 1);
  }

  /** `intrDisable`: cancel the arm. */
  intrDisable(queue: EheaQueue): void {
    this.wr(EHEA_Q(queue.index, Q_CQ_ARM), 0);
  }

  /** `workPending`: the next completion entry is valid (its toggle bit has the phase we expect). */
  workPending(queue: EheaQueue): boolean {
    return (queue.cq.u8[queue.cqNext * CQE_SIZE + CQE_STATUS] & CQE_VALID) === queue.cqPhase;
  }

  /**
   * The poll of one queue: events, completions in order (transmit ones reclaimed outside the budget,
   * receive ones up to `budget` packets into `ifp.input`), one CQ doorbell, refill. Returns the packets
   * received.
   */
  poll(queue: EheaQueue, budget: number): number {
    if (!this.running) return 0;
    if (queue.linkEvent) {
      queue.linkEvent = false;
      this.linkChange();
    }
    if (queue.errorEvent) {
      queue.errorEvent = false;
      this.harvestMissed(queue);
      if (queue.index === 0) this.harvestErrors();
    }
    const ifp = this.ifp;
    const cpu = this.host.cpu;
    const u8 = queue.cq.u8;
    const view = queue.cq.view;
    const q = queue.index;
    let work = 0;
    let consumed = 0;
    let reclaimed = 0;
    while (consumed < queue.cqN) {
      const c = queue.cqNext * CQE_SIZE;
      if ((u8[c + CQE_STATUS] & CQE_VALID) !== queue.cqPhase) break;
      const flags = u8[c + CQE_FLAGS];
      if ((flags & CQE_F_TX) !== 0) {
        reclaimed += this.txComplete(queue, view.getUint16(c + CQE_WQE, true), u8[c + CQE_ERROR]);
        this.cqAdvance(queue);
        consumed++;
        continue;
      }
      if (work >= budget) break;
      this.cqAdvance(queue);
      consumed++;
      work++;
      cpu.chargeLayerId(LAYER_DRIVER_RX);
      // Never trust the device: the entry must name the buffer we expect next.
      const wqe = view.getUint16(c + CQE_WQE, true);
      const m = wqe === queue.rqNext ? queue.rqMbuf[wqe] : null;
      if (m === null || queue.rqPosted === 0) {
        queue.stats.rxErrors++;
        ifp.counters.ierrors++;
        ifp.countDrop('ehea.rx.bad-completion');
        continue;
      }
      queue.rqMbuf[wqe] = null;
      queue.rqNext = wqe + 1 === queue.rqN ? 0 : wqe + 1;
      queue.rqPosted--;
      const len = view.getUint16(c + CQE_LENGTH, true);
      if (u8[c + CQE_ERROR] !== 0 || len < 14 || len > m.capacity - m.off) {
        queue.stats.rxErrors++;
        ifp.counters.ierrors++;
        ifp.dropInput(m, 'ehea.rx.desc-error');
        continue;
      }
      m.len = len;
      const h = m.pkthdr;
      h.len = len;
      h.flowHash = view.getUint32(c + CQE_HASH, true);
      const type = u8[c + CQE_HASH_TYPE];
      h.flowHashType = type < HASHTYPE_MAP.length ? HASHTYPE_MAP[type] : M_HASHTYPE_NONE;
      h.rxQueue = q;
      if ((flags & CQE_F_BCAST) !== 0) m.flags |= M_BCAST;
      else if ((flags & CQE_F_MCAST) !== 0) m.flags |= M_MCAST;
      queue.stats.rxPackets++;
      ifp.input(m);
      if (!this.running) return work; // brought down from inside the stack: the rings are gone
    }
    if (consumed > 0) this.wr(EHEA_Q(q, Q_CQ_DOORBELL), consumed);
    if (work === budget) {
      // A full round: the queue is probably overrun, and while its round lasts the device is disarmed
      // and holds its error events back. Harvest here (one register read per `budget` packets) so the
      // drops show while the overload lasts, not only when it ends.
      this.harvestMissed(queue);
      if (q === 0) this.harvestErrors();
    }
    this.refill(queue);
    if (reclaimed > 0) this.txRestart();
    return work;
  }

  private cqAdvance(queue: EheaQueue): void {
    if (++queue.cqNext === queue.cqN) {
      queue.cqNext = 0;
      queue.cqPhase ^= 1;
    }
  }

  /** Posts a fresh cluster for every free receive WQE, then one RQ doorbell. */
  private refill(queue: EheaQueue): void {
    const n = queue.rqN;
    const view = queue.rq.view;
    let i = queue.rqTail;
    let posted = 0;
    while (queue.rqPosted < n) {
      const m = this.pool.getcl();
      if (m === null) {
        this.events['ehea.rx.nobufs']++;
        queue.stats.rxNoBufs++;
        break;
      }
      m.off = ETHER_ALIGN;
      queue.rqMbuf[i] = m;
      const w = i * WQE_SIZE;
      const addr = m.busAddr + m.off;
      const hi = Math.floor(addr / SEG);
      view.setUint32(w, addr - hi * SEG, true);
      view.setUint32(w + 4, hi, true);
      view.setUint16(w + WQE_LENGTH, m.capacity - m.off, true);
      i = i + 1 === n ? 0 : i + 1;
      queue.rqPosted++;
      posted++;
    }
    queue.rqTail = i;
    if (posted > 0) this.wr(EHEA_Q(queue.index, Q_RQ_DOORBELL), posted);
  }

  /** Reads the queue's missed counter (clear on read) into the drops. */
  private harvestMissed(queue: EheaQueue): void {
    const missed = this.rd(EHEA_Q(queue.index, Q_MISSED));
    if (missed === 0) return;
    queue.stats.rxMissed += missed;
    this.ifp.counters.ierrors += missed;
    this.ifp.countDrop('ehea.rx.missed', missed);
  }

  /** Reads the port's oversize/runt counters (clear on read) into the drops. */
  private harvestErrors(): void {
    const ifp = this.ifp;
    const over = this.rd(EHEA_ERR_OVERSIZE);
    if (over !== 0) {
      ifp.counters.ierrors += over;
      ifp.countDrop('ehea.rx.oversize', over);
    }
    const runt = this.rd(EHEA_ERR_RUNT);
    if (runt !== 0) {
      ifp.counters.ierrors += runt;
      ifp.countDrop('ehea.rx.runt', runt);
    }
  }

  private linkChange(): void {
    const state = (this.rd(EHEA_STATUS) & STATUS_LU) !== 0 ? 'up' : 'down';
    if (this.ifp.linkState !== state) {
      this.events['ehea.link.changes']++;
      this.ifp.setLinkState(state);
    }
  }

  // =====================================================================================================
  // Transmit

  /** The send queue for `m`: its own flow hash, else the software Toeplitz hash of its headers; else 0. */
  private txQueue(m: Mbuf): number {
    const nq = this.nq;
    if (nq === 1) return 0;
    let hash: number;
    if (m.pkthdr.flowHashType !== M_HASHTYPE_NONE) hash = m.pkthdr.flowHash;
    else {
      const cl = this.txClassifier;
      if (cl.classify(m.buf, m.off, m.len, RSS_ALL) === HASH_NONE) return 0;
      hash = cl.hash;
    }
    return ((hash >>> 16) * nq) >>> 16; // reciprocal scale: the hash's top bits pick the queue
  }

  /**
   * `if_start`: moves packets from the send queue onto the send queues of the port resources — one WQE
   * per non-empty mbuf, EOP and SIGNAL on the last — and rings each queue's doorbell once. A full send
   * queue puts the packet back and sets IFF_OACTIVE until that queue's poll reclaims.
   */
  start(): void {
    const ifp = this.ifp;
    if (!this.running || (ifp.flags & IFF_OACTIVE) !== 0) return;
    const cpu = this.host.cpu;
    let queued = 0;
    for (;;) {
      const m = ifp.sendQueue.dequeue(ifp);
      if (m === null) break;
      let segs = 0;
      for (let s: Mbuf | null = m; s !== null; s = s.next) if (s.len > 0) segs++;
      if (segs === 0) {
        ifp.dropOutput(m, 'ehea.tx.empty');
        continue;
      }
      const queue = this.queues[this.txQueue(m)];
      if (segs > queue.sqN - 1 || m.pkthdr.len > MAX_TX_FRAME) {
        ifp.dropOutput(m, 'ehea.tx.too-big');
        continue;
      }
      if (segs > queue.sqN - 1 - queue.sqUsed) {
        ifp.sendQueue.requeue(ifp, m);
        ifp.flags |= IFF_OACTIVE;
        this.events['ehea.tx.ring-full']++;
        break;
      }
      cpu.chargeLayerId(LAYER_DRIVER_TX);
      const view = queue.sq.view;
      const n = queue.sqN;
      let slot = queue.sqTail;
      let last = slot;
      for (let s: Mbuf | null = m; s !== null; s = s.next) {
        if (s.len === 0) continue;
        segs--;
        const w = slot * WQE_SIZE;
        const addr = s.busAddr + s.off;
        const hi = Math.floor(addr / SEG);
        view.setUint32(w, addr - hi * SEG, true);
        view.setUint32(w + 4, hi, true);
        view.setUint16(w + WQE_LENGTH, s.len, true);
        queue.sq.u8[w + WQE_FLAGS] = segs === 0 ? WQE_EOP | WQE_SIGNAL : 0;
        last = slot;
        slot = slot + 1 === n ? 0 : slot + 1;
        queue.sqUsed++;
        queue.sqUnannounced++;
      }
      queue.sqMbuf[last] = m;
      queue.sqTail = slot;
      queue.stats.txPackets++;
      ifp.counters.opackets++;
      ifp.counters.obytes += m.pkthdr.len;
      queued++;
    }
    if (queued === 0) return;
    for (let q = 0; q < this.nq; q++) {
      const queue = this.queues[q];
      if (queue.sqUnannounced === 0) continue;
      this.wr(EHEA_Q(q, Q_SQ_DOORBELL), queue.sqUnannounced);
      queue.sqUnannounced = 0;
    }
    ifp.watchdogTimer = this.opts.watchdogSeconds;
    this.host.armWatchdog();
  }

  /**
   * A transmit completion for the packet whose last WQE is `wqe`: frees it and the WQEs before it.
   * Returns 1 when a packet was reclaimed, 0 for an entry that names nothing in flight (not trusted).
   */
  private txComplete(queue: EheaQueue, wqe: number, error: number): number {
    const n = queue.sqN;
    const m = wqe < n ? queue.sqMbuf[wqe] : null;
    const count = ((wqe - queue.sqHead + n) % n) + 1;
    if (m === null || count > queue.sqUsed) {
      this.ifp.countDrop('ehea.tx.bad-completion');
      return 0;
    }
    queue.sqMbuf[wqe] = null;
    this.pool.freem(m);
    queue.sqUsed -= count;
    queue.sqHead = wqe + 1 === n ? 0 : wqe + 1;
    queue.stats.txCompletions++;
    if (error !== 0) {
      this.ifp.counters.oerrors++;
      this.ifp.countDrop('ehea.tx.error');
    }
    return 1;
  }

  /** After reclaiming: re-arm or clear the watchdog, and restart output if it was blocked. */
  private txRestart(): void {
    const ifp = this.ifp;
    let inFlight = 0;
    for (let q = 0; q < this.nq; q++) inFlight += this.queues[q].sqUsed;
    ifp.watchdogTimer = inFlight > 0 ? this.opts.watchdogSeconds : 0;
    if ((ifp.flags & IFF_OACTIVE) !== 0) {
      ifp.flags &= ~IFF_OACTIVE;
      this.start();
    }
  }
}

/** The interrupt routine of one queue's line (`intr_establish`'s function): acknowledge, defer. */
export function eheaIntr(queue: EheaQueue): boolean {
  return queue.owner.intr(queue);
}

/** The interface's driver operations. */
class EheaIfnetOps implements IfnetDriverOps {
  constructor(private readonly sc: EheaDriver) {}
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
    return mtu <= ETHERMTU;
  }
  setLinkAddress(_ifp: Ifnet, addr: Uint8Array): void {
    this.sc.programAddress(addr);
  }
  watchdog(): void {
    this.sc.watchdog();
  }
}

/** The poll operations of one queue (one object per queue, so a test may wrap one queue's). */
class EheaPollOps implements PollOps {
  constructor(
    private readonly sc: EheaDriver,
    private readonly queue: EheaQueue,
  ) {}
  poll(_ctx: PollContext, budget: number): number {
    return this.sc.poll(this.queue, budget);
  }
  intrEnable(): void {
    this.sc.intrEnable(this.queue);
  }
  intrDisable(): void {
    this.sc.intrDisable(this.queue);
  }
  workPending(): boolean {
    return this.sc.workPending(this.queue);
  }
}

/** Fills an indirection table round-robin over `n` queues (the default spread). */
export function spreadTable(table: Uint8Array, n: number): void {
  for (let i = 0; i < table.length; i++) table[i] = i % n;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function ringSize(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 8 || n > RING_MAX / 2 || (n & (n - 1)) !== 0) {
    throw new RangeError(`ehea: ${what} must be a power of two in 8..${RING_MAX / 2}, got ${n}`);
  }
  return n;
}

/** `ehea_match`: IBM vendor id and the model's device id. */
export function eheaMatch(ident: DeviceIdent): number {
  return ident.vendor === EHEA_VENDOR_IBM && ident.device === EHEA_DEVICE_ID ? 1 : 0;
}

/** The driver as autoconfiguration sees it. */
export const eheaDriver: DriverDescriptor = {
  name: 'ehea',
  match: eheaMatch,
  driver: EheaDriver,
};

/** Registers the `ehea` driver (and optionally its tunables) on a platform. */
export function registerEhea(platform: Platform, options?: EheaOptions): Platform {
  if (options !== undefined) platform.container.register(EHEA_OPTIONS, { useValue: options });
  platform.registerDriver(eheaDriver);
  return platform;
}
