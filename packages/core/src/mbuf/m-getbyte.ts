/**
 * Reading packet fields across mbuf boundaries without copying or pulling up (the spirit of
 * `m_copydata` for one field). A header that straddles two mbufs is read byte by byte; a field inside one
 * mbuf is read through its pre-built `view`. Multi-byte reads are big-endian (network byte order).
 *
 * An offset beyond the chain, or one that is not a non-negative integer, is a caller bug (the caller has
 * `pkthdr.len` to check against) and throws RangeError.
 *
 * @module
 */
import { checkCount } from './m-check.js';
import type { Mbuf } from './mbuf.js';

function outOfRange(fn: string, off: number, width: number): never {
  throw new RangeError(`${fn}: ${width} byte(s) at offset ${off} are beyond the end of the chain`);
}

/** m_getByte (an `m_copydata` of one byte): the byte at packet offset `off`. */
export function m_getByte(m: Mbuf, off: number): number {
  checkCount('m_getByte', 'offset', off);
  let cur: Mbuf | null = m;
  let o = off;
  while (cur !== null) {
    if (o < cur.len) return cur.buf[cur.off + o];
    o -= cur.len;
    cur = cur.next;
  }
  return outOfRange('m_getByte', off, 1);
}

/** The big-endian 16-bit value at packet offset `off` (a header field, say), across mbufs if needed. */
export function m_getUint16(m: Mbuf, off: number): number {
  checkCount('m_getUint16', 'offset', off);
  let cur: Mbuf | null = m;
  let o = off;
  while (cur !== null && o >= cur.len) {
    o -= cur.len;
    cur = cur.next;
  }
  if (cur === null) return outOfRange('m_getUint16', off, 2);
  if (o + 2 <= cur.len) return cur.view.getUint16(cur.off + o);
  return (m_getByte(m, off) << 8) | m_getByte(m, off + 1);
}

/** The big-endian unsigned 32-bit value at packet offset `off`, across mbufs if needed. */
export function m_getUint32(m: Mbuf, off: number): number {
  checkCount('m_getUint32', 'offset', off);
  let cur: Mbuf | null = m;
  let o = off;
  while (cur !== null && o >= cur.len) {
    o -= cur.len;
    cur = cur.next;
  }
  if (cur === null) return outOfRange('m_getUint32', off, 4);
  if (o + 4 <= cur.len) return cur.view.getUint32(cur.off + o);
  return (
    ((m_getByte(m, off) << 24) |
      (m_getByte(m, off + 1) << 16) |
      (m_getByte(m, off + 2) << 8) |
      m_getByte(m, off + 3)) >>>
    0
  );
}
