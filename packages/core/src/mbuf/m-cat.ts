/**
 * m_cat / m_catpkt: append one chain to another (reassembly, or gluing a payload behind headers).
 *
 * @module
 */
import { copyMbufBytes } from './bytes.js';
import { M_COPYFLAGS, M_EXT, M_PKTHDR } from './flags.js';
import { m_length } from './m-length.js';
import type { Mbuf } from './mbuf.js';

/**
 * m_cat: appends chain `n` to chain `m`; `n` is consumed (the caller no longer owns it, `m` owns its
 * data). As in BSD, small mbufs of `n` whose data fit in the trailing space of `m`'s last mbuf are copied
 * there and freed; the first one that does not fit (or has a cluster, which is not worth copying) is linked
 * with the rest of `n` as is.
 *
 * If `n` headed a packet, its header is dropped (m_demote); if `m` heads one, `m.pkthdr.len` grows by
 * the length of `n` (m_catpkt behaviour: the chain invariant holds afterwards). Never allocates.
 */
export function m_cat(m: Mbuf, n: Mbuf | null): void {
  if (n === null) return;
  const added = m_length(n);
  if ((n.flags & M_PKTHDR) !== 0) {
    n.flags &= ~M_COPYFLAGS;
    n.pkthdr.rcvif = null;
  }
  let last = m;
  while (last.next !== null) last = last.next;
  let x: Mbuf | null = n;
  while (x !== null) {
    if ((x.flags & M_EXT) !== 0 || x.len > last.trailingSpace()) {
      last.next = x;
      break;
    }
    copyMbufBytes(last, last.off + last.len, x, x.off, x.len);
    last.len += x.len;
    x = x.pool.free(x);
  }
  if ((m.flags & M_PKTHDR) !== 0) m.pkthdr.len += added;
}
