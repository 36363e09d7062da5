import { InetError } from './errors.js';

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
