/**
 * M_PREPEND / m_prepend: make room for `len` bytes in front of a packet (the output path adding a link,
 * IP or UDP header).
 *
 * @module
 */
import { M_COPYFLAGS, M_PKTHDR } from './flags.js';
import { checkCount, checkLive } from './m-check.js';
import { m_freem } from './m-free.js';
import type { Mbuf } from './mbuf.js';

/**
 * M_PREPEND: returns the packet with `len` more bytes at its head; the new bytes are **uninitialised**
 * (write the header into them). Uses the first mbuf's leading space when there is enough (no allocation,
 * returns `m`); otherwise a new mbuf (with a cluster if `len > msize`) is put in front, the packet header
 * moves to it (M_MOVE_PKTHDR) and its data is placed at the end of its storage, leaving leading space for
 * the next header. **Always continue with the returned mbuf**, which may not be `m`.
 *
 * Ownership, as in BSD: **on failure (pool exhausted, or `len > mclbytes`) the chain has been freed** and
 * `null` is returned. `pkthdr.len` grows by `len`. A `len` that is not a non-negative integer throws
 * RangeError; a freed `m` throws MbufError (`'use-after-free'`).
 */
export function m_prepend(m: Mbuf, len: number): Mbuf | null {
  checkCount('m_prepend', 'length', len);
  checkLive('m_prepend', m);
  if (len <= m.off) {
    m.off -= len;
    m.len += len;
    if ((m.flags & M_PKTHDR) !== 0) m.pkthdr.len += len;
    return m;
  }
  return prependMbuf(m, len);
}

/**
 * {@link m_prepend} without leading space: a new mbuf in front. Out of line so that the common case
 * above stays small enough for V8 to inline into each output layer (`ip_output` and `ether_output` each
 * prepend a header per packet; the whole function was 347 bytes of bytecode, which used up much of the
 * inlining budget of the functions calling it).
 */
function prependMbuf(m: Mbuf, len: number): Mbuf | null {
  const hdr = (m.flags & M_PKTHDR) !== 0;
  const pool = m.pool;
  if (len > pool.mclbytes) {
    m_freem(m);
    return null;
  }
  const n = pool.allocMbuf('m_prepend', false);
  if (n === null) {
    m_freem(m);
    return null;
  }
  if (len > pool.msize && !pool.allocCluster(n, 'm_prepend')) {
    pool.free(n);
    m_freem(m);
    return null;
  }
  if (hdr) {
    // M_MOVE_PKTHDR: the packet header and packet-level flags move to the new first mbuf.
    n.flags |= m.flags & M_COPYFLAGS;
    n.pkthdr.copyFrom(m.pkthdr);
    n.pkthdr.len += len;
    m.flags &= ~M_COPYFLAGS;
    m.pkthdr.rcvif = null;
  }
  n.off = n.capacity - len;
  n.len = len;
  n.next = m;
  return n;
}
