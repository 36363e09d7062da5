/**
 * The Internet checksum's ones'-complement sum (RFC 1071) of a byte range, in JavaScript: the definition
 * {@link OnesSumEngine} computes, and its fallback where WebAssembly SIMD is unavailable or a range cannot
 * be copied into the engine without allocating.
 *
 * The form is the one a device model that loads little-endian words works in (RFC 1071 §2(B), "byte order
 * independence"): the sum of the *little-endian* 16-bit words of the range — each the big-endian word
 * with its bytes swapped — an odd last byte alone as a low byte, folded to 16 bits. The ones'-complement
 * sum of swapped words is the swapped sum, so a caller adds its other terms (a pseudo-header) swapped too
 * and folds once; a correct checksum folds to 0xFFFF, which reads the same both ways. Folded means the
 * unique value of 1..0xFFFF congruent to the sum modulo 0xFFFF, or 0 when every byte is 0: so every way
 * of adding the same bytes gives the same number, whatever its word size or order.
 *
 * @module
 */

/**
 * Folds a ones'-complement sum below 2^32 to 16 bits (end-around carry): 1..0xFFFF, or 0 for 0.
 */
export function onesFold(s: number): number {
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

/** Bytes per chunk of {@link onesSum}: 8,192 words of at most 0xFFFF add up to less than 2^29 (a V8 Smi). */
const CHUNK = 16384;

/**
 * The folded sum of the little-endian 16-bit words of `src[off, off+len)` (see the module comment). Bytes
 * outside `src` read as 0. Byte loads, eight bytes a round: simple and correct for any array and
 * alignment; a caller that keeps aligned word views of its buffer can do better (the e1000 model does).
 */
export function onesSum(src: Uint8Array, off: number, len: number): number {
  let total = 0;
  let i = off;
  const end = off + len; // a negative length sums nothing
  while (i < end) {
    const stop = end - i > CHUNK ? i + CHUNK : end;
    let s = 0;
    const stop8 = i + ((stop - i) & ~7);
    for (; i < stop8; i += 8) {
      s +=
        (src[i] | (src[i + 1] << 8)) +
        (src[i + 2] | (src[i + 3] << 8)) +
        (src[i + 4] | (src[i + 5] << 8)) +
        (src[i + 6] | (src[i + 7] << 8));
    }
    for (; i + 2 <= stop; i += 2) s += src[i] | (src[i + 1] << 8);
    // An odd last byte (chunks are even-sized, so only at the very end): the low byte of its word.
    if (i < stop) s += src[i++] | 0;
    total = onesFold(total + s);
  }
  return total;
}
