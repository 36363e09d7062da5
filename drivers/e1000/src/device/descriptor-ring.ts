/**
 * A descriptor ring as the 8254x sees it: base address (RDBAL/RDBAH or TDBAL/TDBAH), length in descriptors
 * (RDLEN/TDLEN), and the DMA map that resolves the base to host memory once per register write
 * (`bus_dmamap_load`), so the receive and transmit units read and write descriptors straight in the arena.
 * One class for both units: they differ in what a descriptor means, not in where the ring is.
 *
 * @module
 */
import type { DmaAccess, DmaMap } from '@ifnet/core';
import { DESC_SIZE } from '../regs.js';

/** Largest ring the length registers can describe (RDLEN/TDLEN bits 19:7, 128-byte units). */
export const MAX_RING_BYTES = 0x000f_ff80;

export class DescriptorRing {
  /** Ring length in descriptors (0: not programmed). */
  size = 0;
  /** Base address halves as programmed. */
  private lo = 0;
  private hi = 0;
  private map: DmaMap | null = null;
  /** The map is loaded: {@link arena} and {@link off} locate descriptor 0. An unmapped ring moves nothing. */
  ok = false;
  arena: Uint8Array = new Uint8Array(0);
  /**
   * A DataView of {@link arena}'s whole buffer: descriptors are read and written back as little-endian
   * 32-bit words (two loads for the address, two stores for the write-back) instead of byte by byte.
   * Made when the map is loaded onto a new buffer (a register write), never per frame.
   */
  view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  off = 0;

  constructor(private readonly name: string) {}

  /** The bus: the ring's map is created once (`bus_dmamap_create`). */
  connect(dma: DmaAccess): void {
    this.map = dma.createMap(this.name, MAX_RING_BYTES);
    this.load();
  }

  reset(): void {
    this.lo = this.hi = 0;
    this.size = 0;
    this.ok = false;
  }

  /** Base address registers written (the register file holds both halves). */
  setBase(lo: number, hi: number): void {
    this.lo = lo;
    this.hi = hi;
    this.load();
  }

  /** Length register written: the ring's length in descriptors. */
  setSize(n: number): void {
    this.size = n;
    this.load();
  }

  /** (Re)loads the map after base or length changed. */
  private load(): void {
    const map = this.map;
    this.ok = false;
    if (map === null || this.size === 0 || (this.hi === 0 && this.lo === 0)) return;
    if (!map.loadAddr(this.hi, this.lo, this.size * DESC_SIZE)) return;
    const arena = map.segArena[0];
    if (arena !== this.arena) {
      this.arena = arena;
      this.view = new DataView(arena.buffer);
    }
    this.off = map.segOff[0];
    this.ok = true;
  }
}
