import type { Mbuf } from '../mbuf/mbuf.js';
import { MbufQueue } from '../mbuf/mbuf-queue.js';
import type { Ifnet } from './ifnet.js';

/**
 * The interface send queue as an ALTQ-style discipline (`if_snd` with `IFQ_ENQUEUE`/`IFQ_DEQUEUE`): the
 * driver's `start` dequeues from it, protocols enqueue through `ifp.transmit`. The default is a bounded
 * FIFO (drop-tail at `IFQ_MAXLEN`); a queueing discipline (priority, fair queueing, shaping) replaces it
 * with `ifp.setSendQueue(...)` without the driver knowing.
 */
export interface SendQueue {
  readonly name: string;
  /** Queues `m`. Returns false when refused: the caller still owns `m` and counts the drop. */
  enqueue(ifp: Ifnet, m: Mbuf): boolean;
  /** Next packet to transmit, or null. */
  dequeue(ifp: Ifnet): Mbuf | null;
  /** Puts a packet back at the head (the driver ran out of descriptors: `IF_PREPEND`). */
  requeue(ifp: Ifnet, m: Mbuf): void;
  readonly length: number;
  /** Frees everything queued (interface down). */
  purge(): void;
}

/** `IFQ_MAXLEN`: the classic default send-queue length. */
export const IFQ_MAXLEN = 50;

/** Drop-tail FIFO: the default discipline. */
export class FifoSendQueue implements SendQueue {
  readonly name = 'fifo';
  private readonly q: MbufQueue;

  constructor(maxlen: number = IFQ_MAXLEN) {
    this.q = new MbufQueue(maxlen);
  }

  enqueue(_ifp: Ifnet, m: Mbuf): boolean {
    return this.q.enqueue(m);
  }
  dequeue(): Mbuf | null {
    return this.q.dequeue();
  }
  requeue(_ifp: Ifnet, m: Mbuf): void {
    this.q.prepend(m);
  }
  get length(): number {
    return this.q.length;
  }
  purge(): void {
    this.q.purge();
  }
}
