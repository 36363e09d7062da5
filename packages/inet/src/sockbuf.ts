import { type Mbuf, m_freem, m_truesize } from '@ifnet/core';

// Bound locally: V8 (Node 20) reads an imported binding through its module cell with a hole check and
// then checks the function it found, per call; a module's own `const` is a constant (per datagram, `append`).
const truesize = m_truesize;

/** Default SO_RCVBUF of a UDP socket, in bytes of storage held (see {@link DatagramSockbuf}). */
export const UDP_DEFAULT_RCVBUF = 128 * 1024;
/** Largest SO_RCVBUF a socket may ask for (BSD's `kern.ipc.maxsockbuf`, 2 MiB). */
export const SOCKBUF_MAX = 2 * 1024 * 1024;

/** The addresses a datagram came with, as {@link DatagramSockbuf.take} hands them to the reader. */
export interface DatagramAddrs {
  /** Source address, unsigned. */
  srcAddr: number;
  srcPort: number;
  /** Destination address, unsigned. */
  dstAddr: number;
  dstPort: number;
}

/**
 * One slot of {@link DatagramSockbuf}'s ring: a queued datagram and what was recorded with it. The slots
 * are made with the buffer and reused, so queueing and taking allocate nothing; each field is one load
 * or store at a fixed offset, where a flat array of records costs an index computation and a bounds
 * check per field.
 */
class DatagramSlot {
  /** The payload, or null while the slot is free. */
  m: Mbuf | null = null;
  /** Source address, signed (a small integer to V8 whatever the address). */
  src = 0;
  /** Destination address, signed. */
  dst = 0;
  /** `sport << 16 | dport`. */
  ports = 0;
  /** `m_truesize` of the datagram, as it was charged to {@link DatagramSockbuf.held}. */
  size = 0;
}

/**
 * The receive buffer of a datagram socket (`struct sockbuf` for `SOCK_DGRAM`): a FIFO of datagrams —
 * payloads only, headers trimmed — with the addresses each came with recorded **when it is queued**, so
 * the reader never parses a header again (BSD keeps them in an `MT_SONAME` mbuf ahead of the data).
 *
 * ## Storage
 *
 * A ring of `maxlen` slots, each an object holding the mbuf and its record (source, destination, ports,
 * truesize), all made when the socket is: queueing and taking a datagram are one indexed load and a few
 * field stores and loads, with nothing allocated and no link through the mbufs (`m_nextpkt` is left
 * alone). Addresses are kept in their signed form, small integers to V8 whatever the address; {@link take}
 * hands them out unsigned.
 *
 * ## Bounds
 *
 * - **Bytes** (`SO_RCVBUF`, {@link hiwat}): the storage the queued datagrams pin (`m_truesize`: mbuf
 *   areas and clusters), not payload bytes, because that is what starves the pool: a 1-byte datagram in a 2 KiB
 *   cluster costs 2 KiB. A datagram is refused when it would take the total past `hiwat`, except into an
 *   empty buffer (so a datagram larger than the buffer is still receivable one at a time, as Linux does;
 *   the bound is therefore `max(hiwat, one datagram)`).
 * - **Datagrams** ({@link maxlen}): a count bound as well, which also sizes the rings.
 *
 * The caller counts and frees what {@link append} refuses (`udp.fullsock`).
 */
export class DatagramSockbuf {
  /** `sb_hiwat`: storage bound in bytes. */
  hiwat: number;
  /** `sb_mbcnt`: storage held now, in bytes. */
  held = 0;
  /** `sb_ccnt` for datagrams: how many are queued. */
  length = 0;
  /** Datagram count bound (the rings' size). */
  readonly maxlen: number;
  /** `m_truesize` of the datagram {@link append} last queued (input feedback's guess for the next one). */
  lastSize = 0;
  private readonly ring: DatagramSlot[];
  /** Slot of the oldest datagram. */
  private head = 0;

  constructor(maxlen: number, hiwat: number) {
    this.maxlen = maxlen;
    this.hiwat = hiwat;
    // Made packed (pushed, not `new Array(n).fill`, which leaves it holey): an element load is then a
    // bounds check and the load, with no hole check.
    const ring: DatagramSlot[] = [];
    for (let i = 0; i < maxlen; i++) ring.push(new DatagramSlot());
    this.ring = ring;
  }

  /**
   * `sbappendaddr`: queues payload `m` (headers already trimmed) with its addresses (signed or unsigned)
   * and ports. Returns false — the caller still owns `m` — when either bound refuses it.
   */
  append(m: Mbuf, src: number, sport: number, dst: number, dport: number): boolean {
    const n = this.length;
    if (n >= this.maxlen) return false;
    const size = truesize(m);
    if (n > 0 && this.held + size > this.hiwat) return false;
    let i = this.head + n;
    if (i >= this.maxlen) i -= this.maxlen;
    const slot = this.ring[i];
    slot.m = m;
    // `| 0`: stored signed whatever the caller passed, so the fields only ever hold small integers.
    slot.src = src | 0;
    slot.dst = dst | 0;
    slot.ports = (sport << 16) | dport;
    slot.size = size;
    this.length = n + 1;
    this.held += size;
    this.lastSize = size;
    return true;
  }

  /**
   * Full: a further datagram of `size` bytes of storage would be refused by either bound (the check input
   * feedback takes its hold on, with {@link lastSize} as the guess for the next datagram).
   */
  isFull(size: number): boolean {
    const n = this.length;
    return n >= this.maxlen || (n > 0 && this.held + size > this.hiwat);
  }

  /**
   * Takes the oldest datagram (the caller owns it) and writes what was recorded with it into `into`; null
   * (and `into` untouched) when empty.
   */
  take(into: DatagramAddrs): Mbuf | null {
    if (this.length === 0) return null;
    const i = this.head;
    const slot = this.ring[i];
    const m = slot.m;
    slot.m = null;
    into.srcAddr = slot.src >>> 0;
    into.dstAddr = slot.dst >>> 0;
    const ports = slot.ports;
    into.srcPort = ports >>> 16;
    into.dstPort = ports & 0xffff;
    this.held -= slot.size;
    this.head = i + 1 === this.maxlen ? 0 : i + 1;
    this.length--;
    return m;
  }

  /** Frees every queued datagram. Returns how many. */
  purge(): number {
    const n = this.length;
    for (let k = 0, i = this.head; k < n; k++) {
      const slot = this.ring[i];
      m_freem(slot.m);
      slot.m = null;
      i = i + 1 === this.maxlen ? 0 : i + 1;
    }
    this.length = 0;
    this.held = 0;
    this.head = 0;
    return n;
  }
}
