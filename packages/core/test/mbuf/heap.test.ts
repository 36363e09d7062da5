/**
 * The steady-state packet path allocates nothing on the JavaScript heap.
 *
 * Measured with V8's own accounting, not with a timer: after warm-up and a full GC, a loop of 1e6
 * iterations runs while @ifnet/benchkit's meter reads the young generation's used size (`new_space`)
 * every few thousand iterations. New objects are bump-allocated there, so its growth over intervals
 * without a collection is what the loop allocated. The bound (< 1 byte per iteration) fails clearly at 16
 * bytes per iteration, which the control case proves on every run.
 */
import { describe, expect, it } from 'vitest';
import { DmaSpace } from '../../src/bus/dma.js';
import {
  AllocationGuard,
  type Mbuf,
  MbufPool,
  MbufQueue,
  m_adj,
  m_getUint16,
  m_prepend,
  m_pullup,
} from '../../src/mbuf/index.js';
import { allocationFree, heapCost } from '../helpers/heap.js';

function setup() {
  const guard = new AllocationGuard();
  const pool = new MbufPool({ name: 'heap', mbufs: 64, clusters: 32, guard, dma: new DmaSpace() });
  return pool;
}

describe('steady-state heap cost', () => {
  it('control: the measurement sees an allocation of 16 bytes per iteration', async () => {
    const keep: object[] = new Array(1024).fill(null).map(() => ({ a: 0 }));
    const cost = await heapCost((i) => {
      keep[i & 1023] = { a: i };
    });
    expect(allocationFree(cost), JSON.stringify(cost)).toBe(false);
  });

  it('m_gethdr + MCLGET + write + m_free allocates nothing', async () => {
    const pool = setup();
    let sink = 0;
    const cost = await heapCost((i) => {
      const m = pool.gethdr()!;
      pool.clget(m);
      m.off = 2;
      m.buf[2] = i;
      m.view.setUint32(4, i);
      m.len = 64;
      m.pkthdr.len = 64;
      m.pkthdr.flowHash = 0x9e3779b9 ^ i;
      m.pkthdr.timestamp = i * 1_000_000;
      sink = (sink + m.buf[2] + (m.busAddr > 0 ? 1 : 0)) | 0;
      pool.free(m);
    });
    console.log('gethdr/clget/free', cost, sink);
    expect(allocationFree(cost), JSON.stringify(cost)).toBe(true);
    pool.assertQuiescent();
  });

  it('m_devget + m_freem of 64- and 1500-byte frames allocates nothing', async () => {
    const pool = setup();
    const small = new Uint8Array(64).fill(1);
    const big = new Uint8Array(1500).fill(2);
    let sink = 0;
    const cost = await heapCost((i) => {
      const m = pool.devget((i & 1) === 0 ? small : big, 0, (i & 1) === 0 ? 64 : 1500, null)!;
      sink = (sink + m.pkthdr.len) | 0;
      pool.freem(m);
    });
    console.log('devget/freem', cost, sink);
    expect(allocationFree(cost), JSON.stringify(cost)).toBe(true);
    pool.assertQuiescent();
  });

  it('a receive-path sequence (devget, pullup, field read, adj, prepend in place, queue, freem) allocates nothing', async () => {
    const pool = setup();
    const frame = new Uint8Array(1500).fill(3);
    const q = new MbufQueue(8);
    let sink = 0;
    const cost = await heapCost(() => {
      let m: Mbuf | null = pool.devget(frame, 0, 1500, null, 2)!;
      m = m_pullup(m, 34)!;
      sink = (sink + m_getUint16(m, 12)) | 0;
      m_adj(m, 14);
      m_adj(m, -4);
      m = m_prepend(m, 14)!;
      q.enqueue(m);
      pool.freem(q.dequeue());
    });
    console.log('rx path', cost, sink);
    expect(allocationFree(cost), JSON.stringify(cost)).toBe(true);
    pool.assertQuiescent();
  });
});
