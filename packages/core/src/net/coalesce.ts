/**
 * Receive interrupt coalescing parameters of one poll context: the two receive fields of Linux's
 * `struct ethtool_coalesce` (`ethtool -C <if> rx-usecs N rx-frames N`, `ETHTOOL_SCOALESCE` /
 * `ETHTOOL_GCOALESCE`), FreeBSD `em(4)`'s `dev.em.N.itr` / `rx_int_delay` / `rx_abs_int_delay` and
 * NetBSD `wm(4)`'s interrupt-delay tunables in one portable form.
 *
 * ## The rule
 *
 * With coalescing set, a queue's receive interrupt is held back after the previous one: the next
 * interrupt comes no sooner than `rxUsecs` µs later — or as soon as `rxFrames` frames are waiting, when the
 * hardware can count frames. A frame that arrives after a quiet period still interrupts at once, so
 * coalescing costs no latency at low load; under load each frame waits at most about `rxUsecs` and the
 * queue interrupts at most `10^6 / rxUsecs` times a second. `{ rxUsecs: 0, rxFrames: 0 }` (the default)
 * is no coalescing: an interrupt per receive event.
 *
 * Who applies it:
 * - A driver whose device moderates interrupts maps the parameters onto its registers through
 *   {@link PollOps.setCoalescing} (the e1000: `rx-usecs` → ITR, as Linux's e1000 does) and refuses what
 *   the hardware cannot do with a RangeError (`EOPNOTSUPP`).
 * - Otherwise the framework emulates `rxUsecs` (only): when a round that found work completes, the
 *   interrupt stays masked and the context polls again `rxUsecs` later from a high-resolution timer
 *   ({@link HrTimer}, not the clock tick); a re-poll that finds nothing unmasks. That is Linux's
 *   `napi_defer_hard_irqs = 1` with `gro_flush_timeout = rx-usecs`. Without the device's help frames cannot
 *   be counted while it is masked, so emulated contexts refuse a non-zero `rxFrames`.
 *
 * @module
 */

/** Largest accepted `rxUsecs` / `rxFrames` (one second / a u16 of frames; `ethtool` takes a u32). */
export const COALESCE_MAX_USECS = 1_000_000;
export const COALESCE_MAX_FRAMES = 0xffff;

/** `ethtool -C` receive parameters of one poll context. */
export interface Coalescing {
  /** `rx-usecs` (`rx_coalesce_usecs`): minimum µs between two receive interrupts of the queue; 0 = off. */
  readonly rxUsecs: number;
  /** `rx-frames` (`rx_max_coalesced_frames`): interrupt once this many frames wait; 0 = not used. */
  readonly rxFrames: number;
}

/** No coalescing: an interrupt per receive event. */
export const NO_COALESCING: Coalescing = Object.freeze({ rxUsecs: 0, rxFrames: 0 });

/**
 * Checks one parameter: an integer in `0..max`. Throws a RangeError naming the context and the
 * `ethtool` name of the field.
 */
export function checkCoalesceValue(where: string, field: 'rx-usecs' | 'rx-frames', v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`${where}: ${field} must be an integer in 0..${max}, got ${v}`);
  }
  return v;
}

/** `rx-usecs` in nanoseconds. */
export function coalesceNs(rxUsecs: number): number {
  return rxUsecs * 1000;
}

/** `ethtool -c`-like text: `rx-usecs 50 rx-frames 0`. */
export function formatCoalescing(c: Coalescing): string {
  return `rx-usecs ${c.rxUsecs} rx-frames ${c.rxFrames}`;
}

/**
 * Parses `rx-usecs=N,rx-frames=N` (either or both, in any order; the `ethtool -C` field names, also
 * `rx-usecs N` with spaces). Fields not given are absent from the result, so it can be merged over the
 * current values. Throws a RangeError on an unknown field or a bad number.
 */
export function parseCoalescing(text: string): { rxUsecs?: number; rxFrames?: number } {
  const out: { rxUsecs?: number; rxFrames?: number } = {};
  const parts = text
    .trim()
    .split(/[,\s]+/)
    .filter((s) => s.length > 0);
  for (let i = 0; i < parts.length; i++) {
    let [key, value] = parts[i].split('=', 2);
    if (value === undefined) value = parts[++i];
    if (value === undefined || !/^\d+$/.test(value)) throw new RangeError(`coalescing: ${key} needs a number`);
    const n = Number(value);
    if (key === 'rx-usecs') out.rxUsecs = checkCoalesceValue('coalescing', key, n, COALESCE_MAX_USECS);
    else if (key === 'rx-frames') out.rxFrames = checkCoalesceValue('coalescing', key, n, COALESCE_MAX_FRAMES);
    else throw new RangeError(`coalescing: unknown field '${key}' (known: rx-usecs, rx-frames)`);
  }
  if (parts.length === 0) throw new RangeError('coalescing: nothing given (rx-usecs=N,rx-frames=N)');
  return out;
}
