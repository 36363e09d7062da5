import { type Host, type Mbuf, m_freem } from '@ifnet/core';
import { isHostMbuf } from '@ifnet/ether';
import { InetError } from './errors.js';

/**
 * Refuses an mbuf of another host's pool handed to one of our output APIs (which own what they are
 * given): frees it into its own pool and throws {@link InetError} `invalid`. One comparison when all is well.
 */
export function refuseForeign(host: Host, m: Mbuf, what: string): void {
  if (isHostMbuf(host, m)) return;
  const owner = m.pool.name;
  m_freem(m);
  throw new InetError(
    'invalid',
    `${what}: the mbuf belongs to pool ${owner}, not to ${host.name}'s (copy it in first)`,
  );
}

/**
 * Checks a numeric argument of a public function: an integer in `min..max`. Throws {@link InetError}
 * `invalid` naming the argument otherwise (NaN, fractions, infinities, out of range, not a number).
 */
export function checkUint(what: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InetError('invalid', `${what} must be an integer in ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

/** Checks a duration in ns: a finite number > 0. Throws {@link InetError} `invalid` otherwise. */
export function checkDuration(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new InetError('invalid', `${what} must be a finite number of nanoseconds > 0, got ${String(v)}`);
  }
  return v;
}
