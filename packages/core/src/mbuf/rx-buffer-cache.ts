/**
 * Receive buffer recycling per queue (Linux `page_pool`, FreeBSD iflib's refill from its own free list).
 *
 * A receive ring consumes one cluster per packet and refills one per packet. Through the pool that is a
 * full `m_getcl` (guard, two free-list pops, counters, packet-header reset) and, when the stack is done
 * with the packet, a full `m_freem`; and the driver works out the buffer's bus address again. A cache
 * keeps the buffers *of one queue* instead: when a packet that came from it is freed anywhere in the stack,
 * `m_free` hands the mbuf back here (its cluster still attached, so its bus address and the descriptor's
 * address words are unchanged), and the next refill takes it from here in a few stores.
 *
 * Accounting stays exact: a cached buffer never went back to the pool, so the pool counts it as in use
 * (`allocations === frees + inUse` holds at every moment) and the cache's own counters say how many of
 * those it holds ({@link RxBufferCacheStats.cached}). Tearing a ring down calls {@link RxBufferCache.drain},
 * which frees the cached buffers to the pool (`page_pool_destroy`), so a quiescent host has none left.
 *
 * Ownership: {@link RxBufferCache.get} gives the caller (the driver's ring slot) an mbuf exactly as
 * `m_getcl` does; from then on it is an ordinary packet, passed up and freed by whoever holds it. Only
 * when it is freed is it recycled, and only if the cache has room (else it goes back to the pool). A
 * buffer freed twice is caught here as it is by the pool (MbufError `double-free`).
 *
 * Usable by any driver: e1000 (DMA descriptors: {@link RxBufferCache.addrHi}/{@link RxBufferCache.addrLo}
 * are the descriptor's address words), a PIO driver's pre-allocated receive mbufs (ne2000), per-queue
 * caches of a multi-queue device (ehea: one cache per queue, as page_pool is per NAPI context).
 *
 * @module
 */
import type { AllocationGuard } from './allocation-guard.js';
import { MbufError } from './errors.js';
import { M_EXT, M_PKTHDR } from './flags.js';
import type { Mbuf, MbufRecycler } from './mbuf.js';
import { ALLOC_RESERVE, type MbufPool } from './pool.js';

// The flags every recycled buffer is tested for and given, as this module's own constants: V8 folds a
// module's own `const` into the code it compiles, but reads an imported one with a hole check per use.
const EXT = M_EXT;
const PKTHDR_EXT = M_PKTHDR | M_EXT;
const RESERVE = ALLOC_RESERVE;

export interface RxBufferCacheOptions {
  /** Name for diagnostics (`wm0 rxq0`). */
  name: string;
  /** Most buffers kept (the ring size is a good value). At least 1. */
  capacity: number;
  /** `m.off` of a fresh buffer: leading space before the frame (ETHER_ALIGN, say). Default 0. */
  leading?: number;
}

/** Counters of one cache (plain numbers, read freely). */
export interface RxBufferCacheStats {
  /** Buffers handed out that came from the cache (no pool allocation). */
  reused: number;
  /** Buffers handed out that came fresh from the pool (`m_getcl` with the receive reserve). */
  allocated: number;
  /** Buffers taken back when the stack freed them. */
  recycled: number;
  /** Frees that went on to the pool because the cache was full. */
  overflow: number;
  /** Refills that failed: cache empty and the pool exhausted. */
  failures: number;
  /** Buffers in the cache now (still counted in use by the pool). */
  cached: number;
}

export class RxBufferCache implements MbufRecycler {
  readonly name: string;
  readonly capacity: number;
  readonly leading: number;
  /** The descriptor's high address word of every buffer of this pool (the arena's segment). */
  private readonly hi: number;
  /**
   * Cached mbufs (a stack: `stack[0 .. top)`; entries above `top` are stale and never read). Each has
   * {@link Mbuf.cached} set while it is here (catches a second free).
   */
  private readonly stack: (Mbuf | null)[];
  private top = 0;
  private drained = false;
  /**
   * How many buffers {@link recycle} may hold: {@link capacity}, or 0 once drained — one compare per
   * recycled buffer instead of two (`drained`, then full).
   */
  private limit: number;
  /*
   * The counters. Per packet only `nRecycled` and `top` move: a buffer recycled is later reused, drained,
   * or still cached, so `reused` is worked out when {@link stats} is read (recycled − drained − cached)
   * instead of being counted on every get, and `cached` is `top`.
   */
  private nRecycled = 0;
  private nDrained = 0;
  private nAllocated = 0;
  private nOverflow = 0;
  private nFailures = 0;
  /** The pool's allocation guard (read once here instead of through the pool on every get). */
  private readonly guard: AllocationGuard | null;

  constructor(
    readonly pool: MbufPool,
    options: RxBufferCacheOptions,
  ) {
    const { name, capacity } = options;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`rx buffer cache ${name}: bad capacity ${capacity}`);
    const leading = options.leading ?? 0;
    if (!Number.isInteger(leading) || leading < 0 || leading >= pool.mclbytes) {
      throw new RangeError(`rx buffer cache ${name}: leading space ${leading} must be in [0, ${pool.mclbytes})`);
    }
    this.name = name;
    this.capacity = capacity;
    this.leading = leading;
    this.limit = capacity;
    this.hi = pool.busHi;
    this.guard = pool.guard;
    // Packed (Array.from, not new Array(n).fill): V8 reads it without hole checks.
    this.stack = Array.from({ length: capacity }, (): Mbuf | null => null);
  }

  /** The counters (a snapshot, worked out when read). */
  get stats(): RxBufferCacheStats {
    const cached = this.top;
    return {
      reused: this.nRecycled - this.nDrained - cached,
      allocated: this.nAllocated,
      recycled: this.nRecycled,
      overflow: this.nOverflow,
      failures: this.nFailures,
      cached,
    };
  }

  /**
   * A receive buffer (`m_getcl` for a ring slot): a packet-header mbuf with a cluster, `off = leading`,
   * `len` 0. From the cache when it has one, else from the pool with the receive reserve
   * (`ALLOC_RESERVE`). Null when both are empty (counted). The caller owns it.
   *
   * One difference from `m_getcl`: a recycled buffer's `pkthdr.rcvif` still names the interface its last
   * packet came in on (null for a fresh one). Nobody reads it before `if_input` sets it, and `if_input`
   * then stores only when it changes: a receive queue's buffers come back to the same interface, and a
   * pointer store costs a GC write barrier (a call into V8 when the header is older than the interface).
   */
  get(): Mbuf | null {
    const g = this.guard;
    if (g !== null && g.depth > 0) g.violation(this.pool.name, 'rx buffer cache get');
    const top = this.top - 1;
    if (top >= 0) {
      // The slot is left as it is (stale above top): a store fewer per buffer.
      const m = this.stack[top]!;
      this.top = top;
      m.cached = false;
      // Back to a fresh buffer: a new packet header over the same cluster (but for `rcvif`, above). Done
      // here, not in recycle(), which every protocol's free path inlines within V8's inlining budget.
      m.flags = PKTHDR_EXT;
      m.pkthdr.resetKeepingRcvif();
      m.off = this.leading;
      m.len = 0;
      return m;
    }
    return this.getFresh();
  }

  /** {@link get} when the cache is empty, out of line: a fresh buffer from the pool's receive reserve. */
  private getFresh(): Mbuf | null {
    const m = this.pool.getcl(RESERVE);
    if (m === null) {
      this.nFailures++;
      return null;
    }
    m.off = this.leading;
    m.recycler = this.drained ? null : this;
    this.nAllocated++;
    return m;
  }

  /** The descriptor's high address word for `m`'s data (`m.busAddr + m.off`): a small integer. */
  addrHi(_m: Mbuf): number {
    return this.hi;
  }

  /** The descriptor's low address word for `m`'s data: the offset in the pool's arena, a small integer. */
  addrLo(m: Mbuf): number {
    return m.base + m.off;
  }

  /**
   * @internal Called by `m_free` for an mbuf this cache handed out: keeps it (true) or lets the pool free
   * it (false: cache full, drained, or the mbuf lost its cluster). Inlined into every free path with
   * `m_free`, so the rare outcomes are out of line ({@link notRecycled}).
   */
  recycle(m: Mbuf): boolean {
    // Boolean fields compared with `=== true`: V8 does not track boolean field types, so a bare test is
    // a full ToBoolean (false, "", undetectable, number, bigint) of about a dozen instructions.
    if (m.cached === true || this.top >= this.limit || (m.flags & EXT) === 0) return this.notRecycled(m);
    // Unlinked now (no cached buffer points at a packet); its header is made fresh when get() hands it out.
    m.next = null;
    m.nextpkt = null;
    m.cached = true;
    this.stack[this.top++] = m;
    this.nRecycled++;
    return true;
  }

  /** {@link recycle}'s rare outcomes: a second free (throws), or the buffer goes on to the pool. */
  private notRecycled(m: Mbuf): false {
    if (m.cached) {
      throw new MbufError(
        'double-free',
        `rx buffer cache '${this.name}': m_free of mbuf #${m.index}, already recycled`,
      );
    }
    this.nOverflow++;
    m.recycler = null;
    return false;
  }

  /** Recycling again after {@link drain} (the ring is being initialised again). */
  reopen(): void {
    this.drained = false;
    this.limit = this.capacity;
  }

  /**
   * `page_pool_destroy`: frees every cached buffer to the pool and stops recycling (buffers still out in
   * the stack go to the pool when they are freed). Call when the ring is torn down.
   */
  drain(): void {
    this.drained = true;
    this.limit = 0;
    while (this.top > 0) {
      const m = this.stack[--this.top]!;
      this.stack[this.top] = null;
      m.cached = false;
      this.nDrained++;
      m.recycler = null;
      this.pool.free(m);
    }
  }
}
