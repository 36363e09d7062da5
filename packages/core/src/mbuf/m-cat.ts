/**
 * m_cat / m_catpkt: append one chain to another (reassembly, or gluing a payload behind headers).
 *
 * @module
 */
import { copyMbufBytes } from './bytes.js';
import { M_COPYFLAGS, M_EXT, M_PKTHDR } from './flags.js';
import { MbufError } from './errors.js';
import { checkLive } from './m-check.js';
import type { Mbuf } from './mbuf.js';

/**
 * m_cat: appends chain `n` to chain `m`; `n` is consumed (the caller no longer owns it, `m` owns its
 * data). As in BSD, small mbufs of `n` whose data fit in the trailing space of `m`'s last mbuf are copied
 * there and freed; the first one that does not fit (or has a cluster, which is not worth copying) is linked
 * with the rest of `n` as is.
 *
 * If `n` headed a packet, its header is dropped (m_demote); if `m` heads one, `m.pkthdr.len` grows by
 * the length of `n` (m_catpkt behaviour: the chain invariant holds afterwards). Never allocates.
 *
 * A free mbuf in either chain throws MbufError (`'use-after-free'`); linking a chain into itself (`n` is
 * `m`, or one chain contains the other's head: `m_cat(m, m)`, `m_cat(m.next, m)`) throws MbufError
 * (`'cycle'`) before anything is changed. Both checks ride on the walks m_cat does anyway.
 */
export function m_cat(m: Mbuf, n: Mbuf | null): void {
  if (n === null) return;
  checkLive('m_cat', m);
  // A chain longer than both pools together can only be a cycle already there: stop instead of spinning.
  const limit = m.pool.stats.mbufs.size + n.pool.stats.mbufs.size;
  let steps = 0;
  let added = 0;
  for (let x: Mbuf | null = n; x !== null; x = x.next) {
    if (x === m || ++steps > limit) cycle(m, n);
    checkLive('m_cat', x);
    added += x.len;
  }
  let last = m;
  while (last.next !== null) {
    if (last === n || ++steps > limit) cycle(m, n);
    last = last.next;
  }
  if (last === n) cycle(m, n);
  if ((n.flags & M_PKTHDR) !== 0) {
    n.flags &= ~M_COPYFLAGS;
    n.pkthdr.rcvif = null;
  }
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

function cycle(m: Mbuf, n: Mbuf): never {
  throw new MbufError(
    'cycle',
    `m_cat: mbuf #${n.index} is already part of the chain headed by mbuf #${m.index}: linking would make a cycle`,
  );
}
