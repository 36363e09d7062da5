import { describe, expect, it } from 'vitest';
import { type Mbuf, MbufPool, MbufQueue } from '../../src/mbuf/index.js';

describe('MbufQueue (ifqueue)', () => {
  const pool = () => new MbufPool({ name: 'q', mbufs: 16, clusters: 4 });

  it('is a bounded FIFO linked through nextpkt', () => {
    const p = pool();
    const q = new MbufQueue(3);
    expect(q.dequeue()).toBeNull();
    expect(q.peek()).toBeNull();
    const pkts: Mbuf[] = [];
    for (let i = 0; i < 3; i++) {
      const m = p.gethdr()!;
      pkts.push(m);
      expect(q.enqueue(m)).toBe(true);
    }
    expect(q.length).toBe(3);
    expect(q.full).toBe(true);
    expect(q.head).toBe(pkts[0]);
    expect(pkts[0].nextpkt).toBe(pkts[1]);
    expect(q.peek()).toBe(pkts[0]);

    // IF_QFULL: refused, the caller keeps the packet, counts the drop and frees it.
    const extra = p.gethdr()!;
    expect(q.enqueue(extra)).toBe(false);
    expect(extra.nextpkt).toBeNull();
    q.drop();
    p.freem(extra);
    expect(q.drops).toBe(1);
    expect(q.length).toBe(3);

    expect(q.dequeue()).toBe(pkts[0]);
    expect(pkts[0].nextpkt).toBeNull();
    q.prepend(pkts[0]); // IF_PREPEND puts it back at the head
    expect(q.length).toBe(3);
    for (const m of pkts) {
      expect(q.dequeue()).toBe(m);
      p.freem(m);
    }
    expect(q.length).toBe(0);
    expect(q.tail).toBeNull();
    p.assertQuiescent();
  });

  it('prepend on an empty queue sets the tail too', () => {
    const p = pool();
    const q = new MbufQueue(1);
    const m = p.gethdr()!;
    q.prepend(m);
    expect(q.tail).toBe(m);
    const n = p.gethdr()!;
    expect(q.enqueue(n)).toBe(false); // prepend may exceed maxlen; enqueue may not
    q.prepend(n);
    expect(q.length).toBe(2);
    expect(q.dequeue()).toBe(n);
    expect(q.dequeue()).toBe(m);
    p.freem(n);
    p.freem(m);
  });

  it('purge frees every packet, whole chains included', () => {
    const p = pool();
    const q = new MbufQueue(10);
    for (let i = 0; i < 4; i++) q.enqueue(p.devget(new Uint8Array(2100), 0, 2100, null)!);
    expect(p.stats.mbufs.inUse).toBe(8);
    expect(q.purge()).toBe(4);
    expect(q.length).toBe(0);
    expect(q.head).toBeNull();
    p.assertQuiescent();
  });

  it('rejects a bad maxlen', () => {
    expect(() => new MbufQueue(-1)).toThrow(RangeError);
  });
});
