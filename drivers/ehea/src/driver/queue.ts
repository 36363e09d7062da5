/**
 * The driver's half of one port resource (eHEA's `struct ehea_port_res`): its rings in DMA memory, the
 * mbufs posted to them, the driver's indices and phases, its poll context and its counters.
 *
 * Ownership: an mbuf in {@link rqMbuf} is posted to the device (it may be writing into it); it comes back
 * to the driver with a receive completion. An mbuf chain in {@link sqMbuf} (at the index of the packet's
 * last WQE) is being sent; it is freed when its transmit completion arrives, or when the queue is stopped.
 *
 * @module
 */
import type { DmaMap, DmaRegion, Mbuf, PollContext } from '@ifnet/core';

/** Counters of one queue, as the driver sees them. */
export interface EheaQueueStats {
  /** Interrupt handler runs that found events (spurious ones are in `spurious`). */
  interrupts: number;
  /** Handler runs that found no event (the line was not ours, or the device wrote garbage). */
  spurious: number;
  /** Packets handed to `if_input` from this queue. */
  rxPackets: number;
  /** Frames the device missed on this queue (harvested from Q_MISSED). */
  rxMissed: number;
  /** Receive completions with an error, or naming a buffer that was not posted (dropped). */
  rxErrors: number;
  /** Frames the device completed that were never reaped: freed when the queue was stopped. */
  rxFlushed: number;
  /** Refills that found the pool empty (a slot stays unposted until the next poll). */
  rxNoBufs: number;
  /** Packets put on this queue's send queue. */
  txPackets: number;
  /** Transmit completions reclaimed (in the poll, outside the budget). */
  txCompletions: number;
}

export function newQueueStats(): EheaQueueStats {
  return {
    interrupts: 0,
    spurious: 0,
    rxPackets: 0,
    rxMissed: 0,
    rxErrors: 0,
    rxFlushed: 0,
    rxNoBufs: 0,
    txPackets: 0,
    txCompletions: 0,
  };
}

/** The softc a queue belongs to, as its interrupt routine needs it. */
export interface EheaQueueOwner {
  intr(queue: EheaQueue): boolean;
}

export class EheaQueue {
  readonly stats: EheaQueueStats = newQueueStats();
  /** The poll context, while this queue is one of the active ones. */
  ctx: PollContext | null = null;
  /** Set by the interrupt routine, handled by the next poll. */
  linkEvent = false;
  errorEvent = false;

  readonly rqMbuf: (Mbuf | null)[];
  /** Next receive WQE expected to complete, next to post, and how many are posted. */
  rqNext = 0;
  rqTail = 0;
  rqPosted = 0;

  readonly sqMbuf: (Mbuf | null)[];
  /** Oldest WQE in flight, next free WQE, WQEs in flight. */
  sqHead = 0;
  sqTail = 0;
  sqUsed = 0;
  /** WQEs written by `start` and not yet announced with the doorbell. */
  sqUnannounced = 0;

  cqNext = 0;
  cqPhase = 1;
  eqNext = 0;
  eqPhase = 1;

  constructor(
    readonly owner: EheaQueueOwner,
    readonly index: number,
    readonly rq: DmaRegion,
    readonly rqN: number,
    readonly sq: DmaRegion,
    readonly sqN: number,
    readonly cq: DmaRegion,
    readonly cqN: number,
    readonly eq: DmaRegion,
    readonly eqN: number,
    /**
     * Translates an mbuf into the bus address halves a WQE holds (`bus_dmamap_load_mbuf`), with no
     * arithmetic on doubles. Memory is coherent and nothing is bounced in this model, so the map is used
     * only to fill the WQE and is not held while the device owns the buffer (a driver for a non-coherent
     * platform would keep one map per slot, as `wm` does).
     */
    readonly map: DmaMap,
  ) {
    this.rqMbuf = new Array<Mbuf | null>(rqN).fill(null);
    this.sqMbuf = new Array<Mbuf | null>(sqN).fill(null);
  }

  /** Back to empty rings (at init; the mbufs must have been freed). */
  resetRings(): void {
    this.rq.u8.fill(0);
    this.sq.u8.fill(0);
    this.cq.u8.fill(0);
    this.eq.u8.fill(0);
    this.rqNext = this.rqTail = this.rqPosted = 0;
    this.sqHead = this.sqTail = this.sqUsed = this.sqUnannounced = 0;
    this.cqNext = 0;
    this.cqPhase = 1;
    this.eqNext = 0;
    this.eqPhase = 1;
    this.linkEvent = false;
    this.errorEvent = false;
  }
}
