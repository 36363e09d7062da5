/**
 * m_split: cut a packet in two (IP fragmentation, TCP segmentation, separating a record).
 *
 * @module
 */
import { copyMbufBytes } from './bytes.js';
import { M_COPYFLAGS, M_PKTHDR } from './flags.js';
import { checkCount, checkLive } from './m-check.js';
import type { Mbuf } from './mbuf.js';

/**
 * m_split: `m` keeps the first `len` bytes; the rest is returned as a new chain, with a packet header
 * (a copy of `m`'s, with the right `len`) when `m` has one. Both chains satisfy the chain invariant.
 *
 * - Split inside an mbuf: the bytes after the split point are copied into a new mbuf (a cluster if more
 *   than `msize`); later mbufs are moved, not copied.
 * - Split on an mbuf boundary: the next mbuf simply becomes the head of the tail packet (its pre-built
 *   packet header is used), so nothing is allocated.
 * - `len === m_length(m)`: the tail is a new empty packet (`pkthdr.len === 0`), as in BSD.
 *
 * Returns `null` and leaves `m` **unchanged** (still owned by the caller) when the pool is exhausted,
 * and, as BSD does, when `len` is beyond the end of the chain. A `len` that is not a non-negative integer
 * throws RangeError; a freed `m` throws MbufError (`'use-after-free'`).
 */
export function m_split(m: Mbuf, len: number): Mbuf | null {
  checkCount('m_split', 'length', len);
  checkLive('m_split', m);
  let cur: Mbuf | null = m;
  let rem = len;
  while (cur !== null && rem > cur.len) {
    rem -= cur.len;
    cur = cur.next;
  }
  if (cur === null) return null;
  const hdr = (m.flags & M_PKTHDR) !== 0;
  const pool = m.pool;
  const remain = cur.len - rem;
  let n: Mbuf;
  if (remain === 0 && cur.next !== null) {
    n = cur.next;
    cur.next = null;
  } else {
    const fresh = pool.allocMbuf('m_split', false);
    if (fresh === null) return null;
    if (remain > pool.msize && !pool.allocCluster(fresh, 'm_split')) {
      pool.free(fresh);
      return null;
    }
    n = fresh;
    copyMbufBytes(n, 0, cur, cur.off + rem, remain);
    n.off = 0;
    n.len = remain;
    n.next = cur.next;
    cur.next = null;
    cur.len = rem;
  }
  if (hdr) {
    n.flags |= m.flags & M_COPYFLAGS;
    n.pkthdr.copyFrom(m.pkthdr);
    n.pkthdr.len = m.pkthdr.len - len;
    m.pkthdr.len = len;
  }
  return n;
}
