/**
 * The data path of the `ne` softc: the interrupt routine, the receive drain into pre-allocated mbufs,
 * the overflow recovery, transmit and the poll — seed 000's PIO half. The softc (`Ne2000Driver`, in
 * `ne.ts`) adds autoconfiguration, the card's set-up, init/stop and the receive filter; `ne.ts` also says
 * how each part maps to seed 000.
 *
 * @module
 */
import {
  type BusSpace,
  type Host,
  IFF_OACTIVE,
  type Ifnet,
  type InterruptSource,
  LAYER_DRIVER_RX,
  LAYER_DRIVER_TX,
  M_BCAST,
  M_MCAST,
  type PollContext,
  type PollOps,
  m_copydata,
} from '@ifnet/core';
import {
  CR_PAGE1,
  CR_RD_ABORT,
  CR_STA,
  CR_STP,
  CR_TXP,
  DP_BNRY,
  DP_CNTR0,
  DP_CNTR1,
  DP_CNTR2,
  DP_CR,
  DP_CURR,
  DP_IMR,
  DP_ISR,
  DP_NCR,
  DP_PAGE_SIZE,
  DP_RBCR0,
  DP_RBCR1,
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
  NE_RAM_START_PAGE,
  RSR_PRX,
  TCR_LB0,
  TSR_ABT,
  TSR_COL,
  TSR_CRS,
  TSR_FU,
  TSR_OWC,
} from '../regs.js';
import { NeDrop } from './ne-drops.js';
import type { RemoteDma } from './remote-dma.js';
import type { RxPrealloc } from './rx-prealloc.js';
import type { Ne2000Options } from './ne.js';

/** Interrupt causes the driver enables (RDC is polled, never taken as an interrupt). */
export const NE_IMR = ISR_PRX | ISR_PTX | ISR_RXE | ISR_TXE | ISR_OVW | ISR_CNT;
/** Causes left unmasked in tick mode: the ones that must not wait for a tick. */
export const NE_IMR_TICK = ISR_OVW | ISR_CNT;
/** Each of the two transmit buffers: 6 pages hold a 1514-byte frame. */
export const NE_TX_PAGES = 6;
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
  /** The interrupt routine found the free queue empty and left the card to the poll (masked). */
  'ne.rx.starved': number;
}

/**
 * The state and the data path of an `ne` softc. Fields are protected: the softc's set-up code shares them.
 */
export abstract class NeDataPath implements PollOps {
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
    'ne.rx.starved': 0,
  };
  /** Interrupts that found nothing enabled in ISR. */
  spurious = 0;
  /** The receive ring: pages [rxStart, rxStop). */
  rxStart = 0;
  rxStop = 0;

  protected regs!: BusSpace;
  protected line!: InterruptSource;
  protected dma!: RemoteDma;
  protected opts!: Required<Ne2000Options>;
  protected running = false;
  /** The card's interrupts are masked (tick mode): the poll drains it. */
  protected masked = false;
  /** The IMR value while unmasked. */
  protected imr = NE_IMR;
  /** The IMR value programmed now (NE_IMR, NE_IMR_TICK in tick mode, ISR_CNT while starved, 0 stopped). */
  protected imrNow = 0;
  /**
   * The interrupt routine found the free queue empty: the poll has not run since it last refilled it, so
   * draining on in interrupt context would only copy frames to drop them. The routine stops, leaves the
   * rest in the card's ring and masks the per-packet causes until the poll has run.
   */
  protected starved = false;
  /** The next ring page to read (BNRY + 1). */
  protected rxNext = 0;
  /** Receive header and transmit staging buffers (allocated once). */
  protected readonly hdr = new Uint8Array(DP_RX_HDR_SIZE);
  protected readonly txbuf = new Uint8Array(ETHER_MAX_LEN + 2);
  /** Transmit buffers: length loaded (0 = free), the one on the wire (-1: none), the next to fill. */
  protected readonly txLen = new Int32Array(2);
  protected txCur = -1;
  protected txFill = 0;
  /** Transmit completions seen by the interrupt routine, for the poll to restart output. */
  protected txCompleted = 0;
  /** Host tick of the last pre-allocation shrink check. */
  protected lastShrinkTick = 0;

  constructor(protected readonly host: Host) {}

  /** A bounded busy wait (`DELAY`): charged to the CPU on the virtual clock, spun on the real one. */
  protected delay(ns: number): void {
    const cpu = this.host.cpu;
    cpu.charge(ns); // the virtual clock: the CPU's time moves on by `ns`
    const clock = cpu.clock;
    if (clock.kind !== 'real') return;
    // The real clock: spin on wall time (the CPU's own notion of now may be cached within a unit).
    const until = clock.now() + ns;
    while (clock.now() < until) {
      /* spin */
    }
  }

  /** Frames received into the ring but not read (walked by their headers, bounded by the ring size). */
  protected countRing(): number {
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
      if (this.starved) break; // leave the rest on the card for the poll
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
    // Only what IMR enables now: in tick mode OVW and CNT, the rest waits for the tick's poll.
    if (this.service(this.imrNow) === 0) {
      this.spurious++;
      return false;
    }
    if (this.starved) {
      // The poll is behind: frames wait in the card's ring (and, if it fills, are missed there, for
      // free and counted) instead of being copied in here only to be dropped. The poll drains the card
      // itself while masked; the framework unmasks when its round completes.
      this.starved = false;
      this.events['ne.rx.starved']++;
      this.masked = true;
      this.imrNow = ISR_CNT;
      this.regs.write8(DP_IMR, ISR_CNT);
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
    if (this.starved) return;
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
        ifp.countDrop(NeDrop.RxBadHeader);
        this.rxNext = curr;
        this.setBnry(curr);
        curr = this.readCurr();
        continue;
      }
      cpu.chargeLayerId(LAYER_DRIVER_RX);
      if ((status & RSR_PRX) === 0) {
        ifp.counters.ierrors++;
        ifp.countDrop(NeDrop.RxError);
      } else if (len < ETHER_MIN_LEN || len > MAX_RX_LEN) {
        ifp.counters.ierrors++;
        ifp.countDrop(NeDrop.RxBadLength);
      } else {
        let m = rx.take();
        if (m === null && !cpu.inInterrupt) {
          // At softnet (the poll draining a masked card) allocation is allowed: top up and go on; with
          // no room left (pool empty, completed queue at its bound) the frame stays on the card until
          // the poll has handed some up — the card, not the CPU, drops what does not fit.
          rx.refill();
          m = rx.take();
          if (m === null) break;
        }
        if (m === null) {
          ifp.countInputDrop(NeDrop.RxNobufs);
          this.starved = true;
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
          if (!rx.complete(m)) ifp.dropInput(m, NeDrop.RxQfull);
        }
      }
      this.rxNext = next;
      this.setBnry(next);
      if (this.starved) break;
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
  protected harvestCounters(): void {
    const r = this.regs;
    const ifp = this.ifp;
    const fae = r.read8(DP_CNTR0);
    const crc = r.read8(DP_CNTR1);
    const missed = r.read8(DP_CNTR2);
    if (fae !== 0) {
      ifp.counters.ierrors += fae;
      ifp.countDrop(NeDrop.RxAlign, fae);
    }
    if (crc !== 0) {
      ifp.counters.ierrors += crc;
      ifp.countDrop(NeDrop.RxCrc, crc);
    }
    if (missed !== 0) {
      ifp.counters.ierrors += missed;
      ifp.countDrop(NeDrop.RxMissed, missed);
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
      ifp.countDrop((tsr & TSR_FU) !== 0 ? NeDrop.TxUnderrun : NeDrop.TxAborted);
    } else if ((tsr & (TSR_CRS | TSR_OWC)) !== 0) {
      ifp.counters.oerrors++;
      ifp.countDrop((tsr & TSR_CRS) !== 0 ? NeDrop.TxNoCarrier : NeDrop.TxLateCollision);
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
    this.imrNow = this.imr;
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
    this.imrNow = NE_IMR_TICK;
    this.regs.write8(DP_IMR, NE_IMR_TICK);
  }

  /**
   * `workPending` (after the unmask): filled mbufs waiting, or frames still in the card's ring — left
   * there while the routine was starved, their PRX long acknowledged, so no interrupt would announce them.
   * New arrivals raise PRX and interrupt on their own.
   */
  workPending(): boolean {
    if (this.rx.completed.length > 0) return true;
    if (!this.running) return false;
    const s = this.host.cpu.splnet();
    const pending = this.rxNext !== this.readCurr();
    this.host.cpu.splx(s);
    return pending;
  }

  // =====================================================================================================
  // Poll

  /**
   * The poll (`if_poll`): top up, drain the card if it is masked, transmit completions, up to `budget`
   * completed mbufs up through `ifp.input`, top up again. Returns the packets handed up.
   */
  poll(_ctx: PollContext, budget: number): number {
    if (!this.running) return 0;
    const rx = this.rx;
    const ifp = this.ifp;
    const cpu = this.host.cpu;
    rx.refill();
    if (this.masked) {
      // Tick mode or starved: the card is drained here, by the same port I/O, at splnet. The ring is
      // read up to CURR whatever ISR says (frames left there while starved raised PRX long ago).
      const s = cpu.splnet();
      this.service(NE_IMR);
      if (this.running) this.rxDrain(0);
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
        ifp.dropOutput(m, NeDrop.TxEmpty);
        continue;
      }
      if (len > ETHER_MAX_LEN) {
        ifp.dropOutput(m, NeDrop.TxTooBig);
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
        ifp.countDrop(NeDrop.TxRdcTimeout);
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
export function neIntr(sc: NeDataPath): boolean {
  return sc.intr();
}
