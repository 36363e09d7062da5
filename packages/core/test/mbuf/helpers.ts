import { M_PKTHDR, type Mbuf, type MbufPool, m_copydata, m_length, m_sanity } from '../../src/mbuf/index.js';

/** Bytes 0, 1, 2, ... (mod 256) starting at `start`. */
export function seq(len: number, start = 0): Uint8Array {
  const a = new Uint8Array(len);
  for (let i = 0; i < len; i++) a[i] = (start + i) & 0xff;
  return a;
}

/**
 * Builds a packet holding `bytes`, split over mbufs of the given data lengths (which must add up to
 * `bytes.length`); a segment longer than msize gets a cluster. `lead` bytes of leading space in each.
 */
export function chain(pool: MbufPool, bytes: Uint8Array, lens: number[], lead = 0): Mbuf {
  let head: Mbuf | null = null;
  let tail: Mbuf | null = null;
  let pos = 0;
  for (const len of lens) {
    const m: Mbuf | null = head === null ? pool.gethdr() : pool.get();
    if (m === null) throw new Error('test pool too small');
    if (len + lead > pool.msize && !pool.clget(m)) throw new Error('test pool too small (clusters)');
    m.off = lead;
    m.buf.set(bytes.subarray(pos, pos + len), lead);
    m.len = len;
    pos += len;
    if (tail === null) head = m;
    else tail.next = m;
    tail = m;
  }
  if (head === null) throw new Error('no segments');
  if (pos !== bytes.length) throw new Error('segment lengths do not add up');
  head.pkthdr.len = pos;
  return head;
}

/** All data bytes of a chain, flattened. */
export function bytesOf(m: Mbuf): Uint8Array {
  const out = new Uint8Array(m_length(m));
  m_copydata(m, 0, out.length, out, 0);
  return out;
}

/** Data lengths of each mbuf of the chain. */
export function lensOf(m: Mbuf | null): number[] {
  const out: number[] = [];
  for (; m !== null; m = m.next) out.push(m.len);
  return out;
}

/** Asserts the chain invariant via m_sanity; returns the chain for chaining. */
export function sane(m: Mbuf): Mbuf {
  const problem = m_sanity(m);
  if (problem !== null) throw new Error(`chain not sane: ${problem}`);
  if ((m.flags & M_PKTHDR) === 0) throw new Error('chain has no packet header');
  return m;
}
