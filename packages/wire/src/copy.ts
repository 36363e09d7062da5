/**
 * Copies `src[srcOff .. srcOff+len)` into `dst[dstOff ..]` without allocating.
 *
 * `TypedArray.prototype.set` is a memcpy but takes a whole array as its source; copying a range of it
 * would need a `subarray` view, one small heap object per frame, which is exactly what a link that runs
 * millions of frames must not create. So: `set` when the source is the whole array (traffic sources hand
 * out exact-length views), `copyWithin` when both are views of the same buffer, a plain loop otherwise.
 *
 * @internal
 */
export function copyFrame(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (srcOff === 0 && len === src.length) {
    dst.set(src, dstOff);
    return;
  }
  if (src.buffer === dst.buffer) {
    const s = src.byteOffset + srcOff - dst.byteOffset;
    if (s >= 0 && s + len <= dst.length) {
      dst.copyWithin(dstOff, s, s + len);
      return;
    }
  }
  for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
}
