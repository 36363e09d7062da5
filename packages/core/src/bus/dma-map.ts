/**
 * bus_dmamap(9): a buffer's bus addresses, resolved once, for the driver that programs a descriptor and
 * for the device that moves the bytes.
 *
 * In NetBSD a driver creates a map per descriptor slot at attach (`bus_dmamap_create`), loads a buffer
 * into it (`bus_dmamap_load_mbuf`: the map's `dm_segs[]` now hold `ds_addr`/`ds_len` to write into
 * descriptors), brackets device access with `bus_dmamap_sync` and unloads it when the buffer comes back.
 * Here a map also keeps, for each segment, the *backing arena and offset* the bus address stands for, so:
 *
 * - a driver loads an mbuf chain without any address arithmetic on doubles: the segment's descriptor words
 *   ({@link DmaMap.segHi}, {@link DmaMap.segLo}) are precomputed small integers; reloading a map with a
 *   buffer of the pool it held last (a receive ring refilled from its own pool, a transmit ring sending
 *   what it received) checks the pool by identity and rewrites only the offset and length, and the
 *   segment numbers of all the maps of a space sit in one slab ({@link DmaMapSlab}), a ring's maps side
 *   by side;
 * - a device model resolves the address it read from a descriptor once ({@link DmaMap.loadAddr}, bounds
 *   checked once for the whole buffer) and then copies with `set`/`copyWithin`/word copies
 *   ({@link DmaMap.copyIn}, {@link DmaMap.copyOut}), or even transmits straight out of host memory by
 *   handing `segArena[0]` and `segOff[0]` to its wire.
 *
 * A bad address is a *counted bus error* ({@link DmaSpace.busErrors} and {@link DmaMap.errors}), never a
 * throw: a device model reads garbage descriptors as real hardware would, and a driver bug shows up as a
 * counter, not a crash of the host.
 *
 * Why (hi, lo) pairs instead of one number on the hot paths: bus addresses are ≥ 2^32, so they are
 * doubles, and V8 allocates a heap number whenever a double crosses a call it did not inline. A
 * descriptor's two 32-bit halves, and segment indices and offsets, stay small integers.
 *
 * Memory is coherent in this model: {@link DmaMap.sync} checks that the map is loaded and counts the
 * call, where a non-coherent platform would flush caches or copy a bounce buffer. Drivers still call it
 * at the places `bus_dmamap_sync(9)` says, so they read right on any platform.
 *
 * @module
 */
import type { Mbuf } from '../mbuf/mbuf.js';
import type { MbufPool } from '../mbuf/pool.js';
import { copyBytes } from '../lib/copy-bytes.js';
import { DmaMapSlab } from './dma-map-slab.js';

/** `BUS_DMASYNC_PREREAD`: before the device writes the buffer. */
export const BUS_DMASYNC_PREREAD = 0x01;
/** `BUS_DMASYNC_POSTREAD`: after the device wrote it, before the CPU reads. */
export const BUS_DMASYNC_POSTREAD = 0x02;
/** `BUS_DMASYNC_PREWRITE`: after the CPU wrote the buffer, before the device reads it. */
export const BUS_DMASYNC_PREWRITE = 0x04;
/** `BUS_DMASYNC_POSTWRITE`: after the device read it. */
export const BUS_DMASYNC_POSTWRITE = 0x08;

/** 2^32: segment *i* of a {@link DmaSpace} starts at bus address `(i + 1) * DMA_SEGMENT_SPAN`. */
export const DMA_SEGMENT_SPAN = 0x1_0000_0000;

/**
 * @internal What a map needs from its DMA space: the arena behind a bus address's high half, and where
 * to count errors. Implemented by {@link DmaSpace}.
 */
export interface DmaMapBacking {
  /**
   * The arena mapped at high half `hi` (segment `hi - 1`), or undefined. A mapping, once made, is never
   * removed or replaced: a map keeps the last answer (see `DmaMap.resolve`).
   */
  arenaAt(hi: number): Uint8Array | undefined;
  /** The high half under which `buffer` is mapped, or 0 when it is not mapped. */
  hiOf(buffer: ArrayBufferLike): number;
  /** Counts one bus error. */
  busError(): void;
  /** Where the space's maps keep their segment numbers (one slab per space); else each map has its own. */
  readonly mapSlab?: DmaMapSlab;
}

/** Why a load failed (each counted in {@link DmaMap.stats}). */
export interface DmaMapStats {
  loads: number;
  syncs: number;
  /** Loads refused because the address or length fell outside mapped memory (also a bus error). */
  badAddress: number;
  /** Loads refused because the buffer needs more segments, or more bytes, than the map was created for (EFBIG). */
  tooBig: number;
  /** Copies outside the loaded length, and syncs of an unloaded map (also bus errors). */
  outOfRange: number;
}

const EMPTY = new Uint8Array(0);

export class DmaMap {
  /** `dm_nsegs`: segments of the loaded buffer (0 when unloaded). */
  nsegs = 0;
  /** `dm_mapsize`: bytes loaded. */
  mapsize = 0;
  /** `ds_len` of each segment. */
  readonly segLen: Int32Array;
  /** High 32 bits of each segment's address (the descriptor's upper word). */
  readonly segHi: Uint32Array;
  /** Low 32 bits of each segment's address (the descriptor's lower word). */
  readonly segLo: Uint32Array;
  /** The whole arena each segment lives in (a view of the mapped ArrayBuffer from byte 0). */
  readonly segArena: Uint8Array[];
  /**
   * Offset of each segment in its arena: the same words as {@link segLo} (an arena is mapped from its
   * byte 0, so the low address word is the offset), read as signed.
   */
  readonly segOff: Int32Array;
  /**
   * The slab chunk behind the per-segment typed arrays ({@link DmaMapSlab}), as 32-bit words: this map's
   * row starts at {@link at} — `segHi[0..s)`, `segLo` (also `segOff`), `segLen`, `s = maxSegments` words
   * each.
   */
  private readonly num: Int32Array;
  private readonly at: number;
  /**
   * The pool whose arena and high address word segment 0 holds, from the last one-mbuf
   * {@link loadMbuf} (null after any other load): reloading a buffer of the same pool then writes only
   * the offset and length — a receive ring refilled from its own pool loads with a comparison.
   */
  private pool0: MbufPool | null = null;
  /** {@link segAddr}'s array, made when first read. */
  private addrs: Float64Array | null = null;
  // The counters of {@link stats}, as fields of the map itself: one object touched per load or sync.
  private nLoads = 0;
  private nSyncs = 0;
  private nBadAddress = 0;
  private nTooBig = 0;
  private nOutOfRange = 0;
  /** {@link resolve}'s last arena: its high half (-1: none yet), the arena and its length. */
  private lastHi = -1;
  private lastArena: Uint8Array = EMPTY;
  private lastLength = 0;

  /** `bus_dmamap_create(tag, maxSize, maxSegments, ...)`: use {@link DmaSpace.createMap}. */
  constructor(
    private readonly backing: DmaMapBacking,
    readonly name: string,
    /** Largest total length a load may have. */
    readonly maxSize: number,
    /** Most segments a load may have. */
    readonly maxSegments: number,
  ) {
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError(`dma map ${name}: bad maxSize ${maxSize}`);
    if (!Number.isInteger(maxSegments) || maxSegments < 1 || maxSegments > 4096) {
      throw new RangeError(`dma map ${name}: bad maxSegments ${maxSegments}`);
    }
    // Every per-segment number in one row of the space's slab (12 bytes a segment), written through one
    // Int32Array ({@link num}): a load stores into one typed array instead of three.
    const s = maxSegments;
    const { num, at } = (backing.mapSlab ?? new DmaMapSlab()).alloc(3 * s);
    const block = num.buffer;
    const byte = num.byteOffset + 4 * at;
    this.segHi = new Uint32Array(block, byte, s);
    this.segLo = new Uint32Array(block, byte + 4 * s, s);
    this.segOff = new Int32Array(block, byte + 4 * s, s);
    this.segLen = new Int32Array(block, byte + 8 * s, s);
    this.num = num;
    this.at = at;
    this.segArena = new Array<Uint8Array>(maxSegments).fill(EMPTY);
  }

  /** Loads, syncs and refusals (a snapshot). */
  get stats(): DmaMapStats {
    return {
      loads: this.nLoads,
      syncs: this.nSyncs,
      badAddress: this.nBadAddress,
      tooBig: this.nTooBig,
      outOfRange: this.nOutOfRange,
    };
  }

  /**
   * `ds_addr` of each segment (bus address; a double, for diagnostics): worked out from
   * {@link segHi}/{@link segLo} when read, so that no load stores a double.
   */
  get segAddr(): Float64Array {
    this.addrs ??= new Float64Array(this.maxSegments);
    for (let k = 0; k < this.maxSegments; k++) this.addrs[k] = this.segHi[k] * DMA_SEGMENT_SPAN + this.segLo[k];
    return this.addrs;
  }

  /** Whether a buffer is loaded. */
  get loaded(): boolean {
    return this.nsegs > 0;
  }

  /** `ds_addr` of segment 0 (diagnostics; 0 when unloaded). */
  get busAddr(): number {
    return this.nsegs > 0 ? this.segHi[0] * DMA_SEGMENT_SPAN + this.segLo[0] : 0;
  }

  /**
   * `segLo[k]`, `segHi[k]`, `segLen[k]` for a driver writing descriptors right after a load: the same
   * values, read from the block the load just wrote (one typed array, already in cache) instead of through
   * three more typed arrays — a receive refill or transmit start touches a different map per slot.
   */
  addrLo(k: number): number {
    return this.num[this.at + this.maxSegments + k];
  }

  /** See {@link addrLo}. */
  addrHi(k: number): number {
    return this.num[this.at + k];
  }

  /** See {@link addrLo}. */
  length(k: number): number {
    return this.num[this.at + 2 * this.maxSegments + k];
  }

  /**
   * Loads the bus range `hi:lo` (the two halves of a descriptor's address field) of `len` bytes as one
   * segment: what a device does with the address it read from a descriptor. Bounds are checked here,
   * once. False (map unloaded, bus error counted) when the range is not all mapped memory.
   */
  loadAddr(hi: number, lo: number, len: number): boolean {
    return this.resolve(hi, lo, len) !== null;
  }

  /**
   * The device writes `src[srcOff, srcOff+len)` at the bus range `hi:lo` — a receive DMA into the buffer
   * a descriptor names: {@link loadAddr} and then {@link copyIn}`(0, src, srcOff, len)` in one step, with
   * the same outcome (the map left loaded with that range; a bad range refused, nothing written, the bus
   * error counted) but the bounds checked once and the copy made into the arena the load resolved, not
   * re-read from the map's segment fields. False when the range is refused.
   */
  storeAt(hi: number, lo: number, src: Uint8Array, srcOff: number, len: number): boolean {
    const arena = this.resolve(hi, lo, len);
    if (arena === null) return false;
    // A whole source array (a wire's exact-length frame; in bounds, checked by resolve): `set` at once,
    // without copyBytes' own tests, inlined or not.
    if (srcOff === 0 && len === src.length) arena.set(src, lo);
    else copyBytes(arena, lo, src, srcOff, len);
    return true;
  }

  /**
   * {@link loadAddr}'s work: the arena `hi:lo` lies in (the map loaded with that one segment), or null.
   * A device loads buffer after buffer from the same arena (an mbuf pool's), so the arena last resolved
   * and its length are kept ({@link lastHi}): a mapping, once made, never changes (a DMA space only adds
   * mappings), so the kept answer is what {@link DmaMapBacking.arenaAt} would say, and the bounds are
   * still checked for every load, against the kept length. The common load (the kept arena, in bounds)
   * is one test here; any other goes to {@link resolveSlow}, out of line, so that this stays small
   * enough for V8 to inline into a device's per-frame store ({@link storeAt}).
   */
  private resolve(hi: number, lo: number, len: number): Uint8Array | null {
    this.nLoads++;
    if (hi !== this.lastHi || !(lo >= 0 && len >= 0 && lo + len <= this.lastLength) || len > this.maxSize) {
      return this.resolveSlow(hi, lo, len);
    }
    return this.loadKept(hi, lo, len);
  }

  /** {@link resolve} off its common path: another arena (looked up and kept), or a refused load. */
  private resolveSlow(hi: number, lo: number, len: number): Uint8Array | null {
    if (hi !== this.lastHi && !this.lookUp(hi)) return this.refuseLoad(true);
    const inside = lo >= 0 && len >= 0 && lo + len <= this.lastLength;
    if (!inside || len > this.maxSize) return this.refuseLoad(!inside);
    return this.loadKept(hi, lo, len);
  }

  /**
   * The map loaded with `hi:lo`, `len` bytes, in the kept arena (bounds already checked): that arena.
   * {@link setSeg}'s work for segment 0, written out: without the general index it is small enough for V8
   * to inline into a device's per-frame store with the rest of {@link resolve}.
   */
  private loadKept(hi: number, lo: number, len: number): Uint8Array {
    this.segHi[0] = hi;
    this.segLo[0] = lo;
    this.segLen[0] = len;
    const arena = this.lastArena;
    if (this.segArena[0] !== arena) this.segArena[0] = arena;
    this.pool0 = null;
    this.nsegs = 1;
    this.mapsize = len;
    return arena;
  }

  /** The arena behind high half `hi`, kept for {@link resolve}; false when nothing is mapped there. */
  private lookUp(hi: number): boolean {
    const arena = this.backing.arenaAt(hi);
    if (arena === undefined) return false;
    this.lastHi = hi;
    this.lastArena = arena;
    this.lastLength = arena.length;
    return true;
  }

  /** A refused {@link resolve}: a bad address (outside mapped memory) or a load over `maxSize`. */
  private refuseLoad(badAddress: boolean): null {
    if (badAddress) this.nBadAddress++;
    else this.nTooBig++;
    return this.refuse();
  }

  /** A refused load (bad address or size): the map is left unloaded and the bus error counted. */
  private refuse(): null {
    this.nsegs = 0;
    this.mapsize = 0;
    this.backing.busError();
    return null;
  }

  /** {@link loadAddr} from a whole bus address (convenient off the hot path; the address is a double). */
  load(busAddr: number, len: number): boolean {
    const hi = Math.floor(busAddr / DMA_SEGMENT_SPAN);
    return this.loadAddr(hi, busAddr - hi * DMA_SEGMENT_SPAN, len);
  }

  /**
   * `bus_dmamap_load`: loads `buf[off .. off+len)`, a CPU view of memory mapped into this DMA space (a
   * `DmaRegion`'s `u8`, an mbuf's `buf`). False (bus error counted) when the buffer is not mapped.
   */
  loadBuffer(buf: Uint8Array, off: number, len: number): boolean {
    const hi = this.backing.hiOf(buf.buffer);
    if (hi === 0 || off < 0 || off + len > buf.length) {
      this.nLoads++;
      this.nBadAddress++;
      this.refuse();
      return false;
    }
    return this.loadAddr(hi, buf.byteOffset + off, len);
  }

  /**
   * `bus_dmamap_load_mbuf`: one segment per non-empty mbuf of the chain `m` (`m.len` bytes from
   * `m.off`; for a receive buffer set `m.len` to the space the device may fill first). The mbufs' pool
   * must be mapped into this DMA space. The chain stays the caller's; the map only describes it. False
   * (map unloaded, counted) when an mbuf is not DMA-able or the chain needs more than `maxSegments`
   * segments or `maxSize` bytes (EFBIG: a driver then defragments or drops).
   */
  loadMbuf(m: Mbuf): boolean {
    this.nLoads++;
    const len = m.len;
    const pool = m.pool;
    if (m.next === null && len > 0 && len <= this.maxSize) {
      // One mbuf (a receive cluster, a small packet): the common case, one segment.
      const lo = m.base + m.off;
      if (pool === this.pool0) {
        // Segment 0 already holds this pool's high word and arena, checked when they were stored.
        const num = this.num;
        const at = this.at + this.maxSegments;
        num[at] = lo;
        num[at + this.maxSegments] = len;
        this.nsegs = 1;
        this.mapsize = len;
        return true;
      }
      if (pool.busHi !== 0 && pool.dma === this.backing) {
        this.setSeg(0, pool.busHi, lo, len, pool.arenaU8);
        this.pool0 = pool;
        this.nsegs = 1;
        this.mapsize = len;
        return true;
      }
    }
    return this.loadChain(m);
  }

  /** {@link loadMbuf} for a chain (or a refusal): one segment per non-empty mbuf. */
  private loadChain(m: Mbuf): boolean {
    this.nsegs = 0;
    this.mapsize = 0;
    let n = 0;
    let total = 0;
    for (let s: Mbuf | null = m; s !== null; s = s.next) {
      const len = s.len;
      if (len === 0) continue;
      const pool = s.pool;
      const hi = pool.busHi;
      // The pool must be mapped into *this* space (busHi 0: not mapped anywhere). An identity check: the
      // arena's `buffer` getter is a call V8 does not inline, too slow for once per packet.
      if (hi === 0 || pool.dma !== this.backing) {
        this.nBadAddress++;
        this.refuse();
        return false;
      }
      total += len;
      if (n === this.maxSegments || total > this.maxSize) {
        this.nTooBig++;
        return false;
      }
      // busBase is a multiple of 2^32 and arenas are far below 2^32 bytes: the halves are exact.
      this.setSeg(n, hi, s.base + s.off, len, pool.arenaU8);
      n++;
    }
    this.nsegs = n;
    this.mapsize = total;
    return true;
  }

  /**
   * `bus_dmamap_sync`: orders CPU and device accesses to the loaded buffer (`ops`: `BUS_DMASYNC_*`).
   * Memory is coherent here, so this validates and counts; calling it where the BSD contract says keeps a
   * driver correct on platforms where it is not. Syncing an unloaded map is a counted driver error.
   */
  sync(ops: number): void {
    this.nSyncs++;
    if (this.nsegs === 0 || (ops & 0x0f) === 0) this.outOfRange();
  }

  /** `bus_dmamap_unload`. */
  unload(): void {
    this.nsegs = 0;
    this.mapsize = 0;
  }

  /**
   * The device writes `src[srcOff .. srcOff+len)` into the loaded buffer at byte `pos` of the map (DMA
   * to host memory). False (nothing written, bus error counted) when `[pos, pos+len)` is outside the
   * loaded length.
   */
  copyIn(pos: number, src: Uint8Array, srcOff: number, len: number): boolean {
    if (!(pos >= 0 && len >= 0 && pos + len <= this.mapsize)) return this.outOfRange();
    if (this.nsegs === 1) {
      copyBytes(this.segArena[0], this.segOff[0] + pos, src, srcOff, len);
      return true;
    }
    let p = pos;
    let from = srcOff;
    let left = len;
    for (let i = 0; i < this.nsegs && left > 0; i++) {
      const sl = this.segLen[i];
      if (p >= sl) {
        p -= sl;
        continue;
      }
      const k = Math.min(sl - p, left);
      copyBytes(this.segArena[i], this.segOff[i] + p, src, from, k);
      from += k;
      left -= k;
      p = 0;
    }
    return true;
  }

  /**
   * The device reads `len` bytes at byte `pos` of the loaded buffer into `dst[dstOff ..]` (DMA from host
   * memory; a transmit gather). False (nothing read, bus error counted) outside the loaded length.
   */
  copyOut(pos: number, dst: Uint8Array, dstOff: number, len: number): boolean {
    if (!(pos >= 0 && len >= 0 && pos + len <= this.mapsize)) return this.outOfRange();
    if (this.nsegs === 1) {
      copyBytes(dst, dstOff, this.segArena[0], this.segOff[0] + pos, len);
      return true;
    }
    let p = pos;
    let to = dstOff;
    let left = len;
    for (let i = 0; i < this.nsegs && left > 0; i++) {
      const sl = this.segLen[i];
      if (p >= sl) {
        p -= sl;
        continue;
      }
      const k = Math.min(sl - p, left);
      copyBytes(dst, to, this.segArena[i], this.segOff[i] + p, k);
      to += k;
      left -= k;
      p = 0;
    }
    return true;
  }

  private setSeg(i: number, hi: number, lo: number, len: number, arena: Uint8Array): void {
    const num = this.num;
    const s = this.maxSegments;
    const at = this.at + i; // segHi[i]
    // segHi, segLo (= segOff), segLen: the same bits through the slab's Int32Array (values below 2^31).
    num[at] = hi;
    num[at + s] = lo;
    num[at + 2 * s] = len;
    // Mostly the same arena as the map's last load: a compare instead of a pointer store (write barrier).
    if (this.segArena[i] !== arena) this.segArena[i] = arena;
    if (i === 0) this.pool0 = null;
  }

  private outOfRange(): false {
    this.nOutOfRange++;
    this.backing.busError();
    return false;
  }
}
