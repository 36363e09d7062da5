/**
 * m_free / m_freem as functions, for code that holds a packet but not its pool (protocol layers): each
 * mbuf goes back to the pool it came from ({@link Mbuf.pool}), so a chain built from several pools (after
 * `m_cat` of packets from two CPUs' pools, say) is freed correctly.
 *
 * @module
 */
import type { Mbuf } from './mbuf.js';

/** m_free: free one mbuf to its pool; returns `m.next`, now owned by the caller. */
export function m_free(m: Mbuf): Mbuf | null {
  return m.pool.free(m);
}

/** m_freem: free a whole chain (`next` links; `nextpkt` is not followed). `null` is ignored, as in FreeBSD. */
export function m_freem(m: Mbuf | null): void {
  while (m !== null) m = m.pool.free(m);
}
