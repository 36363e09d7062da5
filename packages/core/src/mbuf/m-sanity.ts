/**
 * m_sanity: check a chain against the invariants of {@link Mbuf} (FreeBSD's m_sanity, NetBSD's
 * m_verify_packet). For tests, assertions in drivers under development and the conformance kit; it walks
 * the whole chain, so keep it off hot paths.
 *
 * @module
 */
import { M_EXT, M_PKTHDR } from './flags.js';
import type { Mbuf } from './mbuf.js';

/** m_sanity: `null` when the chain is sound, else a description of the first problem found. */
export function m_sanity(m: Mbuf): string | null {
  let total = 0;
  let steps = 0;
  for (let x: Mbuf | null = m; x !== null; x = x.next) {
    const where = `mbuf #${x.index} (position ${steps} in chain)`;
    if (x.isFree) return `${where} is on its pool's free list`;
    if (steps > 0 && (x.flags & M_PKTHDR) !== 0) return `${where} has M_PKTHDR but is not first`;
    if (!Number.isInteger(x.off) || !Number.isInteger(x.len) || x.off < 0 || x.len < 0) {
      return `${where} has off=${x.off} len=${x.len}`;
    }
    if (x.off + x.len > x.capacity) return `${where}: off ${x.off} + len ${x.len} > capacity ${x.capacity}`;
    if (x.buf.length !== x.capacity) return `${where}: buf length ${x.buf.length} !== capacity ${x.capacity}`;
    if (((x.flags & M_EXT) !== 0) !== x.cluster >= 0) return `${where}: M_EXT flag disagrees with its storage`;
    total += x.len;
    if (++steps > x.pool.stats.mbufs.size + 1) return `chain is longer than its pool: a cycle`;
  }
  if ((m.flags & M_PKTHDR) !== 0 && m.pkthdr.len !== total) {
    return `pkthdr.len ${m.pkthdr.len} !== sum of m_len ${total}`;
  }
  return null;
}
