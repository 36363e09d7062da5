/**
 * The `wm` data path: the interrupt routine, the poll (`wm_rxeof`, refill, `wm_txeof`) and `if_start`
 * (`wm_start`). The softc's configuration half (attach, init/stop, filters) is {@link WmSoftc} in
 * `wm.ts`, which extends this class: one object per device, as in BSD, split by concern.
 *
 * ## Ownership
 *
 * - A receive slot's mbuf is the driver's (`rxMbuf[i]`) from refill until it is reaped; the device only
 *   writes into its cluster. `ifp.input(m)` hands the packet to the stack: the driver forgets it.
 * - A packet taken from the send queue is the driver's until its last descriptor comes back with DD
 *   (`txeof` frees it), or until `stop` flushes the ring.
 *
 * ## Trust
 *
 * The driver never trusts what the device writes back. A descriptor's length must fit the buffer the
 * driver gave it, a frame must be at least an Ethernet header and at most the largest frame the driver
 * enabled, the status must not claim modes the driver never enabled, and frame errors drop the packet.
 * Each rejection is counted under a named reason ({@link WmDrop}) and the mbuf freed: nothing the device
 * invents reaches `if_input`. Ring indices the device reports are checked by the statistics tick.
 *
 * @module
 */
import {
  BUS_DMASYNC_POSTREAD as I_BUS_DMASYNC_POSTREAD,
  BUS_DMASYNC_POSTWRITE as I_BUS_DMASYNC_POSTWRITE,
  BUS_DMASYNC_PREREAD as I_BUS_DMASYNC_PREREAD,
  BUS_DMASYNC_PREWRITE as I_BUS_DMASYNC_PREWRITE,
  type BusSpace,
  type DmaMap,
  type DmaRegion,
  type Host,
  IFF_OACTIVE as I_IFF_OACTIVE,
  type Ifnet,
  LAYER_DRIVER_RX as I_LAYER_DRIVER_RX,
  LAYER_DRIVER_TX as I_LAYER_DRIVER_TX,
  M_BCAST as I_M_BCAST,
  M_MCAST as I_M_MCAST,
  M_PKTHDR,
  type Mbuf,
  type MbufPool,
  type PollContext,
  type PollOps,
  type RxBufferCache,
} from '@ifnet/core';
import {
  DESC_SIZE as I_DESC_SIZE,
  E1000_ICR as I_E1000_ICR,
  E1000_ICS,
  E1000_IMC,
  E1000_IMS,
  E1000_RDT as I_E1000_RDT,
  E1000_TDT as I_E1000_TDT,
  ICR_LSC as I_ICR_LSC,
  ICR_RXDMT0,
  ICR_RXO as I_ICR_RXO,
  ICR_RXT0,
  ICR_TXDW,
  RXD_ERR_CE,
  RXD_ERR_CXE,
  RXD_ERR_RXE,
  RXD_ERR_SE,
  RXD_ERR_SEQ,
  RXD_ERRORS,
  RXD_LENGTH,
  RXD_STAT_DD as I_RXD_STAT_DD,
  RXD_STAT_EOP as I_RXD_STAT_EOP,
  RXD_STAT_IXSM as I_RXD_STAT_IXSM,
  RXD_STAT_VP as I_RXD_STAT_VP,
  RXD_STATUS as I_RXD_STATUS,
  TXD_CMD,
  TXD_CMD_EOP as I_TXD_CMD_EOP,
  TXD_CMD_IDE as I_TXD_CMD_IDE,
  TXD_CMD_IFCS as I_TXD_CMD_IFCS,
  TXD_CMD_RS as I_TXD_CMD_RS,
  TXD_LENGTH,
  TXD_STAT_DD as I_TXD_STAT_DD,
  TXD_STATUS as I_TXD_STATUS,
} from '../regs.js';
import { WmDrop, type WmDropReason, type WmEvents, newWmEvents } from './wm-drops.js';
import { rxCsumTable } from './wm-rx-csum.js';

/*
 * The register bits, flags and layer ids used per packet or per poll, bound to this module's own
 * constants: V8 (Node 20) reads an imported `const` from the exporting module's cell with a hole (TDZ)
 * check at every use, while a module's own `const` folds into an immediate (see the device model,
 * `device/receiver.ts`). The imports stay the one source of truth.
 */
const BUS_DMASYNC_POSTREAD = I_BUS_DMASYNC_POSTREAD;
const BUS_DMASYNC_POSTWRITE = I_BUS_DMASYNC_POSTWRITE;
const BUS_DMASYNC_PREREAD = I_BUS_DMASYNC_PREREAD;
const BUS_DMASYNC_PREWRITE = I_BUS_DMASYNC_PREWRITE;
const IFF_OACTIVE = I_IFF_OACTIVE;
const LAYER_DRIVER_RX = I_LAYER_DRIVER_RX;
const LAYER_DRIVER_TX = I_LAYER_DRIVER_TX;
const M_BCAST = I_M_BCAST;
const M_MCAST = I_M_MCAST;
const DESC_SIZE = I_DESC_SIZE;
const E1000_ICR = I_E1000_ICR;
const E1000_RDT = I_E1000_RDT;
const E1000_TDT = I_E1000_TDT;
const ICR_LSC = I_ICR_LSC;
const ICR_RXO = I_ICR_RXO;
const RXD_STAT_DD = I_RXD_STAT_DD;
const RXD_STAT_EOP = I_RXD_STAT_EOP;
const RXD_STAT_IXSM = I_RXD_STAT_IXSM;
const RXD_STAT_VP = I_RXD_STAT_VP;
const RXD_STATUS = I_RXD_STATUS;
const TXD_CMD_EOP = I_TXD_CMD_EOP;
const TXD_CMD_IDE = I_TXD_CMD_IDE;
const TXD_CMD_IFCS = I_TXD_CMD_IFCS;
const TXD_CMD_RS = I_TXD_CMD_RS;
const TXD_STAT_DD = I_TXD_STAT_DD;
const TXD_STATUS = I_TXD_STATUS;

/** Causes the driver enables: receive timer, overrun, descriptors low, link change, transmit written back. */
export const WM_IMS = ICR_RXT0 | ICR_RXO | ICR_RXDMT0 | ICR_LSC | ICR_TXDW;
/** Most DMA segments (mbufs) of one transmit packet (NetBSD `WM_NTXSEGS`). */
export const WM_NTXSEGS = 32;
/** The transmit engine gathers at most 16 KB per packet. */
export const MAX_TX_FRAME = 16384;
// `start`'s bounds as module-local consts: an exported `const` is read through its cell (with a hole
// check) even inside its own module.
const TX_MAX_SEGS = WM_NTXSEGS;
const TX_MAX_FRAME = MAX_TX_FRAME;
/** Shortest frame the driver accepts from the device (an Ethernet header). */
const ETHER_HDR_LEN = 14;
/** Frame errors: the packet is dropped (IPE/TCPE only mark the checksum bad). */
const RXD_FRAME_ERRORS = RXD_ERR_CE | RXD_ERR_SE | RXD_ERR_SEQ | RXD_ERR_CXE | RXD_ERR_RXE;

/**
 * A descriptor as four little-endian 32-bit words ({@link descriptorWords}): the receive write-back is
 * read with two loads — word 2 is `length | csum << 16`, word 3 is `status | errors << 8 | special << 16`
 * — and a transmit descriptor written with four stores (word 2: `length | cso << 16 | cmd << 24`).
 */
const DESC_WORDS = DESC_SIZE >>> 2;
const RXW_LENGTH = RXD_LENGTH >>> 2;
const RXW_STATUS = RXD_STATUS >>> 2;
const RXW_ERRORS_SHIFT = (RXD_ERRORS - RXD_STATUS) * 8;
const TXW_LENGTH = TXD_LENGTH >>> 2;
const TXW_CMD_SHIFT = (TXD_CMD - TXD_LENGTH) * 8;
const TXW_STATUS = TXD_STATUS >>> 2;

/** Whether typed arrays are little-endian here (every JavaScript engine in use; checked once). */
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * A 32-bit view of a descriptor ring (the driver's CPU view of its DMA memory, as `u8` is): descriptors
 * are little-endian, so this needs a little-endian host, refused here with a clear error otherwise.
 */
export function descriptorWords(ring: DmaRegion): Uint32Array {
  if (!HOST_LITTLE_ENDIAN) throw new Error(`${ring.name}: wm needs a little-endian host for its descriptor views`);
  return new Uint32Array(ring.u8.buffer, ring.u8.byteOffset, ring.size >>> 2);
}

/**
 * Why a received packet is being dropped, as a small integer while the receive loop works on it (0: good)
 * — comparisons of small integers, not strings — mapped to its {@link WmDrop} reason when counted.
 */
const RX_GOOD = 0;
const RX_BAD_LENGTH = 1;
const RX_DESC_ERROR = 2;
const RX_BAD_STATUS = 3;
const RX_DROP_REASON: readonly WmDropReason[] = [
  WmDrop.RxBadLength,
  WmDrop.RxBadLength,
  WmDrop.RxDescError,
  WmDrop.RxBadStatus,
];

/**
 * `csum_flags` by five write-back bits ({@link rxCsumTable}), a constant of this module: an imported
 * binding would cost a cell load and a hole check per packet.
 */
const RX_CSUM_FLAGS = rxCsumTable();

/**
 * The data-path half of the `wm` softc. It implements the poll context's operations itself
 * ({@link PollOps}); the interrupt routine is {@link WmDataPath.intr}.
 */
export abstract class WmDataPath implements PollOps {
  /** The interface, once attached. */
  ifp!: Ifnet;
  /** The receive queue's poll context. */
  ctx!: PollContext;
  /** Conditions that drop nothing by themselves. */
  readonly events: WmEvents = newWmEvents();
  /** Spurious interrupts (ICR read 0). */
  spurious = 0;

  protected regs!: BusSpace;
  protected pool!: MbufPool;
  /** Between init and stop. */
  protected running = false;
  /** Causes read by the interrupt routine, handled by the next poll. */
  protected icrPending = 0;
  /** Set IDE on transmit descriptors (TIDV programmed). */
  protected txIde = false;
  protected watchdogSeconds = 5;

  // Receive ring: slots [rxNext, rxNext + rxFilled) hold buffers (device-owned or done, not yet reaped);
  // rxFill (== RDT) is the next slot to refill.
  protected rxRing!: DmaRegion;
  /** {@link rxRing} as 32-bit words ({@link descriptorWords}). */
  protected rxWords!: Uint32Array;
  protected rxN = 0;
  protected rxMbuf: (Mbuf | null)[] = [];
  /** One DMA map per receive slot (`bus_dmamap_create` at attach), loaded with the slot's cluster. */
  protected rxMaps: DmaMap[] = [];
  /**
   * The receive queue's buffer cache (`page_pool`): the stack frees a packet that came from this ring
   * back into it, cluster attached, and refill takes it from there instead of `m_getcl`.
   */
  protected rxCache!: RxBufferCache;
  protected rxNext = 0;
  protected rxFill = 0;
  protected rxFilled = 0;
  /** Receive buffer size programmed into RCTL.BSIZE (bytes): no descriptor may report more. */
  protected rxBufSize = 2048;
  /** Largest frame the driver enabled (without FCS: the device strips it). */
  protected rxMaxFrame = 1518;
  /** A packet spanning descriptors, being assembled. */
  private rxHead: Mbuf | null = null;
  private rxTail: Mbuf | null = null;
  /** Why the packet being assembled will be dropped (`RX_GOOD` while it is good). */
  private rxBad = RX_GOOD;

  // Transmit ring: slots [txHead, txTail) are in flight (txUsed of them). A packet's mbuf chain sits at
  // its last slot; txLast[first slot] names that slot.
  protected txRing!: DmaRegion;
  /** {@link txRing} as 32-bit words ({@link descriptorWords}). */
  protected txWords!: Uint32Array;
  protected txN = 0;
  protected txMbuf: (Mbuf | null)[] = [];
  /** One DMA map per transmit slot, loaded with the packet whose first descriptor is that slot. */
  protected txMaps: DmaMap[] = [];
  protected txLast!: Int32Array;
  protected txHead = 0;
  protected txTail = 0;
  protected txUsed = 0;
  /**
   * Doorbell batching (FreeBSD iflib's `ift_db_pending`, Linux `netdev_xmit_more()`): while the poll hands
   * packets up, replies the stack sends from inside it (an ICMP echo, a forwarded packet) are put on the
   * ring by `start` but TDT is written once, when the poll's receive pass ends, instead of once per packet.
   */
  private txDeferDoorbell = false;
  /** Descriptors were queued while {@link txDeferDoorbell}: TDT must be written. */
  private txDoorbellPending = false;

  constructor(protected readonly host: Host) {}

  /** Link state change (LSC): read STATUS and tell the interface. */
  protected abstract linkChange(): void;
  /** Reads the statistics registers into the interface counters (`wm_tick`'s harvest). */
  protected abstract harvestStats(): void;
  /** Tells the statistics tick the interface is busy. */
  protected abstract pollActivity(): void;

  protected rd(off: number): number {
    return this.regs.read32(off);
  }

  protected wr(off: number, v: number): void {
    this.regs.write32(off, v);
  }

  /** Counts `reason` (and `ierrors`) for a received packet the driver rejects, and frees it. */
  protected rxDiscard(m: Mbuf, reason: WmDropReason): void {
    this.ifp.counters.ierrors++;
    this.ifp.countDrop(reason);
    this.pool.freem(m);
  }

  // =====================================================================================================
  // Interrupt routine and poll operations

  /**
   * `wm_intr`: read ICR (which acknowledges the device and lowers the line); 0 means not ours (a spurious
   * interrupt, counted); otherwise note the causes for the poll and defer. The framework masks the source
   * (`intrDisable`) because a DMA device keeps filling descriptors on its own. Established with the softc
   * as its argument.
   */
  static intr(sc: WmDataPath): boolean {
    const icr = sc.regs.read32(E1000_ICR);
    if (icr === 0) {
      sc.spurious++;
      return false;
    }
    sc.icrPending |= icr;
    sc.ctx.defer();
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

  /**
   * `intrRetrigger`: raise the receive interrupt again by software (ICS = RXT0), as Linux's e1000 does
   * from its watchdog ("cause software interrupt to ensure rx ring is cleaned"). Used by core's
   * interrupt-work mode, which leaves packets beyond its per-interrupt budget to another interrupt.
   */
  intrRetrigger(): void {
    this.wr(E1000_ICS, ICR_RXT0);
  }

  /** `workPending`: the next receive descriptor is done. */
  workPending(): boolean {
    return this.rxFilled > 0 && (this.rxRing.u8[this.rxNext * DESC_SIZE + RXD_STATUS] & RXD_STAT_DD) !== 0;
  }

  /**
   * The poll (`if_poll`): causes, transmit reclaim, up to `budget` received packets up through
   * `ifp.input`, refill. Returns the packets received.
   */
  poll(ctx: PollContext, budget: number): number {
    // Boolean fields are tested with `=== true` here and in rxeof: V8 does not track that a field holds
    // only booleans, so a bare `if (this.running)` compiles to a full ToBoolean (false, "", undetectable,
    // number and bigint checks, ~12 instructions) where `=== true` is one compare.
    if (this.running !== true) return 0;
    // Take every pending cause: those the interrupt routine saw and any raised since (reading ICR
    // acknowledges them, so work done here does not interrupt again after the unmask).
    const icr = this.icrPending | this.rd(E1000_ICR);
    this.icrPending = 0;
    this.pollActivity();
    if ((icr & ICR_LSC) !== 0) this.linkChange();
    if ((icr & ICR_RXO) !== 0) this.harvestStats();
    if (this.txUsed > 0) this.txeof(true);
    this.txDeferDoorbell = true;
    let work: number;
    try {
      work = this.rxeof(ctx, budget);
    } finally {
      this.txDeferDoorbell = false;
      if (this.txDoorbellPending === true) this.txDoorbell();
    }
    if (this.running === true) this.refill();
    return work;
  }

  /**
   * `wm_rxeof`: reaps up to `budget` packets whose descriptors the device completed, validates what it
   * wrote back, and hands each good packet (one mbuf, or a chain for a frame spanning descriptors) to
   * `ifp.input`. Returns the packets reaped (good or dropped). Stops early when a consumer up the stack
   * holds input ({@link PollContext.held}: a full socket's feedback), so the rest stays in the ring
   * instead of being processed only to die at the full queue (Mogul & Ramakrishnan).
   */
  private rxeof(ctx: PollContext, budget: number): number {
    const ifp = this.ifp;
    const cpu = this.host.cpu;
    const words = this.rxWords;
    const mbufs = this.rxMbuf;
    const maps = this.rxMaps;
    const n = this.rxN;
    const bufSize = this.rxBufSize;
    const maxFrame = this.rxMaxFrame;
    let work = 0;
    while (work < budget && this.rxFilled > 0) {
      const i = this.rxNext;
      const w = i * DESC_WORDS;
      // status | errors << 8 | special << 16: one load for all three.
      const wb = words[w + RXW_STATUS];
      if ((wb & RXD_STAT_DD) === 0) break;
      const m = mbufs[i]!;
      mbufs[i] = null;
      const map = maps[i];
      map.sync(BUS_DMASYNC_POSTREAD);
      map.unload();
      // The write-back stays until refill clears it (NetBSD's wm_init_rxdesc): a reaped slot is outside
      // [rxNext, rxNext + rxFilled), so nothing reads it before then.
      this.rxNext = i + 1 === n ? 0 : i + 1;
      this.rxFilled--;
      // The driver's per-descriptor charge is made where the descriptor's path ends (nothing between here
      // and there reads the clock): for a good packet together with if_input's (`inputCharging`).
      const len = words[w + RXW_LENGTH] & 0xffff;
      const errors = (wb >>> RXW_ERRORS_SHIFT) & 0xff;
      const tail = this.rxTail;
      let bad = tail === null ? RX_GOOD : this.rxBad;
      // Never set m.len beyond what the device may have written into this buffer.
      if (len > bufSize || len > m.capacity - m.off || (len === 0 && tail === null)) {
        if (bad === RX_GOOD) bad = RX_BAD_LENGTH;
        m.len = 0;
      } else {
        m.len = len;
      }
      if (bad === RX_GOOD) {
        if ((errors & RXD_FRAME_ERRORS) !== 0) bad = RX_DESC_ERROR;
        else if ((wb & RXD_STAT_VP) !== 0) bad = RX_BAD_STATUS;
      }
      let pkt = m;
      if (tail === null && (wb & RXD_STAT_EOP) !== 0) {
        m.pkthdr.len = m.len; // a frame in one descriptor (the common case): no chain bookkeeping
      } else {
        const head = this.rxAppend(m, tail, bad, (wb & RXD_STAT_EOP) !== 0);
        if (head === null) {
          cpu.chargeLayerId(LAYER_DRIVER_RX);
          continue;
        }
        pkt = head;
        bad = this.rxBad;
        this.rxBad = RX_GOOD;
      }
      work++;
      const plen = pkt.pkthdr.len;
      if (bad === RX_GOOD && (plen < ETHER_HDR_LEN || plen > maxFrame)) bad = RX_BAD_LENGTH;
      if (bad !== RX_GOOD) {
        cpu.chargeLayerId(LAYER_DRIVER_RX);
        this.rxDiscard(pkt, RX_DROP_REASON[bad]);
        continue;
      }
      // rxCsumIndex(wb), written out: a call, even inlined, spends V8's inlining budget, which this loop
      // needs for if_input's preemption point.
      pkt.pkthdr.csumFlags = RX_CSUM_FLAGS[((wb >>> 5) & 3) | ((wb >>> 11) & 0xc) | ((wb & RXD_STAT_IXSM) << 2)];
      const b = pkt.buf;
      const o = pkt.off;
      if ((b[o] & 1) !== 0) {
        pkt.flags |= (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff ? M_BCAST : M_MCAST;
      }
      ifp.inputCharging(pkt, LAYER_DRIVER_RX);
      if (this.running !== true) break; // brought down from inside the stack (=== true: see poll)
      if (ctx.held) break; // input feedback: stop now, the ring keeps the rest
    }
    return work;
  }

  /**
   * A frame spanning descriptors (a jumbo frame in 2 KB buffers), kept off the one-descriptor path:
   * links `m` behind `tail` (or starts the packet), keeps the first reason to drop it in
   * {@link rxBad}, and returns the whole packet at its last descriptor (`eop`), else null.
   */
  private rxAppend(m: Mbuf, tail: Mbuf | null, bad: number, eop: boolean): Mbuf | null {
    if (tail === null) {
      m.pkthdr.len = m.len;
      this.rxHead = m;
    } else {
      m.flags &= ~M_PKTHDR;
      tail.next = m;
      this.rxHead!.pkthdr.len += m.len;
    }
    this.rxBad = bad;
    if (!eop) {
      this.rxTail = m;
      return null;
    }
    const head = this.rxHead!;
    this.rxHead = this.rxTail = null;
    return head;
  }

  /**
   * Gives the device fresh clusters for every empty slot (one RDT write), from the queue's buffer cache
   * (buffers the stack freed since: no pool allocation) or else the pool's receive reserve (the cache
   * allocates with `ALLOC_RESERVE`). Each slot's DMA map is loaded
   * with its cluster (`bus_dmamap_load_mbuf`, the whole receive buffer) and the descriptor's address words
   * come from the map: no bus address arithmetic on doubles.
   */
  protected refill(): void {
    const n = this.rxN;
    const words = this.rxWords;
    const mbufs = this.rxMbuf;
    const maps = this.rxMaps;
    const cache = this.rxCache;
    const bufSize = this.rxBufSize;
    let i = this.rxFill;
    const start = i;
    let filled = this.rxFilled;
    while (filled < n - 1) {
      // The ring may use the pool's reserve (ALLOC_RESERVE): buffers held elsewhere (socket queues,
      // reassembly, ARP holds) cannot starve the receive ring.
      const m = cache.get();
      if (m === null) {
        this.events['wm.rx.nobufs']++;
        break;
      }
      const map = maps[i];
      m.len = bufSize;
      if (!map.loadMbuf(m)) {
        // Our own pool is not mapped for DMA: a configuration error, counted by the DMA space.
        this.pool.freem(m);
        this.events['wm.rx.nobufs']++;
        break;
      }
      map.sync(BUS_DMASYNC_PREREAD);
      mbufs[i] = m;
      const w = i * DESC_WORDS;
      words[w] = map.addrLo(0);
      words[w + 1] = map.addrHi(0);
      words[w + RXW_STATUS] = 0;
      i = i + 1 === n ? 0 : i + 1;
      filled++;
    }
    this.rxFilled = filled;
    this.rxFill = i;
    if (i !== start) this.wr(E1000_RDT, i);
  }

  /** Frees the packet being assembled across descriptors, if any (stop, reset). */
  protected rxAbandon(): void {
    if (this.rxHead !== null) {
      this.pool.freem(this.rxHead);
      this.rxHead = this.rxTail = null;
    }
    this.rxBad = RX_GOOD;
  }

  // =====================================================================================================
  // Transmit

  /**
   * `if_start` (`wm_start`): moves packets from the send queue onto the transmit ring — one descriptor
   * per non-empty mbuf of the chain, EOP and RS on the last — and tells the device with one TDT write
   * (during the poll's receive pass, one for the whole pass: {@link txDeferDoorbell}).
   * Owns each packet it dequeues: on the ring, requeued (ring full) or dropped with a reason.
   */
  start(): void {
    const ifp = this.ifp;
    // Boolean fields tested with `=== true`, as in poll (once per call: a forwarded packet or an echo reply
    // is one call per packet).
    if (this.running !== true || (ifp.flags & IFF_OACTIVE) !== 0) return;
    const n = this.txN;
    const words = this.txWords;
    const cpu = this.host.cpu;
    const lastCmd = TXD_CMD_IFCS | TXD_CMD_EOP | TXD_CMD_RS | (this.txIde === true ? TXD_CMD_IDE : 0);
    let queued = 0;
    for (;;) {
      const m = ifp.sendQueue.dequeue(ifp);
      if (m === null) break;
      let segs = m.len > 0 ? 1 : 0;
      for (let s = m.next; s !== null; s = s.next) if (s.len > 0) segs++;
      if (segs === 0) {
        ifp.dropOutput(m, WmDrop.TxEmpty);
        continue;
      }
      if (segs > n - 1 || segs > TX_MAX_SEGS || m.pkthdr.len > TX_MAX_FRAME) {
        ifp.dropOutput(m, WmDrop.TxTooBig);
        continue;
      }
      if (segs > n - 1 - this.txUsed) {
        this.txeof(false);
        if (segs > n - 1 - this.txUsed) {
          ifp.sendQueue.requeue(ifp, m);
          ifp.flags |= IFF_OACTIVE;
          this.events['wm.tx.ring-full']++;
          break;
        }
      }
      const first = this.txTail;
      const map = this.txMaps[first];
      if (!map.loadMbuf(m)) {
        // Not DMA-able from this host: an mbuf of a pool that is not mapped into our DMA space (core's
        // if_transmit refuses foreign mbufs first; this catches any that reach the queue another way).
        ifp.dropOutput(m, WmDrop.TxForeign);
        continue;
      }
      map.sync(BUS_DMASYNC_PREWRITE);
      cpu.chargeLayerId(LAYER_DRIVER_TX);
      const nsegs = map.nsegs;
      let slot = first;
      let last = first;
      for (let k = 0; k < nsegs; k++) {
        const w = slot * DESC_WORDS;
        words[w] = map.addrLo(k);
        words[w + 1] = map.addrHi(k);
        // length | cso (0: no checksum insertion) << 16 | cmd << 24; then status, css, special all 0.
        words[w + TXW_LENGTH] = map.length(k) | ((k === nsegs - 1 ? lastCmd : TXD_CMD_IFCS) << TXW_CMD_SHIFT);
        words[w + TXW_STATUS] = 0;
        last = slot;
        slot = slot + 1 === n ? 0 : slot + 1;
      }
      this.txUsed += nsegs;
      this.txLast[first] = last;
      this.txMbuf[last] = m;
      this.txTail = slot;
      ifp.counters.opackets++;
      ifp.counters.obytes += m.pkthdr.len;
      queued++;
    }
    if (queued === 0) return;
    if (this.txDeferDoorbell === true) this.txDoorbellPending = true;
    else this.txDoorbell();
  }

  /** Tells the device about the descriptors queued so far (one TDT write) and arms the watchdog. */
  private txDoorbell(): void {
    this.txDoorbellPending = false;
    if (this.running !== true) return; // stopped from inside the stack: stop flushed the ring
    this.wr(E1000_TDT, this.txTail);
    this.ifp.watchdogTimer = this.watchdogSeconds;
    this.host.armWatchdog();
  }

  /**
   * `wm_txeof`: frees packets whose last descriptor has DD; when `restart`, re-arms or clears the
   * watchdog and restarts output if it was blocked (IFF_OACTIVE).
   */
  protected txeof(restart: boolean): void {
    const n = this.txN;
    const u8 = this.txRing.u8;
    // The ring's arrays, read once: they are made at attach, never replaced.
    const lasts = this.txLast;
    const mbufs = this.txMbuf;
    const maps = this.txMaps;
    const pool = this.pool;
    let freed = 0;
    while (this.txUsed > 0) {
      const first = this.txHead;
      const last = lasts[first];
      if ((u8[last * DESC_SIZE + TXD_STATUS] & TXD_STAT_DD) === 0) break;
      const m = mbufs[last]!;
      mbufs[last] = null;
      const map = maps[first];
      map.sync(BUS_DMASYNC_POSTWRITE);
      map.unload();
      pool.freem(m);
      this.txUsed -= (last >= first ? last - first : last - first + n) + 1;
      this.txHead = last + 1 === n ? 0 : last + 1;
      freed++;
    }
    if (freed === 0 || !restart) return;
    const ifp = this.ifp;
    ifp.watchdogTimer = this.txUsed > 0 ? this.watchdogSeconds : 0;
    if ((ifp.flags & IFF_OACTIVE) !== 0) {
      ifp.flags &= ~IFF_OACTIVE;
      this.start();
    }
  }
}
