/**
 * Rates over a measured window from two snapshots of a host's counters: drops per second by reason and
 * the CPU's share by context. Shared by the livelock and the offload points.
 */
import { IPL_NAMES } from '@ifnet/core';

/** The driver's copy of the NIC's no-descriptor counter: reported once, as `nic.missed`. */
const DRIVER_MISSED = 'wm.rx.missed';

/**
 * Drops per second by named reason between two snapshots of an interface's `counters.drops`, with the NIC's
 * own missed-frame count (`nic.missed`) first; `software` is the number of software drops in the window.
 */
export function dropRates(
  missed0: number,
  missed1: number,
  drops0: Record<string, number>,
  drops1: Record<string, number>,
  seconds: number,
): { drops: Record<string, number>; software: number } {
  const drops: Record<string, number> = { 'nic.missed': (missed1 - missed0) / seconds };
  let software = 0;
  for (const [reason, n] of Object.entries(drops1)) {
    if (reason === DRIVER_MISSED) continue;
    const d = n - (drops0[reason] ?? 0);
    if (d > 0) {
      drops[reason] = d / seconds;
      software += d;
    }
  }
  return { drops, software };
}

/** Software drops of all time on an interface (for the accounting check). */
export function softwareDrops(drops: Record<string, number>): number {
  let n = 0;
  for (const [reason, v] of Object.entries(drops)) if (reason !== DRIVER_MISSED) n += v;
  return n;
}

/** What {@link cpuShares} reads: `cpu.stats.chargedInterrupt` and a copy of `cpu.stats.chargedSoft`. */
export interface CpuCharges {
  cpuI: number;
  soft: number[];
}

/**
 * Share of the window (0..1) by context: `interrupt`, then each soft level by name (`process` for level 0),
 * and `idle`. With `moved` (ns booked to [interrupt, level 0, 1, 2] that belong to something else — the
 * interrupt-thread model's context switches), those are taken out of their contexts and reported as
 * `switch`.
 */
export function cpuShares(
  s0: CpuCharges,
  s1: CpuCharges,
  seconds: number,
  moved?: readonly number[],
): Record<string, number> {
  const ns = seconds * 1e9;
  const cpu: Record<string, number> = { interrupt: (s1.cpuI - s0.cpuI - (moved?.[0] ?? 0)) / ns };
  let busy = cpu.interrupt;
  for (let l = s1.soft.length - 1; l >= 0; l--) {
    const share = (s1.soft[l] - s0.soft[l] - (moved?.[1 + l] ?? 0)) / ns;
    cpu[l === 0 ? 'process' : IPL_NAMES[l]] = share;
    busy += share;
  }
  if (moved !== undefined) {
    cpu.switch = moved.reduce((a, b) => a + b, 0) / ns;
    busy += cpu.switch;
  }
  cpu.idle = Math.max(0, 1 - busy);
  return cpu;
}
