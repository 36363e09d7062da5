/**
 * Remote DMA: how the host reads and writes NE2000 card memory, through the data port only (the
 * `ne2000_readmem` / `ne2000_writemem` of NetBSD's `ne2000.c`, Linux's `ne_block_input/output`).
 *
 * Read: CR = page 0 + start + abort, RBCR = count, RSAR = card address, CR = remote read + start, then
 * `count` bytes through the data port — one string read (`bus_space_read_multi_stream_2` in word mode,
 * `_1` in byte mode) — and ISR.RDC acknowledged. Write: ISR.RDC cleared first, the same set-up with remote
 * write, the string write, then ISR polled for RDC (a bounded number of reads: a card that never completes
 * is counted, not waited for forever) and acknowledged.
 *
 * In word mode the count is rounded up to even: the destination must have room for one byte more than an
 * odd length. Callers are responsible for mutual exclusion with the interrupt routine (they run at
 * `splnet` or in it), since the card has one remote-DMA channel.
 *
 * @module
 */
import type { BusSpace } from '@ifnet/core';
import {
  CR_RD_ABORT,
  CR_RD_READ,
  CR_RD_WRITE,
  CR_STA,
  DP_CR,
  DP_ISR,
  DP_RBCR0,
  DP_RBCR1,
  DP_RSAR0,
  DP_RSAR1,
  ISR_RDC,
  NE_DATA,
} from '../regs.js';

/** ISR reads before a remote write is declared stuck. */
export const RDC_POLL_LIMIT = 1000;

export class RemoteDma {
  /** Data port width: 16-bit transfers (DCR.WTS), as an NE2000 uses; false for an 8-bit NE1000. */
  wordMode = true;
  /** Remote writes whose RDC never came (the card is wedged: the caller should reset it). */
  rdcTimeouts = 0;
  /**
   * The run bit written with every remote command: CR.STA normally; CR.STP when the card must stay
   * stopped (reading the ring at `if_stop`), so a remote command never restarts it by accident.
   */
  run = CR_STA;

  constructor(private readonly regs: BusSpace) {}

  private setup(addr: number, count: number, cmd: number): void {
    const r = this.regs;
    r.write8(DP_CR, this.run | CR_RD_ABORT);
    r.write8(DP_RBCR0, count & 0xff);
    r.write8(DP_RBCR1, count >>> 8);
    r.write8(DP_RSAR0, addr & 0xff);
    r.write8(DP_RSAR1, addr >>> 8);
    r.write8(DP_CR, this.run | cmd);
  }

  /**
   * Reads `len` bytes of card memory at `addr` into `dst[off..]` (one more byte is written when `len` is
   * odd in word mode). Does not acknowledge RDC: call {@link ackRead} after the last read of a batch.
   */
  read(addr: number, dst: Uint8Array, off: number, len: number): void {
    if (len <= 0) return;
    const r = this.regs;
    if (this.wordMode) {
      const words = (len + 1) >>> 1;
      this.setup(addr, words << 1, CR_RD_READ);
      r.readMulti16(NE_DATA, dst, off, words);
    } else {
      this.setup(addr, len, CR_RD_READ);
      r.readMulti8(NE_DATA, dst, off, len);
    }
  }

  /** Acknowledges the remote-DMA completion of the reads done. */
  ackRead(): void {
    this.regs.write8(DP_ISR, ISR_RDC);
  }

  /**
   * Writes `len` bytes of `src[off..]` to card memory at `addr` (in word mode an odd length sends one more
   * byte from `src`, which must be there) and waits for RDC. Returns false when RDC never came.
   */
  write(addr: number, src: Uint8Array, off: number, len: number): boolean {
    const r = this.regs;
    r.write8(DP_ISR, ISR_RDC);
    if (this.wordMode) {
      const words = (len + 1) >>> 1;
      this.setup(addr, words << 1, CR_RD_WRITE);
      r.writeMulti16(NE_DATA, src, off, words);
    } else {
      this.setup(addr, len, CR_RD_WRITE);
      r.writeMulti8(NE_DATA, src, off, len);
    }
    for (let i = 0; i < RDC_POLL_LIMIT; i++) {
      if ((r.read8(DP_ISR) & ISR_RDC) !== 0) {
        r.write8(DP_ISR, ISR_RDC);
        return true;
      }
    }
    this.rdcTimeouts++;
    r.write8(DP_CR, this.run | CR_RD_ABORT);
    return false;
  }
}
