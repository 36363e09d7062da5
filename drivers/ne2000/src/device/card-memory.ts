/**
 * The NE2000's card memory and the DP8390's remote DMA channel: the only way the host reaches the card's
 * memory. The station PROM sits at card address 0 (16 bytes, each presented twice), the packet RAM from
 * 0x4000 (16 or 32 KiB); anything else reads all ones and ignores writes.
 *
 * A remote read or write starts at RSAR with RBCR bytes to go; each data-port access moves a byte or a
 * word, the address advancing and wrapping from PSTOP to PSTART inside the receive ring (as the part
 * does), the count going down; at zero the channel completes (the device raises ISR.RDC). String accesses
 * move whole ranges at once, through core's allocation-free `copyBytes` where no wrap is on the way.
 *
 * @module
 */
import { copyBytes } from '@ifnet/core';
import { DP_PAGE_SIZE, NE_PROM_SIGNATURE, NE_PROM_SIZE, NE_RAM_START_PAGE } from '../regs.js';
import type { Ne2000DeviceStats } from './ne2000-stats.js';

/** Card address space: 16-bit addresses. */
const CARD_SPACE = 0x10000;
/** Remote DMA state. */
const RDMA_IDLE = 0;
const RDMA_READ = 1;
const RDMA_WRITE = 2;

export class CardMemory {
  /** Card memory, indexed by card address. */
  readonly mem = new Uint8Array(CARD_SPACE);
  /** The receive ring's bounds in pages (PSTART, PSTOP), kept by the device's registers. */
  pstart = 0;
  pstop = 0;
  /** Current remote DMA address (CRDA). */
  crda = 0;
  private state = RDMA_IDLE;
  private remaining = 0;

  constructor(
    mac: Uint8Array,
    /** First page after the packet RAM. */
    readonly ramEndPage: number,
    private readonly stats: Ne2000DeviceStats,
    /** Called when a remote read or write completes (RBCR reached zero). */
    private readonly onComplete: () => void,
  ) {
    const prom = new Uint8Array(16);
    prom.set(mac, 0);
    prom[14] = NE_PROM_SIGNATURE;
    prom[15] = NE_PROM_SIGNATURE;
    for (let i = 0; i < NE_PROM_SIZE; i++) this.mem[i] = prom[i >> 1];
  }

  /** Starts a remote read (or write) of `count` bytes at card address `addr`; zero completes at once. */
  start(write: boolean, addr: number, count: number): void {
    this.state = write ? RDMA_WRITE : RDMA_READ;
    this.crda = addr;
    this.remaining = count;
    if (count === 0) this.complete();
  }

  /** Abort / complete remote DMA (CR.RD2), and reset. */
  abort(): void {
    this.state = RDMA_IDLE;
    this.remaining = 0;
  }

  /** Bytes left in the remote transfer under way (0 when idle). */
  get bytesLeft(): number {
    return this.state === RDMA_IDLE ? 0 : this.remaining;
  }

  /** Card memory read: PROM and RAM exist; anything else reads all ones (nothing decodes it). */
  memRead(a: number): number {
    return a < NE_PROM_SIZE || (a >= NE_RAM_START_PAGE * DP_PAGE_SIZE && a < this.ramEndPage * DP_PAGE_SIZE)
      ? this.mem[a]
      : 0xff;
  }

  memWrite(a: number, v: number): void {
    if (a >= NE_RAM_START_PAGE * DP_PAGE_SIZE && a < this.ramEndPage * DP_PAGE_SIZE) this.mem[a] = v;
  }

  /** Advances the remote address, wrapping from PSTOP to PSTART as the part does inside the ring. */
  private nextAddr(a: number): number {
    const n = (a + 1) & 0xffff;
    return n === this.pstop * DP_PAGE_SIZE && this.pstop > this.pstart ? this.pstart * DP_PAGE_SIZE : n;
  }

  /** Whether card addresses [a, end) are all RAM and the remote DMA will not wrap at PSTOP on the way. */
  private linear(a: number, end: number): boolean {
    return (
      a >= NE_RAM_START_PAGE * DP_PAGE_SIZE && end <= this.ramEndPage * DP_PAGE_SIZE && end < this.pstop * DP_PAGE_SIZE
    );
  }

  private complete(): void {
    this.state = RDMA_IDLE;
    this.onComplete();
  }

  /** One data-port read of `width` bytes (`wordMode`: DCR.WTS). */
  dataRead(width: 1 | 2, wordMode: boolean): number {
    if ((width === 2) !== wordMode) this.stats.dataWidthMismatch++;
    if (this.state !== RDMA_READ) {
      this.stats.dataIdle++;
      return width === 2 ? 0xffff : 0xff;
    }
    let v = this.memRead(this.crda);
    this.crda = this.nextAddr(this.crda);
    let moved = 1;
    if (width === 2 && this.remaining > 1) {
      v |= this.memRead(this.crda) << 8;
      this.crda = this.nextAddr(this.crda);
      moved = 2;
    }
    this.remaining -= moved;
    if (this.remaining <= 0) this.complete();
    return v;
  }

  /** One data-port write of `width` bytes. */
  dataWrite(v: number, width: 1 | 2, wordMode: boolean): void {
    if ((width === 2) !== wordMode) this.stats.dataWidthMismatch++;
    if (this.state !== RDMA_WRITE) {
      this.stats.dataIdle++;
      return;
    }
    this.memWrite(this.crda, v & 0xff);
    this.crda = this.nextAddr(this.crda);
    let moved = 1;
    if (width === 2 && this.remaining > 1) {
      this.memWrite(this.crda, v >>> 8);
      this.crda = this.nextAddr(this.crda);
      moved = 2;
    }
    this.remaining -= moved;
    if (this.remaining <= 0) this.complete();
  }

  /** A string read of `bytes` bytes: as many single accesses would, without the per-access overhead. */
  copyOut(dst: Uint8Array, dstOff: number, bytes: number): void {
    if (this.state !== RDMA_READ) {
      this.stats.dataIdle++;
      dst.fill(0xff, dstOff, dstOff + bytes);
      return;
    }
    const n = Math.min(bytes, this.remaining);
    let a = this.crda;
    const end = a + n;
    if (this.linear(a, end)) {
      // Fast path: all in RAM, no ring wrap on the way.
      copyBytes(dst, dstOff, this.mem, a, n);
      a = end;
    } else {
      for (let i = 0; i < n; i++) {
        dst[dstOff + i] = this.memRead(a);
        a = this.nextAddr(a);
      }
    }
    this.crda = a;
    if (n < bytes) dst.fill(0xff, dstOff + n, dstOff + bytes);
    this.remaining -= n;
    if (this.remaining <= 0) this.complete();
  }

  copyIn(src: Uint8Array, srcOff: number, bytes: number): void {
    if (this.state !== RDMA_WRITE) {
      this.stats.dataIdle++;
      return;
    }
    const n = Math.min(bytes, this.remaining);
    let a = this.crda;
    const end = a + n;
    if (this.linear(a, end)) {
      copyBytes(this.mem, a, src, srcOff, n);
      a = end;
    } else {
      for (let i = 0; i < n; i++) {
        this.memWrite(a, src[srcOff + i]);
        a = this.nextAddr(a);
      }
    }
    this.crda = a;
    this.remaining -= n;
    if (this.remaining <= 0) this.complete();
  }
}
