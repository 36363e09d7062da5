/**
 * The interface queue (`struct ifqueue`, IF_ENQUEUE / IF_DEQUEUE / IF_PREPEND / IF_QFULL / IF_DROP):
 * a bounded FIFO of packets linked through their first mbuf's `nextpkt`, so queueing allocates nothing.
 *
 * Used for an interface's send queue and for a PIO driver's queues of pre-allocated and completed mbufs
 * (the interrupt routine moves mbufs between queues; it never allocates).
 *
 * @module
 */
import { checkLive } from './m-check.js';
import { m_freem } from './m-free.js';
import type { Mbuf } from './mbuf.js';

export class MbufQueue {
  /** `ifq_head`: first packet, `null` when empty. */
  head: Mbuf | null;
  /** `ifq_tail`: last packet. */
  tail: Mbuf | null;
  /** `ifq_len`: number of packets queued. */
  length: number;
  /** `ifq_maxlen`: enqueue refuses packets beyond this. */
  maxlen: number;
  /** `ifq_drops`: packets refused, as counted by callers through {@link drop}. */
  drops: number;

  constructor(maxlen: number) {
    if (!Number.isInteger(maxlen) || maxlen < 0) throw new RangeError(`MbufQueue: bad maxlen ${maxlen}`);
    this.head = null;
    this.tail = null;
    this.length = 0;
    this.maxlen = maxlen;
    this.drops = 0;
  }

  /** IF_QFULL: true when {@link enqueue} would refuse. */
  get full(): boolean {
    return this.length >= this.maxlen;
  }

  /**
   * IF_ENQUEUE (guarded by IF_QFULL): appends packet `m`. Returns `false` when the queue is full: then the
   * packet was **not** queued, the caller still owns it, and the caller counts the drop ({@link drop},
   * plus its interface counter) and frees it, or keeps it for later. A freed `m` throws MbufError.
   */
  enqueue(m: Mbuf): boolean {
    checkLive('IF_ENQUEUE', m);
    if (this.length >= this.maxlen) return false;
    m.nextpkt = null;
    if (this.tail === null) this.head = m;
    else this.tail.nextpkt = m;
    this.tail = m;
    this.length++;
    return true;
  }

  /** IF_DEQUEUE: removes and returns the first packet (now owned by the caller), `null` when empty. */
  dequeue(): Mbuf | null {
    const m = this.head;
    if (m === null) return null;
    this.head = m.nextpkt;
    if (this.head === null) this.tail = null;
    m.nextpkt = null;
    this.length--;
    return m;
  }

  /**
   * IF_PREPEND: puts packet `m` back at the head (a driver that dequeued it and found no room in its
   * transmit ring). Not bounded by `maxlen`, as in BSD: the packet was in the queue a moment ago.
   */
  prepend(m: Mbuf): void {
    checkLive('IF_PREPEND', m);
    m.nextpkt = this.head;
    this.head = m;
    if (this.tail === null) this.tail = m;
    this.length++;
  }

  /** IF_POLL: the first packet without removing it (still owned by the queue). */
  peek(): Mbuf | null {
    return this.head;
  }

  /** IF_DROP: counts a packet refused by this queue. */
  drop(): void {
    this.drops++;
  }

  /** IF_PURGE: frees every queued packet (each to its own pool); returns how many were freed. */
  purge(): number {
    let n = 0;
    let m = this.head;
    while (m !== null) {
      const next = m.nextpkt;
      m.nextpkt = null;
      m_freem(m);
      m = next;
      n++;
    }
    this.head = null;
    this.tail = null;
    this.length = 0;
    return n;
  }
}
