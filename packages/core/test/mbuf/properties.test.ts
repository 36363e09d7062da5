/**
 * Model-based property tests: random sequences of chain operations on random pool geometries, each
 * checked against a plain byte array. After every step the chain invariant holds and the bytes match;
 * after every case the pool's accounting balances and nothing is left allocated.
 *
 * Seeds are fixed so a failure reproduces; fast-check prints the seed and the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Mbuf,
  MbufPool,
  MbufQueue,
  m_adj,
  m_cat,
  m_copyback,
  m_copydata,
  m_getByte,
  m_length,
  m_prepend,
  m_pullup,
  m_sanity,
  m_split,
} from '../../src/mbuf/index.js';
import { fuzzParameters } from '../../src/sim/fuzz-settings.js';
import { bytesOf } from './helpers.js';

const SEED = 0x1f_ac_e0;

type Cmd =
  | { op: 'fresh'; data: Uint8Array; leading: number }
  | { op: 'prepend'; n: number; fill: number }
  | { op: 'adj'; n: number }
  | { op: 'copyback'; off: number; data: Uint8Array }
  | { op: 'pullup'; n: number }
  | { op: 'split'; at: number; after: 'keepHead' | 'keepTail' | 'catBack' }
  | { op: 'cat'; data: Uint8Array }
  | { op: 'copydata'; off: number; len: number }
  | { op: 'getbyte'; off: number };

const bytes = (max: number) => fc.uint8Array({ maxLength: max, size: 'max' });

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant('fresh' as const), data: bytes(700), leading: fc.nat(40) }),
  fc.record({ op: fc.constant('prepend' as const), n: fc.nat(300), fill: fc.nat(255) }),
  fc.record({ op: fc.constant('adj' as const), n: fc.integer({ min: -500, max: 500 }) }),
  fc.record({ op: fc.constant('copyback' as const), off: fc.nat(800), data: bytes(400) }),
  fc.record({ op: fc.constant('pullup' as const), n: fc.nat(400) }),
  fc.record({
    op: fc.constant('split' as const),
    at: fc.nat(800),
    after: fc.constantFrom('keepHead' as const, 'keepTail' as const, 'catBack' as const),
  }),
  fc.record({ op: fc.constant('cat' as const), data: bytes(400) }),
  fc.record({ op: fc.constant('copydata' as const), off: fc.nat(800), len: fc.nat(400) }),
  fc.record({ op: fc.constant('getbyte' as const), off: fc.nat(800) }),
);

const geometryArb = fc
  .record({
    msize: fc.constantFrom(16, 32, 64, 256),
    clusterFactor: fc.constantFrom(1, 2, 4, 8),
    mbufs: fc.integer({ min: 2, max: 64 }),
    clusters: fc.integer({ min: 0, max: 8 }),
  })
  .map((g) => ({ msize: g.msize, mclbytes: g.msize * g.clusterFactor, mbufs: g.mbufs, clusters: g.clusters }));

function expectChain(m: Mbuf, model: number[]) {
  expect(m_sanity(m)).toBeNull();
  expect(m.pkthdr.len).toBe(model.length);
  expect(m_length(m)).toBe(model.length);
  expect([...bytesOf(m)]).toEqual(model);
}

interface Geometry {
  msize: number;
  mclbytes: number;
  mbufs: number;
  clusters: number;
}

function run(geometry: Geometry, cmds: Cmd[]) {
  const pool = new MbufPool({ name: 'prop', ...geometry });
  const { msize, mclbytes } = pool;
  let m: Mbuf | null = null;
  let model: number[] = [];
  const mfree = () => pool.stats.mbufs.free;
  const cfree = () => pool.stats.clusters.free;
  const failures = () => pool.stats.mbufs.failures + pool.stats.clusters.failures;

  for (const c of cmds) {
    if (c.op === 'fresh') {
      pool.freem(m);
      const f0 = failures();
      m = pool.devget(c.data, 0, c.data.length, null, Math.min(c.leading, msize - 1));
      if (m === null) expect(failures()).toBe(f0 + 1);
      model = [...c.data];
    } else if (m === null) {
      continue; // the packet was freed by a failing m_pullup/m_prepend; wait for a fresh one
    } else if (c.op === 'prepend') {
      const inPlace = c.n <= m.off;
      const canAlloc = c.n <= mclbytes && mfree() > 0 && (c.n <= msize || cfree() > 0);
      const r = m_prepend(m, c.n);
      expect(r !== null).toBe(inPlace || canAlloc);
      m = r;
      if (m !== null) {
        const fill = new Uint8Array(c.n).fill(c.fill);
        expect(m_copyback(m, 0, c.n, fill, 0)).toBe(true); // inside the chain: never allocates
        model = [...fill, ...model];
      }
    } else if (c.op === 'adj') {
      m_adj(m, c.n);
      model = c.n >= 0 ? model.slice(c.n) : model.slice(0, Math.max(0, model.length + c.n));
    } else if (c.op === 'copyback') {
      const before = [...model];
      const f0 = failures();
      if (m_copyback(m, c.off, c.data.length, c.data, 0)) {
        while (model.length < c.off) model.push(0);
        for (let i = 0; i < c.data.length; i++) model[c.off + i] = c.data[i];
      } else {
        expect(failures()).toBeGreaterThan(f0);
        expect(model).toEqual(before);
      }
    } else if (c.op === 'pullup') {
      const first = m.len;
      const possible = c.n <= first || (c.n <= mclbytes && c.n <= model.length && (m.capacity >= c.n || cfree() > 0));
      m = m_pullup(m, c.n);
      expect(m !== null).toBe(possible);
      if (m !== null) expect(m.len).toBeGreaterThanOrEqual(Math.min(c.n, model.length));
    } else if (c.op === 'split') {
      const f0 = failures();
      const tail = m_split(m, c.at);
      if (tail === null) {
        if (c.at <= model.length) expect(failures()).toBe(f0 + 1);
      } else {
        expect(c.at).toBeLessThanOrEqual(model.length);
        const rest = model.slice(c.at);
        const head = model.slice(0, c.at);
        expectChain(m, head);
        expectChain(tail, rest);
        if (c.after === 'keepHead') {
          pool.freem(tail);
          model = head;
        } else if (c.after === 'keepTail') {
          pool.freem(m);
          m = tail;
          model = rest;
        } else {
          m_cat(m, tail);
        }
      }
    } else if (c.op === 'cat') {
      const n = pool.devget(c.data, 0, c.data.length, null);
      if (n !== null) {
        m_cat(m, n);
        model = [...model, ...c.data];
      }
    } else if (c.op === 'copydata') {
      const dst = new Uint8Array(c.len);
      if (c.off + c.len > model.length) {
        expect(() => m_copydata(m!, c.off, c.len, dst, 0)).toThrow(RangeError);
      } else {
        m_copydata(m, c.off, c.len, dst, 0);
        expect([...dst]).toEqual(model.slice(c.off, c.off + c.len));
      }
    } else if (c.op === 'getbyte') {
      if (c.off >= model.length) expect(() => m_getByte(m!, c.off)).toThrow(RangeError);
      else expect(m_getByte(m, c.off)).toBe(model[c.off]);
    }
    if (m !== null) expectChain(m, model);
    const acct = pool.checkAccounting();
    if (!acct.ok) throw new Error(acct.detail);
  }
  pool.freem(m);
  pool.assertQuiescent();
}

describe('mbuf chain operations against a byte-array model', () => {
  it('random operation sequences keep bytes, invariant and accounting right', () => {
    fc.assert(
      fc.property(geometryArb, fc.array(cmdArb, { minLength: 1, maxLength: 40, size: 'max' }), (g, cmds) => {
        run(g, [{ op: 'fresh', data: new Uint8Array(0), leading: 0 }, ...cmds]);
      }),
      fuzzParameters({ seed: SEED, numRuns: 400 }),
    );
  });

  it('heavy exhaustion: tiny pools', () => {
    const tiny = fc.record({
      msize: fc.constantFrom(16, 32),
      mclbytes: fc.constantFrom(64, 128),
      mbufs: fc.integer({ min: 1, max: 8 }),
      clusters: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(tiny, fc.array(cmdArb, { minLength: 1, maxLength: 30, size: 'max' }), (g, cmds) => {
        run(g, cmds);
      }),
      fuzzParameters({ seed: SEED + 1, numRuns: 300 }),
    );
  });
});

describe('MbufQueue against an array model', () => {
  it('FIFO order, bounds and purge', () => {
    const qcmd = fc.oneof(
      fc.constant({ op: 'enqueue' as const }),
      fc.constant({ op: 'dequeue' as const }),
      fc.constant({ op: 'requeue' as const }),
      fc.constant({ op: 'purge' as const }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.array(qcmd, { maxLength: 60, size: 'max' }), (maxlen, cmds) => {
        const pool = new MbufPool({ name: 'q', mbufs: 16, clusters: 0 });
        const q = new MbufQueue(maxlen);
        const model: Mbuf[] = [];
        for (const c of cmds) {
          if (c.op === 'enqueue') {
            const m = pool.gethdr();
            if (m === null) continue;
            if (q.enqueue(m)) model.push(m);
            else {
              expect(model.length).toBe(maxlen);
              q.drop();
              pool.freem(m);
            }
          } else if (c.op === 'dequeue') {
            const m = q.dequeue();
            expect(m).toBe(model.shift() ?? null);
            pool.freem(m);
          } else if (c.op === 'requeue') {
            const m = q.dequeue();
            if (m !== null) q.prepend(m);
          } else {
            expect(q.purge()).toBe(model.length);
            model.length = 0;
          }
          expect(q.length).toBe(model.length);
          expect(q.peek()).toBe(model[0] ?? null);
          expect(q.tail).toBe(model[model.length - 1] ?? null);
        }
        q.purge();
        pool.assertQuiescent();
      }),
      fuzzParameters({ seed: SEED + 2, numRuns: 300 }),
    );
  });
});
