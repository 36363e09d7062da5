/**
 * The mbuf (mbuf(9)): one buffer of a packet.
 *
 * A packet is a *chain* of mbufs linked by {@link Mbuf.next}; the first one carries the packet header
 * ({@link Mbuf.pkthdr}, flag `M_PKTHDR`). Packets are linked into queues by {@link Mbuf.nextpkt}. Each mbuf
 * owns either a small internal storage area (`msize` bytes) or, once a cluster is attached (MCLGET, flag
 * `M_EXT`), a cluster of `mclbytes` bytes. Its data are the bytes `buf[off .. off + len)`.
 *
 * Why objects instead of C structs: every `Mbuf` is built once, when its {@link MbufPool} is created, and
 * reused forever. Its {@link Mbuf.buf} and {@link Mbuf.view} are pre-built views of its storage, switched
 * (never re-created) when a cluster is attached or released. So getting, filling and freeing a packet
 * allocates nothing on the JavaScript heap, and the garbage collector never runs because of traffic.
 *
 * ## The chain invariant
 *
 * For every packet (chain whose first mbuf has `M_PKTHDR`):
 *
 * ```text
 * m.pkthdr.len === m.len + m.next.len + m.next.next.len + ...   (m_length(m))
 * 0 <= m.off && m.off + m.len <= m.capacity                       (for every mbuf of the chain)
 * only the first mbuf of a packet has M_PKTHDR
 * ```
 *
 * Every operation of this module keeps it (lwIP writes the same rule as `tot_len == len + next.tot_len`).
 * Code that edits `len`/`off` by hand (a driver filling a receive cluster, say) must set `pkthdr.len` too;
 * {@link m_sanity} checks the invariant.
 *
 * ## Ownership
 *
 * Whoever holds a packet owns it and must either pass it on or free it ({@link MbufPool.freem} /
 * {@link m_freem}). Functions that fail *by BSD contract* free the chain themselves and say so
 * (`m_pullup`, `m_prepend`); the others leave it to the caller, unchanged.
 *
 * @module
 */
import { M_PKTHDR } from './flags.js';
import { PacketHeader } from './pkthdr.js';
import type { MbufPool } from './pool.js';

// The flag constants are re-exported here so `Mbuf` and its `m_flags` bits come from one import.
export * from './flags.js';

/**
 * Takes an mbuf back when it is freed (a receive queue's buffer cache, Linux page_pool): `recycle` returns
 * true when it kept the mbuf (which then stays allocated from the pool's point of view), false to let the
 * pool free it.
 */
export interface MbufRecycler {
  recycle(m: Mbuf): boolean;
}

export class Mbuf {
  /** `m_next`: next buffer of the same packet, `null` at the end of the chain. */
  next: Mbuf | null;
  /** `m_nextpkt`: next packet in a queue ({@link MbufQueue}); meaningful on the first mbuf of a packet. */
  nextpkt: Mbuf | null;
  /**
   * Byte view of the current storage (internal area or attached cluster). Pre-built: read and write the
   * data as `buf[off + i]` without creating views. `buf.length === capacity`.
   */
  buf: Uint8Array;
  /** DataView of the same storage as {@link buf}, for multi-byte fields (`view.getUint16(off + 12)`). */
  view: DataView;
  /** `m_data`: index in {@link buf} of the first data byte. */
  off: number;
  /** `m_len`: number of data bytes in this mbuf. */
  len: number;
  /** `m_flags`: `M_PKTHDR`, `M_EXT`, `M_BCAST`, ... (see `flags.ts`). */
  flags: number;
  /** `m_pkthdr`: packet header; valid only while `flags & M_PKTHDR`. Pre-built, never replaced. */
  readonly pkthdr: PacketHeader;
  /**
   * Bus address of `buf[0]` when the pool's arena is mapped into a DMA space, else 0. A driver writes
   * `m.busAddr + m.off` into a receive descriptor (`bus_dmamap_load_mbuf`).
   */
  busAddr: number;
  /** Size of the current storage: `msize` for the internal area, `mclbytes` with a cluster. */
  capacity: number;
  /** The pool this mbuf belongs to (and must be freed to). Chain operations allocate from it. */
  readonly pool: MbufPool;

  /**
   * Where `m_free` returns this mbuf instead of the pool's free list: the receive-buffer cache of the queue
   * it was handed out for ({@link RxBufferCache}), else null.
   */
  recycler: MbufRecycler | null;

  /** @internal Index of this mbuf in its pool. */
  readonly index: number;
  /** @internal Offset of `buf[0]` in the pool's arena (for allocation-free copies inside the arena). */
  base: number;
  /** @internal Index of the attached cluster, -1 if none. */
  cluster: number;
  /** @internal True while the mbuf sits on its pool's free list (double-free detection). */
  isFree: boolean;
  /**
   * @internal True while the mbuf sits in its {@link recycler}'s cache (still in use for the pool): a
   * second free is caught there. A field here rather than a per-pool byte array in the cache: one load
   * and one store per recycled buffer, no typed-array bounds and detach checks.
   */
  cached: boolean;
  /** @internal Pre-built view of the internal storage area. */
  readonly ibuf: Uint8Array;
  /** @internal Pre-built DataView of the internal storage area. */
  readonly iview: DataView;
  /** @internal Arena offset of the internal storage area. */
  readonly ibase: number;
  /** @internal Bus address of the internal storage area (0 without DMA). */
  readonly ibusAddr: number;

  /** @internal Only {@link MbufPool} creates mbufs, all of them up front. */
  constructor(pool: MbufPool, index: number, ibuf: Uint8Array, ibase: number, ibusAddr: number) {
    this.next = null;
    this.nextpkt = null;
    this.buf = ibuf;
    this.view = new DataView(ibuf.buffer, ibuf.byteOffset, ibuf.byteLength);
    this.off = 0;
    this.len = 0;
    this.flags = 0;
    this.pkthdr = new PacketHeader();
    this.busAddr = ibusAddr;
    this.capacity = ibuf.length;
    this.pool = pool;
    this.index = index;
    this.base = ibase;
    this.cluster = -1;
    this.isFree = true;
    this.cached = false;
    this.recycler = null;
    this.ibuf = ibuf;
    this.iview = this.view;
    this.ibase = ibase;
    this.ibusAddr = ibusAddr;
  }

  /** M_LEADINGSPACE: bytes free before the data (room to prepend a header in place). */
  leadingSpace(): number {
    return this.off;
  }

  /** M_TRAILINGSPACE: bytes free after the data (room to append in place). */
  trailingSpace(): number {
    return this.capacity - this.off - this.len;
  }

  /** True when this mbuf heads a packet (`M_PKTHDR`). */
  get isPacketHeader(): boolean {
    return (this.flags & M_PKTHDR) !== 0;
  }
}
