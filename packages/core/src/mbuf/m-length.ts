/**
 * m_length: number of data bytes in a chain, by walking it. For a packet this equals `m.pkthdr.len`
 * (the chain invariant); use it to check that invariant or on chains without a packet header.
 *
 * @module
 */
import type { Mbuf } from './mbuf.js';

/** m_length: sum of `len` along the `next` links. `null` has length 0. */
export function m_length(m: Mbuf | null): number {
  let n = 0;
  while (m !== null) {
    n += m.len;
    m = m.next;
  }
  return n;
}
