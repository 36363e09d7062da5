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
 * - **Poll** (`EheaDataPath.poll`, in `datapath.ts`): link/error events, then completion entries in order — transmit
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
  type InterruptSource,
  type Platform,
  inject,
  injectable,
} from '@ifnet/core';
import {
  CQE_SIZE,
  CTRL_BAM,
  CTRL_LINK,
  CTRL_MPE,
  CTRL_RST,
  CTRL_RXEN,
  CTRL_TXEN,
  CTRL_UPE,
  EHEA_CTRL,
  EHEA_DEVICE_ID,
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
  QCTRL_EN,
  Q_CQ_ARM,
  Q_CQ_BASE_HI,
  Q_CQ_BASE_LO,
  Q_CQ_SIZE,
  Q_CTRL,
  Q_EQ_BASE_HI,
  Q_EQ_BASE_LO,
  Q_EQ_SIZE,
  Q_MISSED,
  Q_RQ_BASE_HI,
  Q_RQ_BASE_LO,
  Q_RQ_SIZE,
  Q_SQ_BASE_HI,
  Q_SQ_BASE_LO,
  Q_SQ_SIZE,
  RING_MAX,
  EHEA_MAX_FRAME,
  RSS_ALL,
  STATUS_LU,
  WQE_SIZE,
} from '../regs.js';
import { RSS_DEFAULT_KEY } from '../rss/toeplitz.js';
import { EheaDataPath } from './datapath.js';
import { EheaIfnetOps, EheaPollOps } from './ops.js';
import {
  EHEA_MTU,
  EHEA_OPTIONS,
  type EheaConfig,
  type EheaOptions,
  type EheaRssState,
  checkConfig,
  nextPowerOfTwo,
  ringSize,
  spreadTable,
} from './options.js';
import { EheaQueue } from './queue.js';

const SEG = 0x1_0000_0000;
/** Event queue entries per queue: completions (one per arm), link and error events. */
const EQ_ENTRIES = 64;

/**
 * The `ehea` softc: one per device, created by autoconfiguration.
 */
@injectable()
export class EheaDriver extends EheaDataPath implements DeviceDriver {
  private lines: readonly InterruptSource[] = [];
  private opts!: Required<Omit<EheaOptions, 'queues' | 'rssKey'>>;
  private maxQueues = 1;
  private filter = 0;
  private readonly key = new Uint8Array(EHEA_RSS_KEY_BYTES);
  private readonly reta = new Uint8Array(EHEA_RETA_ENTRIES);

  constructor(@inject(HOST) host: Host) {
    super(host);
  }

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
    this.watchdogSeconds = this.opts.watchdogSeconds;
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
          aa.dma.createMap(`${name} buffers`, Math.max(host.pool.mclbytes, EHEA_MAX_FRAME), RING_MAX / 2),
        ),
      );
    }

    this.ifp = host.ifAttach({
      name: 'ehea',
      ifType: IFT_ETHER,
      ops: new EheaIfnetOps(this),
      lladdr: mac,
      mtu: EHEA_MTU,
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
        line: this.lines[q], // the queue's own vector (napi->irq)
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
      this.flushQueue(queue);
    }
    this.harvestErrors();
    this.ifp.flags &= ~IFF_OACTIVE;
    this.ifp.watchdogTimer = 0;
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
    const queues = checkConfig(cfg, this.maxQueues, this.nq, this.ifp.name);
    const table = cfg.indirectionTable;
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
}

/** The interrupt routine of one queue's line (`intr_establish`'s function): acknowledge, defer. */
export function eheaIntr(queue: EheaQueue): boolean {
  return queue.owner.intr(queue);
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
