/**
 * m_adj: trim bytes from the head (a link header once it is parsed) or the tail (an Ethernet FCS, or
 * padding below an IP datagram's real length) of a packet.
 *
 * @module
 */
import { M_PKTHDR } from './flags.js';
import { checkLive } from './m-check.js';
import { m_length } from './m-length.js';
import type { Mbuf } from './mbuf.js';

/**
 * m_adj: `n > 0` trims `n` bytes from the head, `n < 0` trims `-n` bytes from the tail. Trimming more
 * than the packet holds leaves it empty (`pkthdr.len === 0`), never throws: the length usually comes
 * from a packet field and may be bad input. `n` itself must be an integer (NaN or 1.5 is a caller bug:
 * RangeError), and `m` must not be free (MbufError `'use-after-free'`).
 *
 * The first mbuf always stays (the caller holds it); other mbufs emptied by the trim are freed, so a
 * trimmed packet does not carry empty buffers. `pkthdr.len` is adjusted. Never allocates.
 */
export function m_adj(m: Mbuf, n: number): void {
  if ((n | 0) !== n) throw new RangeError(`m_adj: byte count must be an integer in [-2^31, 2^31), got ${n}`);
  checkLive('m_adj', m);
  if (n >= 0) {
    let rem = n;
    const k = Math.min(m.len, rem);
    m.off += k;
    m.len -= k;
    rem -= k;
    let trimmed = k;
    while (rem > 0 && m.next !== null) {
      const x: Mbuf = m.next;
      if (x.len <= rem) {
        rem -= x.len;
        trimmed += x.len;
        m.next = x.pool.free(x);
      } else {
        x.off += rem;
        x.len -= rem;
        trimmed += rem;
        rem = 0;
      }
    }
    if ((m.flags & M_PKTHDR) !== 0) m.pkthdr.len -= trimmed;
    return;
  }
  const total = m_length(m);
  const keep = Math.max(total + n, 0);
  let cur = m;
  let acc = keep;
  while (cur.len < acc && cur.next !== null) {
    acc -= cur.len;
    cur = cur.next;
  }
  cur.len = acc;
  let x = cur.next;
  cur.next = null;
  while (x !== null) x = x.pool.free(x);
  if ((m.flags & M_PKTHDR) !== 0) m.pkthdr.len = keep;
}
