import { M_EXT } from './flags.js';
import type { Mbuf } from './mbuf.js';

// Per datagram queued on a socket: bound locally, as V8 reads an imported const through its cell (hole check).
const EXT = M_EXT;

/**
 * The storage a chain pins (BSD's `sb_mbcnt` contribution, Linux's `skb->truesize`): each mbuf's own
 * area plus its cluster, whatever the data length. That — not the payload length — is what a queue
 * holding packets takes away from the pool: a 1-byte datagram in a cluster pins `msize + mclbytes`.
 * Queues that must stay bounded under adversarial input (socket buffers, ARP hold queues, reassembly)
 * count it. Reads only; allocates nothing.
 */
export function m_truesize(m: Mbuf | null): number {
  let n = 0;
  for (; m !== null; m = m.next) n += (m.flags & EXT) !== 0 ? m.pool.msize + m.capacity : m.pool.msize;
  return n;
}
