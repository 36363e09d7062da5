/**
 * m_copyback: write bytes into a packet at an offset, growing the chain when the write runs past its end
 * (building a packet piece by piece, patching a checksum field, filling a reply).
 *
 * @module
 */
import { copyBytes } from './bytes.js';
import { M_PKTHDR } from './flags.js';
import { checkCount, checkLive } from './m-check.js';
import type { Mbuf } from './mbuf.js';

/**
 * m_copyback: copies `src[srcOff .. srcOff+len)` over packet bytes `[off, off + len)`.
 *
 * If `off + len` is past the end of the chain, the chain grows: first into the last mbuf's trailing
 * space, then with new mbufs from `m.pool` (clusters for big remainders). If `off` itself is past the end,
 * the gap is zero-filled (as BSD does). `pkthdr.len` is updated.
 *
 * Returns `false` when the pool cannot supply the mbufs needed; the chain is then **unchanged** (every
 * allocation happens before anything is written) and still owned by the caller. Offsets and lengths that
 * are not non-negative integers, or a source range outside `src`, are caller bugs and throw RangeError; a
 * freed `m` throws MbufError (`'use-after-free'`).
 */
export function m_copyback(m: Mbuf, off: number, len: number, src: Uint8Array, srcOff: number): boolean {
  checkCount('m_copyback', 'offset', off);
  checkCount('m_copyback', 'length', len);
  checkCount('m_copyback', 'source offset', srcOff);
  checkLive('m_copyback', m);
  if (srcOff + len > src.length) {
    throw new RangeError(`m_copyback: bad range off=${off} len=${len} from ${src.length} bytes at ${srcOff}`);
  }
  let total = 0;
  let last = m;
  for (let x: Mbuf | null = m; x !== null; x = x.next) {
    total += x.len;
    last = x;
  }
  const end = off + len;
  if (end > total) {
    const extra = end - total;
    const room = last.trailingSpace();
    // Allocate everything first so that failure leaves the chain untouched.
    let added: Mbuf | null = null;
    let addedTail: Mbuf | null = null;
    let need = extra - room;
    const pool = m.pool;
    while (need > 0) {
      const n = pool.allocMbuf('m_copyback', false);
      if (n === null || (need > pool.msize && !pool.allocCluster(n, 'm_copyback'))) {
        if (n !== null) pool.free(n);
        pool.freem(added);
        return false;
      }
      if (addedTail === null) added = n;
      else addedTail.next = n;
      addedTail = n;
      need -= n.capacity;
    }
    let grow = extra;
    const inLast = Math.min(room, grow);
    last.len += inLast;
    grow -= inLast;
    for (let n = added; n !== null; n = n.next) {
      n.len = Math.min(n.capacity, grow);
      grow -= n.len;
    }
    last.next = added;
    if ((m.flags & M_PKTHDR) !== 0) m.pkthdr.len += extra;
    if (off > total) zeroFill(m, total, off - total);
  }
  // Write the bytes.
  let cur: Mbuf | null = m;
  let o = off;
  let rem = len;
  let s = srcOff;
  while (rem > 0 && cur !== null) {
    if (o >= cur.len) {
      o -= cur.len;
      cur = cur.next;
      continue;
    }
    const k = Math.min(cur.len - o, rem);
    copyBytes(cur.buf, cur.off + o, src, s, k);
    s += k;
    rem -= k;
    o = 0;
    cur = cur.next;
  }
  return true;
}

/** Zeroes packet bytes `[off, off + len)` (the gap a copyback past the end leaves). */
function zeroFill(m: Mbuf, off: number, len: number): void {
  let cur: Mbuf | null = m;
  let o = off;
  while (len > 0 && cur !== null) {
    if (o >= cur.len) {
      o -= cur.len;
      cur = cur.next;
      continue;
    }
    const k = Math.min(cur.len - o, len);
    cur.buf.fill(0, cur.off + o, cur.off + o + k);
    len -= k;
    o = 0;
    cur = cur.next;
  }
}
