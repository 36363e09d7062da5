import { describe, expect, it } from 'vitest';
import {
  M_BCAST,
  M_EXT,
  M_PKTHDR,
  type Mbuf,
  MbufPool,
  m_adj,
  m_cat,
  m_copyback,
  m_copydata,
  m_free,
  m_freem,
  m_getByte,
  m_getUint16,
  m_getUint32,
  m_length,
  m_prepend,
  m_pullup,
  m_split,
  mtod,
} from '../../src/mbuf/index.js';
import type { Ifnet } from '../../src/net/ifnet.js';
import { bytesOf, chain, lensOf, sane, seq } from './helpers.js';

const ifp = { index: 1, name: 'em0' } as unknown as Ifnet;

function pool(mbufs = 16, clusters = 8) {
  return new MbufPool({ name: 'chain', mbufs, clusters });
}

/** Takes every free mbuf (and cluster, if asked) so the next allocation fails. */
function exhaust(p: MbufPool, clustersOnly = false): Mbuf[] {
  const held: Mbuf[] = [];
  if (clustersOnly) {
    // Keep mbufs available: hold clusters through as few mbufs as possible.
    while (p.stats.clusters.free > 0) {
      const m = p.getcl();
      if (m === null) break;
      held.push(m);
    }
    return held;
  }
  for (let m = p.get(); m !== null; m = p.get()) held.push(m);
  return held;
}

function release(p: MbufPool, held: Mbuf[]) {
  for (const m of held) p.free(m);
}

describe('m_length / mtod / m_getByte / m_getUint16 / m_getUint32', () => {
  it('reads across mbuf boundaries without copying', () => {
    const p = pool();
    const data = seq(10, 0xf0);
    const m = chain(p, data, [3, 0, 4, 3]);
    expect(m_length(m)).toBe(10);
    expect(m_length(null)).toBe(0);
    expect([...mtod(m)]).toEqual([0xf0, 0xf1, 0xf2]);
    for (let i = 0; i < 10; i++) expect(m_getByte(m, i)).toBe(data[i]);
    expect(m_getUint16(m, 0)).toBe(0xf0f1); // inside the first mbuf
    expect(m_getUint16(m, 2)).toBe(0xf2f3); // straddles (through an empty mbuf)
    expect(m_getUint32(m, 3)).toBe(0xf3f4f5f6); // inside the third mbuf
    expect(m_getUint32(m, 5)).toBe(0xf5f6f7f8); // straddles
    expect(() => m_getByte(m, 10)).toThrow(RangeError);
    expect(() => m_getByte(m, -1)).toThrow(RangeError);
    expect(() => m_getUint16(m, 9)).toThrow(RangeError);
    expect(() => m_getUint32(m, 7)).toThrow(RangeError);
    p.freem(m);
    p.assertQuiescent();
  });
});

describe('m_copydata', () => {
  it('copies any range, across mbufs, into an offset of the destination', () => {
    const p = pool();
    const data = seq(700, 1);
    const m = chain(p, data, [5, 300, 0, 395]);
    const dst = new Uint8Array(800).fill(0xee);
    m_copydata(m, 3, 600, dst, 100);
    expect(dst.subarray(100, 700)).toEqual(data.subarray(3, 603));
    expect(dst[99]).toBe(0xee);
    expect(dst[700]).toBe(0xee);
    m_copydata(m, 700, 0, dst, 0); // empty range at the very end is fine
    m_copydata(m, 0, 700, dst, 0);
    expect(dst.subarray(0, 700)).toEqual(data);
    p.freem(m);
  });

  it('throws RangeError when the range exceeds the chain or the destination', () => {
    const p = pool();
    const m = chain(p, seq(20), [10, 10]);
    const dst = new Uint8Array(64);
    expect(() => m_copydata(m, 15, 6, dst, 0)).toThrow(/beyond the chain \(20 bytes\)/);
    expect(() => m_copydata(m, 21, 0, dst, 0)).toThrow(RangeError);
    expect(() => m_copydata(m, -1, 2, dst, 0)).toThrow(RangeError);
    expect(() => m_copydata(m, 0, 10, dst, 60)).toThrow(RangeError);
    p.freem(m);
    p.assertQuiescent();
  });
});

describe('m_pullup', () => {
  it('returns m untouched when the bytes are already contiguous', () => {
    const p = pool();
    const m = chain(p, seq(40), [20, 20]);
    expect(m_pullup(m, 20)).toBe(m);
    expect(lensOf(m)).toEqual([20, 20]);
    p.freem(m);
  });

  it('pulls bytes forward from the following mbufs and frees the ones it empties', () => {
    const p = pool();
    const data = seq(60);
    const m = chain(p, data, [10, 5, 0, 20, 25]);
    const r = sane(m_pullup(m, 30)!);
    expect(r).toBe(m);
    expect(lensOf(r)).toEqual([30, 5, 25]);
    expect(bytesOf(r)).toEqual(data);
    expect(p.stats.mbufs.inUse).toBe(3);
    p.freem(r);
    p.assertQuiescent();
  });

  it('slides the data to the front when the first mbuf has too little room after it', () => {
    const p = pool();
    const data = seq(100);
    const m = chain(p, data, [10, 90], 200); // first mbuf: off 200, len 10, capacity 256
    const r = sane(m_pullup(m, 80)!);
    expect(r.off).toBe(0);
    expect(r.flags & M_EXT).toBe(0);
    expect(lensOf(r)).toEqual([80, 20]);
    expect(bytesOf(r)).toEqual(data);
    p.freem(r);
    p.assertQuiescent();
  });

  it('attaches a cluster to the first mbuf when the header is bigger than an mbuf', () => {
    const p = pool();
    const data = seq(1000);
    const m = chain(p, data, [100, 200, 700]);
    const r = sane(m_pullup(m, 900)!);
    expect(r.flags & M_EXT).toBe(M_EXT);
    expect(lensOf(r)).toEqual([900, 100]);
    expect(bytesOf(r)).toEqual(data);
    p.freem(r);
    p.assertQuiescent();
  });

  it('fails, freeing the chain, for a packet shorter than len (truncated header)', () => {
    const p = pool();
    const m = chain(p, seq(30), [10, 20]);
    expect(m_pullup(m, 31)).toBeNull();
    p.assertQuiescent();
  });

  it('fails, freeing the chain, for len larger than a cluster', () => {
    const p = pool();
    const m = chain(p, seq(3000), [2000, 1000]);
    expect(m_pullup(m, 2049)).toBeNull();
    p.assertQuiescent();
  });

  it('fails, freeing the chain, when the needed cluster is not available', () => {
    const p = pool(16, 2);
    const m = chain(p, seq(600), [100, 250, 250]);
    const held = exhaust(p, true);
    expect(m_pullup(m, 500)).toBeNull();
    expect(p.stats.clusters.failures).toBe(1);
    release(p, held);
    p.assertQuiescent();
  });
});

describe('m_adj', () => {
  it('trims the head, freeing emptied mbufs after the first', () => {
    const p = pool();
    const data = seq(50);
    const m = chain(p, data, [10, 10, 30]);
    m_adj(m, 25);
    sane(m);
    expect(m.pkthdr.len).toBe(25);
    expect(lensOf(m)).toEqual([0, 25]);
    expect(bytesOf(m)).toEqual(data.subarray(25));
    p.freem(m);
    p.assertQuiescent();
  });

  it('trims the tail with a negative count, freeing the mbufs past the new end', () => {
    const p = pool();
    const data = seq(50);
    const m = chain(p, data, [10, 10, 30]);
    m_adj(m, -35);
    sane(m);
    expect(lensOf(m)).toEqual([10, 5]);
    expect(bytesOf(m)).toEqual(data.subarray(0, 15));
    m_adj(m, -5); // ends exactly on a boundary
    expect(lensOf(m)).toEqual([10]);
    p.freem(m);
    p.assertQuiescent();
  });

  it('trimming more than the packet from either end empties it and never throws', () => {
    const p = pool();
    const a = chain(p, seq(30), [10, 20]);
    m_adj(a, 1000);
    sane(a);
    expect(a.pkthdr.len).toBe(0);
    expect(lensOf(a)).toEqual([0]);
    const b = chain(p, seq(30), [10, 20]);
    m_adj(b, -1000);
    sane(b);
    expect(b.pkthdr.len).toBe(0);
    expect(lensOf(b)).toEqual([0]);
    m_adj(b, 0);
    m_adj(b, -1);
    expect(b.pkthdr.len).toBe(0);
    p.freem(a);
    p.freem(b);
    p.assertQuiescent();
  });
});

describe('m_prepend', () => {
  it('uses leading space when there is enough: same mbuf, no allocation', () => {
    const p = pool();
    const m = chain(p, seq(20), [20], 16);
    const allocs = p.stats.mbufs.allocations;
    const r = sane(m_prepend(m, 14)!);
    expect(r).toBe(m);
    expect(r.off).toBe(2);
    expect(r.pkthdr.len).toBe(34);
    expect(p.stats.mbufs.allocations).toBe(allocs);
    p.freem(r);
  });

  it('without leading space, puts a new mbuf in front and moves the packet header to it', () => {
    const p = pool();
    const data = seq(20);
    const m = chain(p, data, [20]);
    m.flags |= M_BCAST;
    m.pkthdr.rcvif = ifp;
    m.pkthdr.flowHash = 1234;
    const r = sane(m_prepend(m, 14)!);
    expect(r).not.toBe(m);
    expect(r.next).toBe(m);
    expect(r.flags & (M_PKTHDR | M_BCAST)).toBe(M_PKTHDR | M_BCAST);
    expect(m.flags & (M_PKTHDR | M_BCAST)).toBe(0);
    expect(r.pkthdr).toMatchObject({ len: 34, rcvif: ifp, flowHash: 1234 });
    expect(r.len).toBe(14);
    expect(r.trailingSpace()).toBe(0); // data at the end: room left for the next header
    expect(r.leadingSpace()).toBe(256 - 14);
    r.buf.fill(0xaa, r.off, r.off + 14);
    expect(bytesOf(r).subarray(14)).toEqual(data);
    // A second prepend now fits in place.
    expect(m_prepend(r, 20)).toBe(r);
    sane(r);
    p.freem(r);
    p.assertQuiescent();
  });

  it('prepends a cluster for a header longer than an mbuf', () => {
    const p = pool();
    const m = chain(p, seq(10), [10]);
    const r = sane(m_prepend(m, 300)!);
    expect(r.flags & M_EXT).toBe(M_EXT);
    expect(r.pkthdr.len).toBe(310);
    p.freem(r);
    p.assertQuiescent();
  });

  it('on exhaustion (mbuf or cluster) or len > mclbytes, frees the chain and returns null', () => {
    const p = pool(16, 2);
    let m = chain(p, seq(10), [10]);
    let held = exhaust(p);
    expect(m_prepend(m, 8)).toBeNull();
    release(p, held);
    p.assertQuiescent();

    m = chain(p, seq(10), [10]);
    held = exhaust(p, true);
    expect(m_prepend(m, 300)).toBeNull();
    release(p, held);
    p.assertQuiescent();

    m = chain(p, seq(10), [10]);
    expect(m_prepend(m, 4096)).toBeNull();
    p.assertQuiescent();
    expect(() => m_prepend(chain(p, seq(1), [1]), -1)).toThrow(RangeError);
  });
});

describe('m_copyback', () => {
  it('overwrites bytes inside the chain', () => {
    const p = pool();
    const data = seq(40);
    const m = chain(p, data, [10, 30]);
    expect(m_copyback(m, 8, 4, new Uint8Array([9, 9, 9, 9]), 0)).toBe(true);
    sane(m);
    const want = data.slice();
    want.set([9, 9, 9, 9], 8);
    expect(bytesOf(m)).toEqual(want);
    expect(lensOf(m)).toEqual([10, 30]);
    p.freem(m);
  });

  it('extends into trailing space, then with new mbufs and clusters, zero-filling a gap', () => {
    const p = pool();
    const m = chain(p, seq(10), [10]);
    m.buf.fill(0x55, 10); // stale bytes in the trailing space must not leak into the gap
    const src = seq(3000, 7);
    expect(m_copyback(m, 20, 3000, src, 0)).toBe(true);
    sane(m);
    expect(m.pkthdr.len).toBe(3020);
    const got = bytesOf(m);
    expect(got.subarray(0, 10)).toEqual(seq(10));
    expect(got.subarray(10, 20)).toEqual(new Uint8Array(10));
    expect(got.subarray(20)).toEqual(src);
    expect(lensOf(m)[0]).toBe(256);
    p.freem(m);
    p.assertQuiescent();
  });

  it('returns false and leaves the chain unchanged when the pool is exhausted', () => {
    const p = pool(16, 2);
    const data = seq(10);
    const m = chain(p, data, [10]);
    const held = exhaust(p);
    expect(m_copyback(m, 5, 400, seq(400), 0)).toBe(false);
    expect(bytesOf(m)).toEqual(data);
    expect(m.pkthdr.len).toBe(10);
    release(p, held);
    // Cluster exhaustion in the middle of the allocations: the mbufs taken before are given back.
    const heldC = exhaust(p, true);
    const before = p.stats.mbufs.inUse;
    expect(m_copyback(m, 10, 5000, seq(5000), 0)).toBe(false);
    expect(p.stats.mbufs.inUse).toBe(before);
    expect(lensOf(m)).toEqual([10]);
    release(p, heldC);
    p.freem(m);
    p.assertQuiescent();
  });

  it('rejects a bad source range', () => {
    const p = pool();
    const m = chain(p, seq(10), [10]);
    expect(() => m_copyback(m, 0, 5, new Uint8Array(4), 0)).toThrow(RangeError);
    expect(() => m_copyback(m, -1, 1, new Uint8Array(4), 0)).toThrow(RangeError);
    p.freem(m);
  });
});

describe('m_cat', () => {
  it('copies small mbufs into trailing space, links clusters, fixes pkthdr.len and demotes the header', () => {
    const p = pool();
    const a = chain(p, seq(10), [10]);
    const b = chain(p, seq(1500, 10), [20, 1480]);
    b.flags |= M_BCAST;
    m_cat(a, b);
    sane(a);
    expect(a.pkthdr.len).toBe(1510);
    expect(lensOf(a)).toEqual([30, 1480]); // 20 bytes copied, the cluster linked
    expect(bytesOf(a)).toEqual(seq(1510));
    expect(a.next!.flags & M_PKTHDR).toBe(0);
    m_cat(a, null);
    expect(a.pkthdr.len).toBe(1510);
    p.freem(a);
    p.assertQuiescent();
  });

  it('copies an mbuf that fits the trailing space exactly, links one a byte bigger', () => {
    const p = pool();
    const a = chain(p, seq(200), [200]); // 56 bytes of trailing space
    m_cat(a, chain(p, seq(56, 200), [56]));
    expect(lensOf(a)).toEqual([256]);
    const b = chain(p, seq(200), [200]);
    m_cat(b, chain(p, seq(57, 200), [57]));
    expect(lensOf(b)).toEqual([200, 57]);
    sane(a);
    sane(b);
    expect(bytesOf(a)).toEqual(seq(256));
    expect(bytesOf(b)).toEqual(seq(257));
    p.freem(a);
    p.freem(b);
    p.assertQuiescent();
  });

  it('links when there is no room', () => {
    const p = pool();
    const a = chain(p, seq(256), [256]);
    const b = chain(p, seq(10, 0), [10]);
    m_cat(a, b);
    sane(a);
    expect(lensOf(a)).toEqual([256, 10]);
    expect(a.next).toBe(b);
    expect(b.flags & M_PKTHDR).toBe(0);
    p.freem(a);
    p.assertQuiescent();
  });
});

describe('m_split', () => {
  function check(p: MbufPool, lens: number[], at: number) {
    const data = seq(
      lens.reduce((a, b) => a + b, 0),
      3,
    );
    const m = chain(p, data, lens);
    m.pkthdr.rcvif = ifp;
    m.flags |= M_BCAST;
    const n = m_split(m, at);
    expect(n).not.toBeNull();
    sane(m);
    sane(n!);
    expect(m.pkthdr.len).toBe(at);
    expect(n!.pkthdr.len).toBe(data.length - at);
    expect(n!.pkthdr.rcvif).toBe(ifp);
    expect(n!.flags & M_BCAST).toBe(M_BCAST);
    expect(bytesOf(m)).toEqual(data.subarray(0, at));
    expect(bytesOf(n!)).toEqual(data.subarray(at));
    p.freem(m);
    p.freem(n);
    p.assertQuiescent();
  }

  it('splits inside an mbuf', () => check(pool(), [10, 20], 15));
  it('splits inside a cluster with a big remainder (cluster copy)', () => check(pool(), [1500], 100));
  it('splits at 0: m keeps nothing', () => check(pool(), [10, 20], 0));
  it('splits at the length: the tail is an empty packet', () => check(pool(), [10, 20], 30));

  it('splits on an mbuf boundary without allocating', () => {
    const p = pool();
    const m = chain(p, seq(30), [10, 20]);
    const second = m.next;
    const allocs = p.stats.mbufs.allocations;
    const n = m_split(m, 10)!;
    expect(n).toBe(second);
    expect(p.stats.mbufs.allocations).toBe(allocs);
    sane(n);
    p.freem(m);
    p.freem(n);
    p.assertQuiescent();
  });

  it('beyond the length returns null and leaves the chain unchanged', () => {
    const p = pool();
    const m = chain(p, seq(30), [10, 20]);
    expect(m_split(m, 31)).toBeNull();
    expect(lensOf(m)).toEqual([10, 20]);
    expect(m.pkthdr.len).toBe(30);
    expect(() => m_split(m, -1)).toThrow(RangeError);
    p.freem(m);
    p.assertQuiescent();
  });

  it('returns null on exhaustion (mbuf, then cluster) and leaves the chain unchanged', () => {
    const p = pool(16, 2);
    const data = seq(1500);
    const m = chain(p, data, [1500]);
    let held = exhaust(p);
    expect(m_split(m, 10)).toBeNull();
    release(p, held);
    held = exhaust(p, true);
    expect(m_split(m, 10)).toBeNull();
    expect(p.stats.clusters.failures).toBe(1);
    expect(bytesOf(m)).toEqual(data);
    expect(m.pkthdr.len).toBe(1500);
    release(p, held);
    p.freem(m);
    p.assertQuiescent();
  });
});

describe('m_free / m_freem functions', () => {
  it('free each mbuf into its own pool', () => {
    const p = pool();
    const q = pool();
    const a = chain(p, seq(10), [10]);
    const b = chain(q, seq(300), [300]);
    m_cat(a, b); // a chain spanning two pools
    sane(a);
    expect(bytesOf(a)).toEqual(new Uint8Array([...seq(10), ...seq(300)]));
    const second = m_free(a);
    expect(second).toBe(b);
    m_freem(second);
    p.assertQuiescent();
    q.assertQuiescent();
  });
});
