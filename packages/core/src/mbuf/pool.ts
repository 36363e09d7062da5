/**
 * The mbuf pool: every mbuf and cluster a host (later: a CPU) will ever use, created up front.
 *
 * ## Why up front
 *
 * The receive path runs once per packet, millions of times a second under load. If it created a
 * `Uint8Array` per packet, the JavaScript garbage collector would run in proportion to traffic, and its
 * pauses would show up in every latency and livelock measurement as noise the real kernel does not have.
 * So the pool is sized once (like `nmbclusters`), and getting and freeing are index-stack operations.
 *
 * ## Memory layout (one arena)
 *
 * One ArrayBuffer (optionally a SharedArrayBuffer) holds all storage:
 *
 * ```text
 * arena: [ cluster 0 | cluster 1 | ... | cluster C-1 | mbuf 0 area | mbuf 1 area | ... | mbuf M-1 area ]
 *          mclbytes each, at multiples of mclbytes       msize bytes each
 * ```
 *
 * One arena means one DMA mapping ({@link DmaSpace.map}) per pool, clusters aligned to their size, and
 * copies between any two mbufs of the pool done by `copyWithin` on the arena (a memmove that allocates
 * nothing). Because mbuf and packet headers are JS objects ({@link Mbuf}, {@link PacketHeader}), the whole
 * `msize` bytes of an mbuf's area are data: BSD's MLEN and MHLEN are both `msize` here.
 *
 * ## Failure model
 *
 * - Exhaustion never throws: `get`/`gethdr`/`getcl`/`devget` return `null`, `clget` returns `false`, and
 *   the kind's `failures` counter moves. Running out is a load condition the stack must survive.
 * - Freeing twice, freeing an mbuf of another pool, or attaching a second cluster throws {@link MbufError}:
 *   those are programming bugs, and continuing would corrupt other packets.
 * - With an {@link AllocationGuard}, allocation inside an interrupt handler is reported (rule 4).
 *
 * ## Reserve (receive-ring refill cannot be starved)
 *
 * Buffers handed up the stack may be held for a long time elsewhere: queued on a socket nobody reads, on
 * an ARP entry waiting for a reply, in a reassembly queue. If those holders could take every cluster, the
 * drivers could not refill their receive rings and the host would go deaf — to the very replies and reads
 * that would free the buffers. So a pool keeps a *reserve* of each kind (`reserve` option): ordinary
 * allocations fail once only the reserve is left (counted in `failures` and `reserveRefusals`), and only
 * allocations made with {@link ALLOC_RESERVE} — drivers refilling receive rings — may take it (counted in
 * `reserveAllocations`). Buffers that reach the stack that way are still bounded by each holder's own
 * limits; while {@link MbufPool.pressure} is true holders should drop instead of queueing (Linux's
 * pfmemalloc rule). Transmit and protocol allocations (`m_prepend`, `m_copyback`, replies) are ordinary:
 * under pressure a reply fails with a counted drop, and the receive path keeps working.
 *
 * A reserve rather than per-consumer quotas: the consumers that hold buffers are open-ended (any protocol,
 * any socket), while the one consumer that must never starve is known (ring refill); one comparison per
 * allocation, no per-consumer bookkeeping.
 *
 * ## Accounting
 *
 * {@link MbufPool.stats} is always up to date (plain numbers, no allocation to read).
 * {@link MbufPool.checkAccounting} cross-checks the counters against the free lists and the mbufs
 * themselves, and {@link MbufPool.assertQuiescent} is what a test calls at the end to prove nothing leaked.
 *
 * @module
 */
import type { DmaSpace } from '../bus/dma.js';
import { DMA_SEGMENT_SPAN } from '../bus/dma-map.js';
import type { Ifnet } from '../net/ifnet.js';
import type { AllocationGuard } from './allocation-guard.js';
import { copyBytes } from './bytes.js';
import { MbufError } from './errors.js';
import { M_EXT, M_PKTHDR } from './flags.js';
import { checkCount } from './m-check.js';
import { Mbuf } from './mbuf.js';

/** Allocation priority: an ordinary allocation, which leaves the pool's reserve alone. */
export const ALLOC_NORMAL = 0;
/**
 * Allocation priority of a driver refilling its receive ring (Linux's `__GFP_MEMALLOC` reserve for the
 * receive path): it may take the pool's reserve, so buffers held elsewhere cannot starve the ring.
 */
export const ALLOC_RESERVE = 1;
export type AllocPriority = typeof ALLOC_NORMAL | typeof ALLOC_RESERVE;

export interface MbufPoolOptions {
  /** Name used in statistics, error messages and the DMA mapping. */
  name: string;
  /** Number of mbufs (headers with their small internal storage area). At least 1. */
  mbufs: number;
  /** Number of clusters. May be 0 (then every packet lives in small mbufs). */
  clusters: number;
  /** MSIZE: bytes of an mbuf's internal storage area. Default 256. */
  msize?: number;
  /** MCLBYTES: bytes of a cluster. Default 2048. Must be >= msize. */
  mclbytes?: number;
  /** Allocation guard shared with the CPU model (rule 4: no allocation in interrupt context). */
  guard?: AllocationGuard;
  /** Map the arena into this DMA space so mbufs have bus addresses ({@link Mbuf.busAddr}). */
  dma?: DmaSpace;
  /**
   * Objects of each kind kept back for {@link ALLOC_RESERVE} allocations (drivers refilling receive
   * rings): ordinary allocations fail once only the reserve is left. Default 0 (no reserve); hosts
   * default to 1/8 of the clusters and 1/16 of the mbufs. See "Reserve" in the module doc.
   */
  reserve?: { mbufs?: number; clusters?: number };
  /**
   * Back the arena with a SharedArrayBuffer so a worker (a traffic source, later another CPU) can see
   * packet bytes. Needs cross-origin isolation in browsers. Default false.
   */
  shared?: boolean;
}

/** Statistics of one kind of pool object (mbufs or clusters). Plain numbers, read-only for users. */
export interface MbufKindStats {
  /** Number of objects of this kind in the pool. */
  readonly size: number;
  /** Currently allocated. */
  readonly inUse: number;
  /** Currently on the free list (`size - inUse`). */
  readonly free: number;
  /** Largest `inUse` ever seen. */
  readonly highWater: number;
  /** Allocation requests refused because the kind was exhausted. */
  readonly failures: number;
  /** Successful allocations since creation. */
  readonly allocations: number;
  /** Frees since creation. */
  readonly frees: number;
  /** Objects kept back for {@link ALLOC_RESERVE} allocations. */
  readonly reserve: number;
  /** Ordinary allocations refused because only the reserve was left (also counted in `failures`). */
  readonly reserveRefusals: number;
  /** {@link ALLOC_RESERVE} allocations served from the reserve (the kind was below its reserve line). */
  readonly reserveAllocations: number;
}

export interface MbufPoolStats {
  readonly mbufs: MbufKindStats;
  readonly clusters: MbufKindStats;
}

/** JSON-serialisable copy of a pool's statistics ({@link MbufPool.snapshot}). */
export interface MbufPoolSnapshot {
  name: string;
  msize: number;
  mclbytes: number;
  mbufs: MbufKindStats;
  clusters: MbufKindStats;
  /** Allocations attempted in interrupt context, as counted by the pool's guard (0 without a guard). */
  guardViolations: number;
}

/** Result of {@link MbufPool.checkAccounting}. */
export interface AccountingCheck {
  ok: boolean;
  /** `'ok'`, or every discrepancy found, separated by `; `. */
  detail: string;
}

class KindCounters implements MbufKindStats {
  size: number;
  inUse: number;
  free: number;
  highWater: number;
  failures: number;
  allocations: number;
  frees: number;
  reserve: number;
  reserveRefusals: number;
  reserveAllocations: number;

  constructor(size: number, reserve: number) {
    this.size = size;
    this.inUse = 0;
    this.free = size;
    this.highWater = 0;
    this.failures = 0;
    this.allocations = 0;
    this.frees = 0;
    this.reserve = reserve;
    this.reserveRefusals = 0;
    this.reserveAllocations = 0;
  }

  json(): MbufPoolSnapshot['mbufs'] {
    return {
      size: this.size,
      inUse: this.inUse,
      free: this.free,
      highWater: this.highWater,
      failures: this.failures,
      allocations: this.allocations,
      frees: this.frees,
      reserve: this.reserve,
      reserveRefusals: this.reserveRefusals,
      reserveAllocations: this.reserveAllocations,
    };
  }
}

function checkSize(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`MbufPool: ${what} must be an integer >= ${min}, got ${v}`);
}

export class MbufPool {
  readonly name: string;
  /** MSIZE: bytes of an mbuf's internal storage area. */
  readonly msize: number;
  /** MCLBYTES: bytes of a cluster. */
  readonly mclbytes: number;
  /** The arena holding all clusters and mbuf storage areas (layout in the module doc). */
  readonly arena: ArrayBuffer | SharedArrayBuffer;
  /** @internal A view of the whole arena, for allocation-free copies between mbufs of this pool. */
  readonly arenaU8: Uint8Array;
  /** Bus address of arena byte 0 when mapped into a DMA space, else 0. */
  readonly busBase: number;
  /**
   * The high 32 bits of {@link busBase} (a DMA space maps each arena at a multiple of 2^32; an mbuf's low
   * address word is `m.base + m.off`): a small integer, 0 when not mapped.
   */
  readonly busHi: number;
  /** The DMA space the arena is mapped into (one host's memory), or null. See `assertOwnMbuf`. */
  readonly dma: DmaSpace | null;
  readonly guard: AllocationGuard | null;
  /** Live counters; read them freely, never write. */
  readonly stats: MbufPoolStats;

  private readonly mstat: KindCounters;
  private readonly cstat: KindCounters;
  /** Every mbuf of the pool, by index. */
  private readonly all: Mbuf[];
  /** Free mbuf indices (a stack: `mfree[0 .. mtop)`). */
  private readonly mfree: Int32Array;
  private mtop: number;
  /** Free cluster indices (a stack: `cfree[0 .. ctop)`). */
  private readonly cfree: Int32Array;
  private ctop: number;
  /** Pre-built views of each cluster. */
  private readonly clBuf: Uint8Array[];
  private readonly clView: DataView[];
  /** Bus address of each cluster (0 without DMA). */
  private readonly clBus: Float64Array;

  constructor(options: MbufPoolOptions) {
    const { name, mbufs, clusters } = options;
    const msize = options.msize ?? 256;
    const mclbytes = options.mclbytes ?? 2048;
    checkSize('mbufs', mbufs, 1);
    checkSize('clusters', clusters, 0);
    checkSize('msize', msize, 16);
    checkSize('mclbytes', mclbytes, msize);
    this.name = name;
    this.msize = msize;
    this.mclbytes = mclbytes;
    this.guard = options.guard ?? null;

    const clusterBytes = clusters * mclbytes;
    const total = clusterBytes + mbufs * msize;
    this.arena = options.shared ? new SharedArrayBuffer(total) : new ArrayBuffer(total);
    this.arenaU8 = new Uint8Array(this.arena);
    this.dma = options.dma ?? null;
    this.busBase = options.dma ? options.dma.map(this.arena, `mbuf pool ${name}`) : 0;
    this.busHi = this.busBase / DMA_SEGMENT_SPAN;

    const mres = options.reserve?.mbufs ?? 0;
    const cres = options.reserve?.clusters ?? 0;
    checkCount('MbufPool', 'reserve.mbufs', mres, mbufs);
    checkCount('MbufPool', 'reserve.clusters', cres, clusters);
    this.mstat = new KindCounters(mbufs, mres);
    this.cstat = new KindCounters(clusters, cres);
    this.stats = { mbufs: this.mstat, clusters: this.cstat };

    this.clBuf = new Array(clusters);
    this.clView = new Array(clusters);
    this.clBus = new Float64Array(clusters);
    this.cfree = new Int32Array(clusters);
    for (let i = 0; i < clusters; i++) {
      const base = i * mclbytes;
      this.clBuf[i] = new Uint8Array(this.arena, base, mclbytes);
      this.clView[i] = new DataView(this.arena, base, mclbytes);
      this.clBus[i] = this.busBase === 0 ? 0 : this.busBase + base;
      // Stack order: cluster 0 is handed out first.
      this.cfree[i] = clusters - 1 - i;
    }
    this.ctop = clusters;

    this.all = new Array(mbufs);
    this.mfree = new Int32Array(mbufs);
    for (let i = 0; i < mbufs; i++) {
      const base = clusterBytes + i * msize;
      const ibuf = new Uint8Array(this.arena, base, msize);
      this.all[i] = new Mbuf(this, i, ibuf, base, this.busBase === 0 ? 0 : this.busBase + base);
      this.mfree[i] = mbufs - 1 - i;
    }
    this.mtop = mbufs;
  }

  // ---------------------------------------------------------------------------------------------------
  // Allocation

  /**
   * True while the pool runs on its reserve: one kind has no more than its reserve left, so ordinary
   * allocations fail. Code that *holds* packets for a long time (socket buffers, ARP hold queues,
   * reassembly) should drop rather than queue more while it is true (Linux's pfmemalloc rule: reserve
   * memory goes to the receive path, never to a socket).
   */
  get pressure(): boolean {
    return this.mtop <= this.mstat.reserve || (this.cstat.size > 0 && this.ctop <= this.cstat.reserve);
  }

  /**
   * m_get: a plain mbuf (no packet header, no cluster), `off` 0, `len` 0. `null` when exhausted (for an
   * ordinary allocation: when only the reserve is left). `prio` {@link ALLOC_RESERVE} may use the reserve.
   */
  get(prio: AllocPriority = ALLOC_NORMAL): Mbuf | null {
    const g = this.guard;
    if (g !== null && g.depth > 0) g.violation(this.name, 'm_get');
    return this.takeMbuf(prio);
  }

  /** m_gethdr: an mbuf with `M_PKTHDR` and a freshly reset packet header. `null` when exhausted. */
  gethdr(prio: AllocPriority = ALLOC_NORMAL): Mbuf | null {
    const g = this.guard;
    if (g !== null && g.depth > 0) g.violation(this.name, 'm_gethdr');
    const m = this.takeMbuf(prio);
    if (m !== null) {
      m.flags = M_PKTHDR;
      m.pkthdr.reset();
    }
    return m;
  }

  /**
   * MCLGET / m_clget: attach a cluster to `m`, which then stores its data in the cluster (`M_EXT`,
   * `capacity === mclbytes`, `buf`/`view`/`busAddr` switched to the cluster's pre-built ones).
   * Data already in `m` is carried over at the same offset. Returns `false` when clusters are exhausted;
   * `m` is then unchanged and still owned by the caller. Throws {@link MbufError} if `m` already has a
   * cluster or is not an allocated mbuf of this pool.
   */
  clget(m: Mbuf, prio: AllocPriority = ALLOC_NORMAL): boolean {
    this.own(m, 'MCLGET');
    if ((m.flags & M_EXT) !== 0)
      throw new MbufError('bad-state', `mbuf pool '${this.name}': MCLGET on an mbuf that already has a cluster`);
    const g = this.guard;
    if (g !== null && g.depth > 0) g.violation(this.name, 'MCLGET');
    return this.takeCluster(m, prio);
  }

  /**
   * m_getcl: a packet-header mbuf with a cluster attached. `null` when either kind is exhausted. A driver
   * refilling its receive ring passes {@link ALLOC_RESERVE}: `pool.getcl(ALLOC_RESERVE)`.
   */
  getcl(prio: AllocPriority = ALLOC_NORMAL): Mbuf | null {
    const g = this.guard;
    if (g !== null && g.depth > 0) g.violation(this.name, 'm_getcl');
    const m = this.takeMbuf(prio);
    if (m === null) return null;
    m.flags = M_PKTHDR;
    m.pkthdr.reset();
    if (!this.takeCluster(m, prio)) {
      this.free(m);
      return null;
    }
    return m;
  }

  /**
   * m_devget: copy `src[off .. off+len)` into a new packet (what a driver without DMA, or the loopback
   * interface, does with a received frame). The packet's first mbuf has `pkthdr.len = len` and
   * `pkthdr.rcvif = rcvif`. Small frames fit one mbuf; bigger ones use clusters (a small mbuf for a short
   * remainder).
   *
   * `leading` (FreeBSD's `off` argument of m_devget) reserves that many bytes before the data of the first
   * mbuf, for alignment (ETHER_ALIGN) or for headers prepended later; it must be less than a cluster
   * (less than `msize` in a pool without clusters).
   *
   * A pool created with no clusters at all builds big packets from small mbufs instead.
   *
   * On exhaustion everything taken is freed again and `null` returned (one failure counted). A source
   * range outside `src`, or an offset, length or leading space that is not a non-negative integer, is a
   * caller bug and throws RangeError.
   *
   * Copying the whole of `src` (`off === 0 && len === src.length`) into one mbuf allocates nothing.
   */
  devget(
    src: Uint8Array,
    off: number,
    len: number,
    rcvif: Ifnet | null,
    leading = 0,
    prio: AllocPriority = ALLOC_NORMAL,
  ): Mbuf | null {
    checkCount('m_devget', 'offset', off);
    checkCount('m_devget', 'length', len);
    checkCount('m_devget', 'leading space', leading);
    if (off + len > src.length) {
      throw new RangeError(`m_devget: range ${off}+${len} outside a source of ${src.length} bytes`);
    }
    const maxLead = this.cstat.size > 0 ? this.mclbytes : this.msize;
    if (leading >= maxLead) {
      throw new RangeError(`m_devget: leading space ${leading} must be in [0, ${maxLead})`);
    }
    const g = this.guard;
    if (g !== null && g.depth > 0) g.violation(this.name, 'm_devget');
    const msize = this.msize;
    let head: Mbuf | null = null;
    let tail: Mbuf | null = null;
    let remaining = len;
    let pos = off;
    let lead = leading;
    do {
      const m = this.takeMbuf(prio);
      if (m === null) {
        this.freem(head);
        return null;
      }
      if (remaining + lead > msize && this.cstat.size > 0 && !this.takeCluster(m, prio)) {
        this.free(m);
        this.freem(head);
        return null;
      }
      const n = Math.min(m.capacity - lead, remaining);
      m.off = lead;
      m.len = n;
      if (pos === 0 && n === src.length) m.buf.set(src, lead);
      else copyBytes(m.buf, lead, src, pos, n);
      if (tail === null) {
        head = m;
        m.flags |= M_PKTHDR;
        m.pkthdr.reset();
        m.pkthdr.len = len;
        m.pkthdr.rcvif = rcvif;
      } else {
        tail.next = m;
      }
      tail = m;
      remaining -= n;
      pos += n;
      lead = 0;
    } while (remaining > 0);
    return head;
  }

  // ---------------------------------------------------------------------------------------------------
  // Freeing

  /**
   * m_free: free one mbuf (and its cluster) and return its successor `m.next`, which the caller now owns.
   * Allowed in any context. Throws {@link MbufError} on a double free or an mbuf of another pool.
   *
   * Small on purpose: every protocol's free path inlines it (with the receive cache's `recycle`), and V8
   * counts what a function inlined against its callers' inlining budget — the refusals and the return to
   * the free lists are out of line ({@link refuseFree}, {@link release}).
   */
  free(m: Mbuf): Mbuf | null {
    // `=== true`: V8 does not track boolean field types, so a bare `m.isFree` is a full ToBoolean.
    if (m.pool !== this || this.all[m.index] !== m || m.isFree === true) this.refuseFree(m);
    const next = m.next;
    // A receive queue's buffer goes back to its cache (still allocated, cluster attached), if it has room.
    if (m.recycler === null || !m.recycler.recycle(m)) this.release(m);
    return next;
  }

  /** {@link free}'s refusals: an mbuf of another pool (or none of this pool's), or one already free. */
  private refuseFree(m: Mbuf): never {
    if (m.pool !== this || this.all[m.index] !== m) {
      throw new MbufError('foreign', `mbuf pool '${this.name}': m_free of an mbuf from pool '${m.pool?.name}'`);
    }
    throw new MbufError('double-free', `mbuf pool '${this.name}': m_free of mbuf #${m.index}, which is already free`);
  }

  /** {@link free}'s return of `m` (and its cluster) to the free lists. */
  private release(m: Mbuf): void {
    if (m.cluster >= 0) {
      this.cfree[this.ctop++] = m.cluster;
      const c = this.cstat;
      c.inUse--;
      c.free++;
      c.frees++;
      m.cluster = -1;
      m.buf = m.ibuf;
      m.view = m.iview;
      m.base = m.ibase;
      m.busAddr = m.ibusAddr;
      m.capacity = this.msize;
    }
    m.next = null;
    m.nextpkt = null;
    m.flags = 0;
    m.off = 0;
    m.len = 0;
    // Drop the reference so a detached interface is not kept alive by a free mbuf.
    m.pkthdr.rcvif = null;
    m.recycler = null;
    m.isFree = true;
    this.mfree[this.mtop++] = m.index;
    const s = this.mstat;
    s.inUse--;
    s.free++;
    s.frees++;
  }

  /** m_freem: free a whole chain (one packet; `nextpkt` is not followed). `null` is accepted and ignored. */
  freem(m: Mbuf | null): void {
    while (m !== null) m = this.free(m);
  }

  // ---------------------------------------------------------------------------------------------------
  // Accounting

  /** A JSON-serialisable copy of the statistics. */
  snapshot(): MbufPoolSnapshot {
    return {
      name: this.name,
      msize: this.msize,
      mclbytes: this.mclbytes,
      mbufs: this.mstat.json(),
      clusters: this.cstat.json(),
      guardViolations: this.guard?.violations ?? 0,
    };
  }

  /**
   * Verifies, for mbufs and clusters, that `allocations === frees + inUse` and `free + inUse === size`,
   * and cross-checks the counters against the free lists and the mbufs themselves (so a bookkeeping bug in
   * the pool is caught, not only one in its counters). Scans the whole pool: not for hot paths.
   */
  checkAccounting(): AccountingCheck {
    const problems: string[] = [];
    const kinds: [string, KindCounters, number][] = [
      ['mbufs', this.mstat, this.mtop],
      ['clusters', this.cstat, this.ctop],
    ];
    for (const [kind, s, onFreeList] of kinds) {
      if (s.allocations !== s.frees + s.inUse) {
        problems.push(`${kind}: allocations ${s.allocations} !== frees ${s.frees} + inUse ${s.inUse}`);
      }
      if (s.free + s.inUse !== s.size) problems.push(`${kind}: free ${s.free} + inUse ${s.inUse} !== size ${s.size}`);
      if (onFreeList !== s.free) problems.push(`${kind}: free list holds ${onFreeList}, counter says ${s.free}`);
    }
    let mbufsInUse = 0;
    let clustersInUse = 0;
    for (const m of this.all) {
      if (!m.isFree) mbufsInUse++;
      if (m.cluster >= 0) {
        clustersInUse++;
        if (m.isFree) problems.push(`mbuf #${m.index} is free but holds cluster ${m.cluster}`);
      }
    }
    if (mbufsInUse !== this.mstat.inUse)
      problems.push(`mbufs: ${mbufsInUse} mbufs are allocated, counter says ${this.mstat.inUse}`);
    if (clustersInUse !== this.cstat.inUse) {
      problems.push(`clusters: ${clustersInUse} clusters are attached, counter says ${this.cstat.inUse}`);
    }
    return problems.length === 0 ? { ok: true, detail: 'ok' } : { ok: false, detail: problems.join('; ') };
  }

  /**
   * For the end of a test: throws {@link MbufError} (code `'accounting'`) if the accounting check fails or
   * any mbuf or cluster is still allocated (a leak), describing the first leaked mbufs.
   */
  assertQuiescent(): void {
    const check = this.checkAccounting();
    const leaks: string[] = [];
    for (const m of this.all) {
      if (!m.isFree && leaks.length < 8) {
        const hdr = (m.flags & M_PKTHDR) !== 0 ? ` pkthdr.len=${m.pkthdr.len}` : '';
        leaks.push(`#${m.index}(len=${m.len} flags=0x${m.flags.toString(16)}${hdr})`);
      }
    }
    if (!check.ok || this.mstat.inUse !== 0 || this.cstat.inUse !== 0) {
      const leak =
        this.mstat.inUse !== 0 || this.cstat.inUse !== 0
          ? `; in use: ${this.mstat.inUse} mbufs, ${this.cstat.inUse} clusters; first: ${leaks.join(' ')}`
          : '';
      throw new MbufError('accounting', `mbuf pool '${this.name}' not quiescent: ${check.detail}${leak}`);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Internal interface for the chain operations (m_prepend, m_split, m_copyback, m_pullup)

  /**
   * @internal Allocate for chain operation `op`: guard check, then an mbuf (with a reset packet header
   * when `pkthdr`). `null` when exhausted.
   */
  allocMbuf(op: string, pkthdr: boolean): Mbuf | null {
    const g = this.guard;
    if (g !== null && g.depth > 0) g.violation(this.name, op);
    const m = this.takeMbuf(ALLOC_NORMAL);
    if (m !== null && pkthdr) {
      m.flags = M_PKTHDR;
      m.pkthdr.reset();
    }
    return m;
  }

  /** @internal Attach a cluster for chain operation `op` (data carried over, as {@link clget}). */
  allocCluster(m: Mbuf, op: string): boolean {
    const g = this.guard;
    if (g !== null && g.depth > 0) g.violation(this.name, op);
    return this.takeCluster(m, ALLOC_NORMAL);
  }

  // ---------------------------------------------------------------------------------------------------

  private takeMbuf(prio: AllocPriority): Mbuf | null {
    const s = this.mstat;
    if (this.mtop <= s.reserve) {
      if (this.mtop === 0 || prio === ALLOC_NORMAL) {
        s.failures++;
        if (this.mtop > 0) s.reserveRefusals++;
        return null;
      }
      s.reserveAllocations++;
    }
    const m = this.all[this.mfree[--this.mtop]];
    m.isFree = false;
    s.inUse++;
    s.free--;
    s.allocations++;
    if (s.inUse > s.highWater) s.highWater = s.inUse;
    return m;
  }

  private takeCluster(m: Mbuf, prio: AllocPriority): boolean {
    const s = this.cstat;
    if (this.ctop <= s.reserve) {
      if (this.ctop === 0 || prio === ALLOC_NORMAL) {
        s.failures++;
        if (this.ctop > 0) s.reserveRefusals++;
        return false;
      }
      s.reserveAllocations++;
    }
    const c = this.cfree[--this.ctop];
    const base = c * this.mclbytes;
    if (m.len > 0) this.arenaU8.copyWithin(base + m.off, m.base + m.off, m.base + m.off + m.len);
    m.cluster = c;
    m.buf = this.clBuf[c];
    m.view = this.clView[c];
    m.base = base;
    m.busAddr = this.clBus[c];
    m.capacity = this.mclbytes;
    m.flags |= M_EXT;
    s.inUse++;
    s.free--;
    s.allocations++;
    if (s.inUse > s.highWater) s.highWater = s.inUse;
    return true;
  }

  private own(m: Mbuf, op: string): void {
    if (m.pool !== this || this.all[m.index] !== m) {
      throw new MbufError('foreign', `mbuf pool '${this.name}': ${op} on an mbuf from pool '${m.pool?.name}'`);
    }
    if (m.isFree) throw new MbufError('bad-state', `mbuf pool '${this.name}': ${op} on free mbuf #${m.index}`);
  }
}
