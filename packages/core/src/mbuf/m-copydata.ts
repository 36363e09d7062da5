/**
 * m_copydata: copy bytes out of a packet into a flat array (to parse a header that may straddle mbufs,
 * or to hand a payload to an application).
 *
 * @module
 */
import { copyBytes } from './bytes.js';
import { checkCount, checkLive } from './m-check.js';
import { m_length } from './m-length.js';
import type { Mbuf } from './mbuf.js';

/**
 * m_copydata: copies packet bytes `[off, off + len)` into `dst[dstOff ..]`. The chain is not changed.
 *
 * A range beyond the chain, or beyond `dst`, throws RangeError: it is a caller bug (check `pkthdr.len`
 * first), as BSD's KASSERT says; so does an offset or length that is not a non-negative integer. Copies of up to 16 bytes per mbuf allocate nothing; longer ones create
 * one short-lived view per mbuf (unless `dst` is an mbuf's `buf` of the same pool, which is a memmove).
 */
export function m_copydata(m: Mbuf, off: number, len: number, dst: Uint8Array, dstOff: number): void {
  checkCount('m_copydata', 'offset', off);
  checkCount('m_copydata', 'length', len);
  checkCount('m_copydata', 'destination offset', dstOff);
  checkLive('m_copydata', m);
  if (dstOff + len > dst.length) {
    throw new RangeError(`m_copydata: bad range off=${off} len=${len} into ${dst.length} bytes at ${dstOff}`);
  }
  let cur: Mbuf | null = m;
  let o = off;
  while (cur !== null && o > cur.len) {
    o -= cur.len;
    cur = cur.next;
  }
  while (len > 0) {
    if (cur === null) {
      throw new RangeError(`m_copydata: range ${off}+${len} beyond the chain (${m_length(m)} bytes)`);
    }
    if (o >= cur.len) {
      o -= cur.len;
      cur = cur.next;
      continue;
    }
    const k = Math.min(cur.len - o, len);
    copyBytes(dst, dstOff, cur.buf, cur.off + o, k);
    dstOff += k;
    len -= k;
    o = 0;
    cur = cur.next;
  }
  if (cur === null && o > 0) {
    throw new RangeError(`m_copydata: offset ${off} beyond the chain (${m_length(m)} bytes)`);
  }
}
