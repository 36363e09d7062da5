/**
 * Interrupt priority levels (NetBSD `IPL_*`, spl(9)). Higher numbers block lower ones: while the CPU
 * runs at level L, only interrupts established above L are taken, and only continuations queued above
 * L may run.
 *
 * - `IPL_NONE`: applications ("process context").
 * - `IPL_SOFTCLOCK`: callouts (timeouts, watchdogs).
 * - `IPL_SOFTNET`: network continuations: interface polls and protocol processing (`splsoftnet`).
 * - `IPL_NET`: network device hardware interrupts (`splnet`, `IPL_VM` in modern NetBSD).
 * - `IPL_CLOCK`: the hardclock tick.
 * - `IPL_HIGH`: everything blocked (`splhigh`).
 */
export const IPL_NONE = 0;
export const IPL_SOFTCLOCK = 1;
export const IPL_SOFTNET = 2;
export const IPL_NET = 3;
export const IPL_CLOCK = 4;
export const IPL_HIGH = 5;

export type Ipl = 0 | 1 | 2 | 3 | 4 | 5;

/** The soft levels continuations may be queued at (kcont's `KC_IPL_DEFER_*`). */
export type SoftIpl = typeof IPL_NONE | typeof IPL_SOFTCLOCK | typeof IPL_SOFTNET;

/** Levels at which a hardware interrupt handler may be established. */
export type HardIpl = typeof IPL_NET | typeof IPL_CLOCK | typeof IPL_HIGH;

export const IPL_NAMES: readonly string[] = ['none', 'softclock', 'softnet', 'net', 'clock', 'high'];

/** Highest soft level + 1: size of per-level queue arrays. */
export const SOFT_LEVELS = 3;
