import type { Ifnet } from '@ifnet/core';

/**
 * An interface's own unicast address as two integers — its first four bytes and its last two — so that
 * the destination filter of `ether_input` compares a frame's destination with two integer compares, not
 * six pairs of byte loads (`macEqual`: about 3 ns a frame on Node 20, a tenth of Ethernet input). BSD's
 * `ether_input` compares `IF_LLADDR(ifp)` bytewise; this is the same test, precomputed.
 *
 * Output writes the same words as the frame's source address ({@link OwnAddress.writeSource}).
 *
 * The words are recomputed when `ifp.lladdr` is a different array from the one they were computed from:
 * `Ifnet.setLinkAddress` installs a new array for a new address (an address is never changed in place,
 * which nothing in the workspace does).
 */
export class OwnAddress {
  /** The `ifp.lladdr` array {@link hi} and {@link lo} were computed from (null: not yet). */
  private from: Uint8Array | null = null;
  /**
   * Bytes 0–3 of the address (big-endian, as a signed 32-bit integer) and bytes 4–5 (-1: not a 6-byte
   * address). Two integer fields rather than an `Int32Array(2)`: each typed-array element load compiles to
   * a detached-buffer test and a bounds check besides the load, twice per received frame.
   */
  private hi = 0;
  private lo = -1;

  /**
   * Whether an address is `ifp`'s own, given as its first four bytes in a big-endian int32 (`hi`) and its
   * last two as a 16-bit number (`lo`): Ethernet input reads the header as words once and compares those.
   */
  matchesWords(ifp: Ifnet, hi: number, lo: number): boolean {
    if (this.from !== ifp.lladdr) this.load(ifp.lladdr);
    return hi === this.hi && lo === this.lo;
  }

  /**
   * Writes the last two bytes of a frame's destination (`dstTail`, big-endian) and then `ifp`'s own address
   * as the source: the 8 bytes at `off` in `view` (an mbuf's `view`, `off` = destination + 4), as two 32-bit
   * stores of the precomputed words — `ether_output`'s header is then four stores (destination, these two,
   * type) instead of fourteen byte copies. An address of another length (never an Ethernet interface's) is
   * written byte by byte, as many bytes as it has.
   */
  writeSource(ifp: Ifnet, view: DataView, off: number, dstTail: number): void {
    if (this.from !== ifp.lladdr) this.load(ifp.lladdr);
    const lo = this.lo;
    if (lo < 0) {
      const a = ifp.lladdr;
      view.setUint16(off, dstTail);
      for (let i = 0; i < 6; i++) view.setUint8(off + 2 + i, i < a.length ? a[i] : 0);
      return;
    }
    const hi = this.hi;
    view.setInt32(off, (dstTail << 16) | (hi >>> 16));
    view.setInt32(off + 4, (hi << 16) | lo);
  }

  private load(a: Uint8Array): void {
    this.from = a;
    // An address of another length (never an Ethernet interface's) matches nothing: -1 is no 16-bit value.
    if (a.length !== 6) {
      this.lo = -1;
      return;
    }
    this.hi = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
    this.lo = (a[4] << 8) | a[5];
  }
}
