/**
 * bus_dma(9): the host's physical address space as devices see it.
 *
 * Every piece of memory a device may read or write by DMA is an ArrayBuffer *mapped* into one
 * {@link DmaSpace}: descriptor rings come from {@link DmaSpace.alloc} (`bus_dmamem_alloc`), and mbuf
 * pool arenas are mapped whole with {@link DmaSpace.map}, so a driver can put the bus address of an mbuf
 * cluster into a receive descriptor (`bus_dmamap_load_mbuf`) and the device fills the cluster in place.
 *
 * Bus addresses are plain numbers: segment *i* is mapped at `(i + 1) * 2^32`, so an address splits into a
 * segment and an offset without allocating, and the high 32 bits look like a real 64-bit bus address in
 * descriptor fields (`RDBAH`/`RDBAL`). Address 0 is never valid, which catches uninitialised descriptors.
 *
 * Devices use the accessor methods ({@link DmaAccess}); an access outside mapped memory is a bus error:
 * reads return all ones, writes are dropped, and {@link DmaSpace.busErrors} counts it, never a throw.
 * Word accessors suit descriptors; frame bytes move through a {@link DmaMap} ({@link DmaSpace.createMap}),
 * which resolves a buffer's address once and copies in bulk.
 */
import { copyBytes } from '../lib/copy-bytes.js';
import { DMA_SEGMENT_SPAN, DmaMap, type DmaMapBacking } from './dma-map.js';
import { DmaMapSlab } from './dma-map-slab.js';

const SEGMENT_SPAN = DMA_SEGMENT_SPAN;

/** One contiguous DMA-able region handed to a driver: its bus address and CPU views of the same bytes. */
export interface DmaRegion {
  readonly name: string;
  /** Bus address of byte 0 (what goes into a device register or descriptor). */
  readonly busAddr: number;
  readonly size: number;
  /** CPU view of the region. */
  readonly u8: Uint8Array;
  /** CPU view of the region for multi-byte little-endian fields. */
  readonly view: DataView;
}

/** What a device model may do with host memory: bus-master reads and writes (little-endian, as PCI is). */
export interface DmaAccess {
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  /** Reads a 64-bit address field stored as two little-endian 32-bit halves. */
  read64(addr: number): number;
  write8(addr: number, value: number): void;
  write16(addr: number, value: number): void;
  write32(addr: number, value: number): void;
  write64(addr: number, value: number): void;
  /** Copies `len` bytes from bus memory at `addr` into `dst[dstOff..]`. False (and nothing copied) on a bus error. */
  copyFromBus(addr: number, dst: Uint8Array, dstOff: number, len: number): boolean;
  /** Copies `len` bytes of `src[srcOff..]` to bus memory at `addr`. False (and nothing copied) on a bus error. */
  copyToBus(addr: number, src: Uint8Array, srcOff: number, len: number): boolean;
  /**
   * `bus_dmamap_create`: a map for buffers of up to `maxSize` bytes in up to `maxSegments` segments.
   * Create maps when attaching (device: when connected), never per packet.
   */
  createMap(name: string, maxSize: number, maxSegments?: number): DmaMap;
}

interface Segment {
  readonly name: string;
  readonly u8: Uint8Array;
  readonly view: DataView;
}

export class DmaSpace implements DmaAccess, DmaMapBacking {
  private readonly segments: Segment[] = [];
  /** Accesses to unmapped or out-of-range bus addresses (map loads and copies included). */
  busErrors = 0;
  /** @internal {@link DmaMapBacking}: the segment numbers of every map of this space. */
  readonly mapSlab = new DmaMapSlab();

  createMap(name: string, maxSize: number, maxSegments = 1): DmaMap {
    return new DmaMap(this, name, maxSize, maxSegments);
  }

  /** @internal {@link DmaMapBacking} */
  arenaAt(hi: number): Uint8Array | undefined {
    return hi >= 1 && hi <= this.segments.length ? this.segments[hi - 1].u8 : undefined;
  }

  /** @internal {@link DmaMapBacking} */
  hiOf(buffer: ArrayBufferLike): number {
    const segs = this.segments;
    for (let i = 0; i < segs.length; i++) if (segs[i].u8.buffer === buffer) return i + 1;
    return 0;
  }

  /** @internal {@link DmaMapBacking} */
  busError(): void {
    this.busErrors++;
  }

  /** Maps a whole ArrayBuffer (an mbuf arena, say) and returns the bus address of its byte 0. */
  map(buffer: ArrayBuffer | SharedArrayBuffer, name: string): number {
    this.segments.push({ name, u8: new Uint8Array(buffer), view: new DataView(buffer) });
    return this.segments.length * SEGMENT_SPAN;
  }

  /**
   * bus_dmamem_alloc + bus_dmamem_map: a new zeroed region of `size` bytes, for descriptor rings and other
   * device-shared structures. Allocate at attach/init time, never in interrupt context.
   */
  alloc(size: number, name: string): DmaRegion {
    if (!Number.isInteger(size) || size <= 0 || size > 0x4000_0000) {
      throw new RangeError(`dma alloc ${name}: bad size ${size}`);
    }
    const buffer = new ArrayBuffer(size);
    const busAddr = this.map(buffer, name);
    return { name, busAddr, size, u8: new Uint8Array(buffer), view: new DataView(buffer) };
  }

  /** Name of the segment holding `addr`, for diagnostics; `undefined` when unmapped. */
  segmentName(addr: number): string | undefined {
    return this.segments[Math.floor(addr / SEGMENT_SPAN) - 1]?.name;
  }

  /** Offset of the last successful {@link seg} lookup within its segment. */
  private segOff = 0;

  /**
   * Resolves `addr` (and `width` bytes after it) to its segment, leaving the offset in {@link segOff}.
   * Integer division by multiplication and subtraction: `%` on a double above 2^32 is a slow library call.
   */
  private seg(addr: number, width: number): Segment | undefined {
    const index = Math.floor(addr / SEGMENT_SPAN);
    const seg = this.segments[index - 1];
    const off = addr - index * SEGMENT_SPAN;
    if (seg === undefined || off + width > seg.u8.length || width < 0) {
      this.busErrors++;
      return undefined;
    }
    this.segOff = off;
    return seg;
  }

  read8(addr: number): number {
    const s = this.seg(addr, 1);
    return s === undefined ? 0xff : s.u8[this.segOff];
  }
  read16(addr: number): number {
    const s = this.seg(addr, 2);
    return s === undefined ? 0xffff : s.view.getUint16(this.segOff, true);
  }
  read32(addr: number): number {
    const s = this.seg(addr, 4);
    return s === undefined ? 0xffffffff : s.view.getUint32(this.segOff, true);
  }
  read64(addr: number): number {
    const s = this.seg(addr, 8);
    if (s === undefined) return Number.MAX_SAFE_INTEGER;
    const off = this.segOff;
    return s.view.getUint32(off + 4, true) * SEGMENT_SPAN + s.view.getUint32(off, true);
  }
  write8(addr: number, value: number): void {
    const s = this.seg(addr, 1);
    if (s !== undefined) s.u8[this.segOff] = value;
  }
  write16(addr: number, value: number): void {
    const s = this.seg(addr, 2);
    if (s !== undefined) s.view.setUint16(this.segOff, value, true);
  }
  write32(addr: number, value: number): void {
    const s = this.seg(addr, 4);
    if (s !== undefined) s.view.setUint32(this.segOff, value >>> 0, true);
  }
  write64(addr: number, value: number): void {
    const s = this.seg(addr, 8);
    if (s === undefined) return;
    const off = this.segOff;
    // Split without `%`: a floating-point modulo above 2^32 is a slow library call in V8.
    const hi = Math.floor(value / SEGMENT_SPAN);
    s.view.setUint32(off, value - hi * SEGMENT_SPAN, true);
    s.view.setUint32(off + 4, hi, true);
  }
  copyFromBus(addr: number, dst: Uint8Array, dstOff: number, len: number): boolean {
    const s = this.seg(addr, len);
    if (s === undefined) return false;
    copyBytes(dst, dstOff, s.u8, this.segOff, len);
    return true;
  }
  copyToBus(addr: number, src: Uint8Array, srcOff: number, len: number): boolean {
    const s = this.seg(addr, len);
    if (s === undefined) return false;
    copyBytes(s.u8, this.segOff, src, srcOff, len);
    return true;
  }
}
