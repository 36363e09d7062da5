/**
 * mtod ("mbuf to data"): the first mbuf's data as a `Uint8Array`.
 *
 * In C, `mtod(m, T)` is a pointer cast and costs nothing. Here it creates a `subarray` view, a small heap
 * object, per call. That is fine for tests, setup code and slow paths; hot paths (drivers, per-packet
 * protocol code) index `m.buf` at `m.off` or use `m.view` directly and allocate nothing.
 *
 * @module
 */
import type { Mbuf } from './mbuf.js';

/** mtod: a view of `m.buf[m.off .. m.off + m.len)` (first mbuf only; allocates the view). */
export function mtod(m: Mbuf): Uint8Array {
  return m.buf.subarray(m.off, m.off + m.len);
}
