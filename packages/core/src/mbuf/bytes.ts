/**
 * Byte copies for the mbuf layer: {@link copyBytes} (core's one allocation-free memcpy, shared with the
 * DMA code) and the mbuf-to-mbuf copy below. Internal to the mbuf module.
 *
 * @module
 */
import { copyBytes } from '../lib/copy-bytes.js';
import type { Mbuf } from './mbuf.js';

export { copyBytes };

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
