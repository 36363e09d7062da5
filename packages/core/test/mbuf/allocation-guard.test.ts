import { describe, expect, it } from 'vitest';
import {
  AllocationGuard,
  AllocationInInterruptError,
  MbufPool,
  m_copyback,
  m_prepend,
  m_pullup,
  m_split,
} from '../../src/mbuf/index.js';
import { chain, seq } from './helpers.js';

function setup(mode?: 'throw' | 'count') {
  const guard = new AllocationGuard(mode ? { mode } : {});
  const pool = new MbufPool({ name: 'rx0', mbufs: 16, clusters: 8, guard });
  return { guard, pool };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('AllocationGuard', () => {
  it('defaults to throw mode and tracks nesting', () => {
    const g = new AllocationGuard();
    expect(g.mode).toBe('throw');
    expect(g.forbidden).toBe(false);
    g.enterInterrupt();
    g.enterInterrupt();
    expect(g.depth).toBe(2);
    expect(g.forbidden).toBe(true);
    g.leaveInterrupt();
    expect(g.forbidden).toBe(true);
    g.leaveInterrupt();
    expect(g.forbidden).toBe(false);
    expect(() => g.leaveInterrupt()).toThrow(/without matching/);
  });

  it('throw mode: every allocating pool operation throws AllocationInInterruptError naming pool and operation', () => {
    const { guard, pool } = setup();
    const m = pool.gethdr()!;
    guard.enterInterrupt();
    const ops: [string, () => unknown][] = [
      ['m_get', () => pool.get()],
      ['m_gethdr', () => pool.gethdr()],
      ['m_getcl', () => pool.getcl()],
      ['MCLGET', () => pool.clget(m)],
      ['m_devget', () => pool.devget(seq(10), 0, 10, null)],
    ];
    for (const [op, fn] of ops) {
      const e = caught(fn);
      expect(e).toBeInstanceOf(AllocationInInterruptError);
      const err = e as AllocationInInterruptError;
      expect(err.pool).toBe('rx0');
      expect(err.operation).toBe(op);
      expect(err.depth).toBe(1);
      expect(err.message).toContain(`'rx0'`);
      expect(err.message).toContain(op);
      expect(err.message).toMatch(/interrupt context/);
    }
    expect(guard.violations).toBe(ops.length);
    expect(pool.stats.mbufs.inUse).toBe(1); // nothing was served
    guard.leaveInterrupt();
    pool.free(m);
    pool.assertQuiescent();
  });

  it('throw mode: chain operations that need memory throw too, and leave the chain intact', () => {
    const { guard, pool } = setup();
    const m = chain(pool, seq(300), [100, 200]);
    guard.enterInterrupt();
    expect(caught(() => m_prepend(m, 16))).toBeInstanceOf(AllocationInInterruptError);
    expect(caught(() => m_split(m, 50))).toBeInstanceOf(AllocationInInterruptError);
    expect(caught(() => m_copyback(m, 300, 400, seq(400), 0))).toBeInstanceOf(AllocationInInterruptError);
    expect(caught(() => m_pullup(m, 300))).toBeInstanceOf(AllocationInInterruptError);
    expect(guard.lastViolationOperation).toBe('m_pullup');
    // Operations that need no memory are fine: split on a boundary, pullup that fits, prepend into space.
    const tail = m_split(m, 100)!;
    expect(tail.pkthdr.len).toBe(200);
    guard.leaveInterrupt();
    pool.freem(m);
    pool.freem(tail);
    pool.assertQuiescent();
  });

  it('count mode: counts the violation and serves the allocation', () => {
    const { guard, pool } = setup('count');
    guard.enterInterrupt();
    const m = pool.getcl();
    expect(m).not.toBeNull();
    const n = pool.devget(seq(64), 0, 64, null);
    expect(n).not.toBeNull();
    expect(guard.violations).toBe(2);
    expect(guard.lastViolationPool).toBe('rx0');
    expect(guard.lastViolationOperation).toBe('m_devget');
    expect(pool.snapshot().guardViolations).toBe(2);
    guard.leaveInterrupt();
    pool.freem(m);
    pool.freem(n);
    pool.assertQuiescent();
  });

  it('free is always allowed while forbidden', () => {
    const { guard, pool } = setup();
    const m = pool.getcl()!;
    const n = pool.devget(seq(3000), 0, 3000, null)!;
    guard.enterInterrupt();
    guard.enterInterrupt();
    pool.free(m);
    pool.freem(n);
    guard.leaveInterrupt();
    guard.leaveInterrupt();
    expect(guard.violations).toBe(0);
    pool.assertQuiescent();
  });

  it('does not affect allocation outside interrupt context, and pools without a guard never check', () => {
    const { guard, pool } = setup();
    guard.enterInterrupt();
    guard.leaveInterrupt();
    const m = pool.gethdr()!;
    pool.free(m);
    const free = new MbufPool({ name: 'noguard', mbufs: 1, clusters: 0 });
    expect(free.guard).toBeNull();
    free.free(free.get()!);
    expect(guard.violations).toBe(0);
  });
});
