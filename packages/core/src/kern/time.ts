/**
 * Time in ifnet is a plain `number` of **nanoseconds**. A double holds integers exactly up to 2^53 ns
 * (about 104 days), far beyond any run. Both clocks (virtual and real) use the same unit so that kernel
 * code, device models and policies never care which one they run on.
 */
export type Nanoseconds = number;

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_SEC = 1_000_000_000;

/** Converts microseconds to nanoseconds. */
export const usec = (us: number): Nanoseconds => us * NS_PER_US;
/** Converts milliseconds to nanoseconds. */
export const msec = (ms: number): Nanoseconds => ms * NS_PER_MS;
/** Converts seconds to nanoseconds. */
export const sec = (s: number): Nanoseconds => s * NS_PER_SEC;
