import { type Mbuf, MbufQueue, m_truesize } from '@ifnet/core';

/** Default SO_RCVBUF of a UDP socket, in bytes of storage held (see {@link DatagramSockbuf}). */
export const UDP_DEFAULT_RCVBUF = 128 * 1024;
/** Largest SO_RCVBUF a socket may ask for (BSD's `kern.ipc.maxsockbuf`, 2 MiB). */
export const SOCKBUF_MAX = 2 * 1024 * 1024;

/**
 * The receive buffer of a datagram socket (`struct sockbuf` for `SOCK_DGRAM`): a FIFO of datagrams —
 * payloads only, headers trimmed — with the addresses each came with recorded **when it is queued**, so
 * the reader never parses a header again (BSD keeps them in an `MT_SONAME` mbuf; here they live in a
 * ring of plain numbers beside the queue: nothing is allocated per datagram).
 *
 * ## Bounds
 *
 * - **Bytes** (`SO_RCVBUF`, {@link hiwat}): the storage the queued datagrams pin (`m_truesize`: mbuf
 *   areas and clusters), not payload bytes, because that is what starves the pool: a 1-byte datagram in a 2 KiB
 *   cluster costs 2 KiB. A datagram is refused when it would take the total past `hiwat`, except into an
 *   empty buffer (so a datagram larger than the buffer is still receivable one at a time, as Linux does;
 *   the bound is therefore `max(hiwat, one datagram)`).
 * - **Datagrams** ({@link maxlen}): a count bound as well, which also sizes the ring.
 *
 * The caller counts and frees what {@link append} refuses (`udp.fullsock`).
 */
export class DatagramSockbuf {
  /** `sb_hiwat`: storage bound in bytes. */
  hiwat: number;
  /** `sb_mbcnt`: storage held now, in bytes. */
  held = 0;
  private readonly q: MbufQueue;
  /** Per queued datagram: source address, destination address, ports (`sport << 16 | dport`), truesize. */
  private readonly meta: Float64Array;
  private head = 0;
  // Of the datagram last taken by `take`:
  srcAddr = 0;
  dstAddr = 0;
  srcPort = 0;
  dstPort = 0;

  constructor(maxlen: number, hiwat: number) {
    this.q = new MbufQueue(maxlen);
    this.hiwat = hiwat;
    this.meta = new Float64Array(maxlen * 4);
  }

  /** Datagrams queued. */
  get length(): number {
    return this.q.length;
  }

  /** Datagram count bound. */
  get maxlen(): number {
    return this.q.maxlen;
  }

  /**
   * `sbappendaddr`: queues payload `m` (headers already trimmed) with its addresses. Returns false —
   * the caller still owns `m` — when either bound refuses it.
   */
  append(m: Mbuf, src: number, sport: number, dst: number, dport: number): boolean {
    const q = this.q;
    if (q.length >= q.maxlen) return false;
    const size = m_truesize(m);
    if (q.length > 0 && this.held + size > this.hiwat) return false;
    q.enqueue(m);
    let i = this.head + q.length - 1;
    if (i >= q.maxlen) i -= q.maxlen;
    const meta = this.meta;
    meta[4 * i] = src >>> 0; // callers may pass int32 addresses: stored unsigned
    meta[4 * i + 1] = dst >>> 0;
    meta[4 * i + 2] = ((sport << 16) | dport) >>> 0;
    meta[4 * i + 3] = size;
    this.held += size;
    return true;
  }

  /**
   * Full: a further datagram of `size` bytes of storage would be refused by either bound (the check input
   * feedback takes its hold on, with the size of the datagram just queued as the guess for the next).
   */
  isFull(size: number): boolean {
    const q = this.q;
    return q.length >= q.maxlen || (q.length > 0 && this.held + size > this.hiwat);
  }

  /** Takes the oldest datagram (the caller owns it) and sets {@link srcAddr} etc. from its record; null when empty. */
  take(): Mbuf | null {
    const m = this.q.dequeue();
    if (m === null) return null;
    const meta = this.meta;
    const i = this.head;
    this.srcAddr = meta[4 * i];
    this.dstAddr = meta[4 * i + 1];
    const ports = meta[4 * i + 2];
    this.srcPort = ports >>> 16;
    this.dstPort = ports & 0xffff;
    this.held -= meta[4 * i + 3];
    this.head = i + 1 === this.q.maxlen ? 0 : i + 1;
    return m;
  }

  /** Frees every queued datagram. Returns how many. */
  purge(): number {
    const n = this.q.purge();
    this.held = 0;
    this.head = 0;
    return n;
  }
}
