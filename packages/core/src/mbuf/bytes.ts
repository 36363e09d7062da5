/**
 * Byte copies for the mbuf layer, chosen so that the common cases allocate nothing.
 *
 * `TypedArray.prototype.set` is a memcpy but takes a whole array as its source, so copying a *range*
 * needs a `subarray` view, a small heap object. The helpers below avoid it when they can:
 *
 * - both ranges in the same ArrayBuffer (mbuf to mbuf within one pool arena): `copyWithin` (memmove);
 * - the source range is the whole source array (`m_devget` of a frame array): `set` directly;
 * - short ranges (a header field): a byte loop;
 * - otherwise `set(subarray(...))`, which allocates one short-lived view per call.
 *
 * Internal to the mbuf module.
 *
 * @module
 */
import type { Mbuf } from './mbuf.js';

/** Below this length a byte loop beats creating a subarray view (measured on V8: crossover near 24). */
const LOOP_MAX = 16;

/** Copies `src[srcOff .. srcOff+len)` to `dst[dstOff ..]`. Overlapping ranges in one buffer are handled. */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (len <= 0) return;
  if (src.buffer === dst.buffer) {
    const s = src.byteOffset + srcOff - dst.byteOffset;
    if (s >= 0 && s + len <= dst.length) {
      dst.copyWithin(dstOff, s, s + len);
      return;
    }
  }
  if (srcOff === 0 && len === src.length) {
    dst.set(src, dstOff);
    return;
  }
  if (len <= LOOP_MAX) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
    return;
  }
  dst.set(src.subarray(srcOff, srcOff + len), dstOff);
}

/**
 * Copies `len` bytes from `src.buf[srcIdx ..]` to `dst.buf[dstIdx ..]` (indices in each mbuf's `buf`).
 * Within one pool this is a memmove inside the arena and allocates nothing.
 */
export function copyMbufBytes(dst: Mbuf, dstIdx: number, src: Mbuf, srcIdx: number, len: number): void {
  if (len <= 0) return;
  if (dst.pool === src.pool) {
    const from = src.base + srcIdx;
    dst.pool.arenaU8.copyWithin(dst.base + dstIdx, from, from + len);
  } else {
    copyBytes(dst.buf, dstIdx, src.buf, srcIdx, len);
  }
}
