/**
 * Argument checks shared by the chain operations: the cheap part of BSD's `M_SANITY` / `M_ASSERTVALID`,
 * done on every call instead of under `INVARIANTS`, because here a bad argument is a JavaScript value
 * (NaN, 1.5, -3) that would otherwise index a typed array as `undefined` and corrupt a packet silently.
 *
 * Each check is one or two comparisons (`(v >>> 0) === v` is true exactly for the integers 0 .. 2^32-1,
 * so NaN, fractions, negatives and ±Infinity fail it), so the benchmarks keep their figures. Failures
 * throw: a bad length or an operation on a freed mbuf is a caller bug, not load.
 *
 * Internal to the mbuf module (the pool and the interface layer use it too).
 *
 * @module
 */
import { MbufError } from './errors.js';
import type { Mbuf } from './mbuf.js';

/** Throws RangeError unless `v` is an integer in `[0, max]`. */
export function checkCount(fn: string, what: string, v: number, max = 0xffffffff): void {
  if (v >>> 0 !== v || v > max) badCount(fn, what, v, max);
}

function badCount(fn: string, what: string, v: number, max: number): never {
  throw new RangeError(`${fn}: ${what} must be an integer in [0, ${max}], got ${v}`);
}

/** Throws MbufError (`'use-after-free'`) when `m` sits on its pool's free list. */
export function checkLive(fn: string, m: Mbuf): void {
  if (m.isFree === true) useAfterFree(fn, m);
}

function useAfterFree(fn: string, m: Mbuf): never {
  throw new MbufError('use-after-free', `${fn} on mbuf #${m.index} of pool '${m.pool.name}', which is free`);
}
