/**
 * The `ehea` data path: the per-queue interrupt routine, the per-queue poll (completions, `if_input`,
 * refill, transmit reclaim), `if_start` over the send queues, and the flush of a stopped queue. The
 * softc (`EheaDriver`, in `ehea.ts`) extends it with attachment, `if_init`/`if_stop` and the control API.
 *
 * Ownership: a receive buffer is the driver's (`queue.rqMbuf[i]`) from refill until its completion is
 * reaped — then it goes to `ifp.input`, which owns it; a packet being sent sits at its last WQE
 * (`queue.sqMbuf[last]`) until its transmit completion, or the flush, frees it.
 *
 * @module
 */
import {
  ALLOC_RESERVE,
  type BusSpace,
  type Host,
  IFF_OACTIVE,
  type Ifnet,
  LAYER_DRIVER_RX,
  LAYER_DRIVER_TX,
  M_BCAST,
  M_HASHTYPE_NONE,
  M_HASHTYPE_RSS_IPV4,
  M_HASHTYPE_RSS_TCP_IPV4,
  M_HASHTYPE_RSS_UDP_IPV4,
  M_MCAST,
  type Mbuf,
  type MbufPool,
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
  EHEA_ERR_OVERSIZE,
  EHEA_MAX_FRAME,
  EHEA_ERR_RUNT,
  EHEA_Q,
  EHEA_STATUS,
  EQE_SIZE,
  EQE_STATUS,
  EQE_TYPE,
  EQE_T_ERRORS,
  EQE_T_LINK,
  EQE_VALID,
  HASH_NONE,
  Q_CQ_ARM,
  Q_CQ_DOORBELL,
  Q_EQ_DOORBELL,
  Q_MISSED,
  Q_RQ_DOORBELL,
  Q_SQ_DOORBELL,
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
import type { EheaEvents } from './options.js';
import type { EheaQueue } from './queue.js';

const ETHER_ALIGN = 2;
/** CQE hash type → `M_HASHTYPE_*`. */
const HASHTYPE_MAP = Int32Array.of(
  M_HASHTYPE_NONE,
  M_HASHTYPE_RSS_IPV4,
  M_HASHTYPE_RSS_TCP_IPV4,
  M_HASHTYPE_RSS_UDP_IPV4,
);

export abstract class EheaDataPath {
  ifp!: Ifnet;
  /** Every port resource the device has; the first `activeQueues` are in use. */
  queues: EheaQueue[] = [];
  readonly events: EheaEvents = {
    'ehea.rx.nobufs': 0,
    'ehea.tx.ring-full': 0,
    'ehea.link.changes': 0,
    'ehea.watchdog.reset': 0,
  };

  protected regs!: BusSpace;
  protected pool!: MbufPool;
  /** Active queues. */
  protected nq = 1;
  protected running = false;
  protected watchdogSeconds = 5;
  /** Software flow hash for transmit (same key as the device's). */
  protected readonly txClassifier = new RssClassifier(new ToeplitzHasher(RSS_DEFAULT_KEY));

  constructor(protected readonly host: Host) {}

  // =====================================================================================================
  // Register access (the host's bus charges each access to the CPU)

  protected rd(off: number): number {
    return this.regs.read32(off);
  }

  protected wr(off: number, v: number): void {
    this.regs.write32(off, v);
  }

  /** Frees what a stopped queue holds, reclaiming transmit completions already written. */
  protected flushQueue(queue: EheaQueue): void {
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

  protected cqAdvance(queue: EheaQueue): void {
    if (++queue.cqNext === queue.cqN) {
      queue.cqNext = 0;
      queue.cqPhase ^= 1;
    }
  }

  /** Posts a fresh cluster for every free receive WQE, then one RQ doorbell. */
  protected refill(queue: EheaQueue): void {
    const n = queue.rqN;
    const view = queue.rq.view;
    const map = queue.map;
    let i = queue.rqTail;
    let posted = 0;
    while (queue.rqPosted < n) {
      const m = this.pool.getcl(ALLOC_RESERVE); // receive-ring refill may use the pool's reserve
      if (m === null) {
        this.events['ehea.rx.nobufs']++;
        queue.stats.rxNoBufs++;
        break;
      }
      m.off = ETHER_ALIGN;
      m.len = m.capacity - ETHER_ALIGN; // the space the device may fill
      if (!map.loadMbuf(m)) {
        // Not DMA-able (a pool outside this DMA space): a driver bug, not load.
        this.pool.free(m);
        throw new Error(`${this.ifp.name}: receive buffer not in the device's DMA space`);
      }
      m.len = 0;
      queue.rqMbuf[i] = m;
      const w = i * WQE_SIZE;
      view.setUint32(w, map.segLo[0], true);
      view.setUint32(w + 4, map.segHi[0], true);
      view.setUint16(w + WQE_LENGTH, map.segLen[0], true);
      i = i + 1 === n ? 0 : i + 1;
      queue.rqPosted++;
      posted++;
    }
    map.unload();
    queue.rqTail = i;
    if (posted > 0) this.wr(EHEA_Q(queue.index, Q_RQ_DOORBELL), posted);
  }

  /** Reads the queue's missed counter (clear on read) into the drops. */
  protected harvestMissed(queue: EheaQueue): void {
    const missed = this.rd(EHEA_Q(queue.index, Q_MISSED));
    if (missed === 0) return;
    queue.stats.rxMissed += missed;
    this.ifp.counters.ierrors += missed;
    this.ifp.countDrop('ehea.rx.missed', missed);
  }

  /** Reads the port's oversize/runt counters (clear on read) into the drops. */
  protected harvestErrors(): void {
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

  protected linkChange(): void {
    const state = (this.rd(EHEA_STATUS) & STATUS_LU) !== 0 ? 'up' : 'down';
    if (this.ifp.linkState !== state) {
      this.events['ehea.link.changes']++;
      this.ifp.setLinkState(state);
    }
  }

  // =====================================================================================================
  // Transmit

  /** The send queue for `m`: its own flow hash, else the software Toeplitz hash of its headers; else 0. */
  protected txQueue(m: Mbuf): number {
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
      if (segs > queue.sqN - 1 || m.pkthdr.len > EHEA_MAX_FRAME) {
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
      const map = queue.map;
      if (!map.loadMbuf(m)) {
        ifp.dropOutput(m, 'ehea.tx.not-dma-able');
        continue;
      }
      const view = queue.sq.view;
      const n = queue.sqN;
      let slot = queue.sqTail;
      let last = slot;
      for (let k = 0; k < map.nsegs; k++) {
        const w = slot * WQE_SIZE;
        view.setUint32(w, map.segLo[k], true);
        view.setUint32(w + 4, map.segHi[k], true);
        view.setUint16(w + WQE_LENGTH, map.segLen[k], true);
        queue.sq.u8[w + WQE_FLAGS] = k === map.nsegs - 1 ? WQE_EOP | WQE_SIGNAL : 0;
        last = slot;
        slot = slot + 1 === n ? 0 : slot + 1;
        queue.sqUsed++;
        queue.sqUnannounced++;
      }
      map.unload();
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
    ifp.watchdogTimer = this.watchdogSeconds;
    this.host.armWatchdog();
  }

  /**
   * A transmit completion for the packet whose last WQE is `wqe`: frees it and the WQEs before it.
   * Returns 1 when a packet was reclaimed, 0 for an entry that names nothing in flight (not trusted).
   */
  protected txComplete(queue: EheaQueue, wqe: number, error: number): number {
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
  protected txRestart(): void {
    const ifp = this.ifp;
    let inFlight = 0;
    for (let q = 0; q < this.nq; q++) inFlight += this.queues[q].sqUsed;
    ifp.watchdogTimer = inFlight > 0 ? this.watchdogSeconds : 0;
    if ((ifp.flags & IFF_OACTIVE) !== 0) {
      ifp.flags &= ~IFF_OACTIVE;
      this.start();
    }
  }
}
