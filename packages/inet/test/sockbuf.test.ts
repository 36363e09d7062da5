/**
 * The datagram receive buffer on its own: a ring of slots, each an mbuf and its record, bounded by
 * datagram count and by SO_RCVBUF bytes of storage. FIFO order and each datagram's addresses must survive
 * the rings wrapping; `purge` must free what is queued wherever it sits in the ring.
 */
import { MbufPool, m_truesize } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { type DatagramAddrs, DatagramSockbuf } from '../src/sockbuf.js';

const HIGH = 0xc0a80001; // 192.168.0.1: negative as int32
const addrs = (): DatagramAddrs => ({ srcAddr: 0, srcPort: 0, dstAddr: 0, dstPort: 0 });

describe('DatagramSockbuf', () => {
  it('keeps FIFO order and each datagram’s addresses and ports across many wraps of its rings', () => {
    const pool = new MbufPool({ name: 'p', mbufs: 16, clusters: 0 });
    const sb = new DatagramSockbuf(3, 1 << 20);
    const into = addrs();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 10; round++) {
      // Fill to the count bound (3), then take two: the head moves round the ring.
      while (sb.length < 3) {
        const m = pool.gethdr()!;
        m.pkthdr.len = m.len = next;
        // Signed and unsigned forms of the addresses, ports with the top bit set.
        expect(sb.append(m, (HIGH + next) | 0, 0x8000 + next, HIGH + next + 1, 65535 - next)).toBe(true);
        next++;
      }
      const refused = pool.gethdr()!;
      expect(sb.append(refused, 1, 1, 1, 1)).toBe(false); // count bound: refused, the caller keeps it
      pool.freem(refused);
      for (let k = 0; k < 2; k++) {
        const m = sb.take(into)!;
        expect(m.pkthdr.len).toBe(expected);
        expect(into).toEqual({
          srcAddr: HIGH + expected,
          srcPort: 0x8000 + expected,
          dstAddr: HIGH + expected + 1,
          dstPort: 65535 - expected,
        });
        expected++;
        pool.freem(m);
      }
    }
    const probe = pool.gethdr()!;
    expect(sb.held).toBe(sb.length * m_truesize(probe));
    pool.freem(probe);
    expect(sb.purge()).toBe(1);
    expect(pool.stats.mbufs.inUse).toBe(0);
  });

  it('bounds by SO_RCVBUF bytes except into an empty buffer, releases bytes on take, and purges a wrapped ring', () => {
    const pool = new MbufPool({ name: 'p', mbufs: 32, clusters: 8 });
    const probe = pool.getcl()!;
    const one = m_truesize(probe);
    pool.freem(probe);
    const sb = new DatagramSockbuf(8, one * 2);
    const into = addrs();
    const big = new DatagramSockbuf(8, 1); // smaller than one datagram: still takes one at a time
    const m0 = pool.getcl()!;
    expect(big.append(m0, 1, 2, 3, 4)).toBe(true);
    const m1 = pool.getcl()!;
    expect(big.append(m1, 1, 2, 3, 4)).toBe(false);
    pool.freem(m1);
    expect(big.isFull(one)).toBe(true);
    pool.freem(big.take(into)!);
    expect(big.held).toBe(0);

    for (let i = 0; i < 5; i++) {
      expect(sb.append(pool.getcl()!, i, i, i, i)).toBe(true);
      expect(sb.lastSize).toBe(one);
      expect(sb.append(pool.getcl()!, i, i, i, i)).toBe(true);
      const refused = pool.getcl()!;
      expect(sb.append(refused, i, i, i, i)).toBe(false); // bytes bound: 2 datagrams of `one`
      pool.freem(refused);
      expect(sb.isFull(one)).toBe(true);
      pool.freem(sb.take(into)!);
      expect(sb.held).toBe(one);
      if (i < 4) pool.freem(sb.take(into)!);
    }
    // One datagram queued at a slot past the ring's start, and one more after it.
    expect(sb.append(pool.getcl()!, 9, 9, 9, 9)).toBe(true);
    expect(sb.length).toBe(2);
    expect(sb.purge()).toBe(2);
    expect(sb.length).toBe(0);
    expect(sb.held).toBe(0);
    expect(sb.take(into)).toBeNull();
    expect(pool.stats.mbufs.inUse).toBe(0);
  });
});
