/**
 * m_pullup: make the first `len` bytes of a packet contiguous in its first mbuf, so a protocol can read
 * a header through `m.buf`/`m.view` at `m.off` without caring where the chain is split.
 *
 * Protocols call it before parsing: `m = m_pullup(m, IP_HDR_LEN); if (m === null) { drop; return; }`.
 *
 * @module
 */
import { copyMbufBytes } from './bytes.js';
import { checkCount, checkLive } from './m-check.js';
import { m_freem } from './m-free.js';
import { m_length } from './m-length.js';
import type { Mbuf } from './mbuf.js';

/**
 * m_pullup: returns the packet with at least `len` bytes in its first mbuf, or `null`.
 *
 * Ownership, as in BSD: **on failure the chain has been freed** and the caller must forget it. Failure
 * means the packet is shorter than `len` (a truncated header: bad input), `len` exceeds a cluster
 * (`mclbytes`), or a cluster was needed and none was free. On success always use the returned mbuf (here
 * it is `m` itself: the first mbuf is compacted, or given a cluster, in place).
 *
 * Bytes pulled into the first mbuf are removed from the following ones; emptied mbufs are freed.
 * `pkthdr.len` does not change. A `len` that is not a non-negative integer throws RangeError; a freed `m`
 * throws MbufError (`'use-after-free'`).
 */
export function m_pullup(m: Mbuf, len: number): Mbuf | null {
  checkCount('m_pullup', 'length', len);
  checkLive('m_pullup', m);
  if (m.len >= len) return m;
  const pool = m.pool;
  if (len > pool.mclbytes || len > m_length(m)) {
    m_freem(m);
    return null;
  }
  if (m.capacity < len && !pool.allocCluster(m, 'm_pullup')) {
    m_freem(m);
    return null;
  }
  if (m.off + len > m.capacity) {
    // Not enough room after the data: slide it to the start of the storage.
    copyMbufBytes(m, 0, m, m.off, m.len);
    m.off = 0;
  }
  let need = len - m.len;
  let n = m.next;
  while (need > 0 && n !== null) {
    const k = Math.min(n.len, need);
    copyMbufBytes(m, m.off + m.len, n, n.off, k);
    m.len += k;
    n.off += k;
    n.len -= k;
    need -= k;
    if (n.len === 0) {
      n = n.pool.free(n);
      m.next = n;
    }
  }
  return m;
}
