/**
 * The `ehea` driver's tunables, its control-API types and their validation.
 *
 * @module
 */
import type { InjectionToken } from '@ifnet/core';
import { EHEA_RETA_ENTRIES, EHEA_RSS_KEY_BYTES, RING_MAX } from '../regs.js';

/** The MTU (no jumbo frames in this model). */
export const EHEA_MTU = 1500;

/** Tunables of the `ehea` driver (platform-wide; see `registerEhea`). */
export interface EheaOptions {
  /** Active queues at attach, 1..the device's port resources. Default: all of them. */
  queues?: number;
  /** Receive WQEs per queue (power of two, 8..2048). Default 256. */
  rxEntries?: number;
  /** Send WQEs per queue (power of two, 8..2048). Default 256. */
  txEntries?: number;
  /** Poll budget per queue (NAPI weight). Default 64. */
  weight?: number;
  /** RSS key at attach (40 bytes). Default Microsoft's. */
  rssKey?: Uint8Array;
  /** Transmit watchdog in seconds (`if_timer`). Default 5. */
  watchdogSeconds?: number;
}

/** Optional platform registration of {@link EheaOptions} (done by `registerEhea`). */
export const EHEA_OPTIONS: InjectionToken<EheaOptions> = Symbol.for('@ifnet/ehea:OPTIONS');

/** What `EheaDriver.configure` changes; omitted fields stay as they are. */
export interface EheaConfig {
  /** Active queues (1..max). Changing it takes the interface down and up; the table is reset to spread evenly. */
  queues?: number;
  /** RSS key, 40 bytes. Applied at once. */
  rssKey?: Uint8Array;
  /** Indirection table, 128 queue numbers below the (new) queue count. Applied at once. */
  indirectionTable?: ArrayLike<number>;
}

/** The current RSS configuration (copies). */
export interface EheaRssState {
  queues: number;
  maxQueues: number;
  rssKey: Uint8Array;
  indirectionTable: Uint8Array;
}

/** Driver events that are not packet drops. */
export interface EheaEvents {
  'ehea.rx.nobufs': number;
  'ehea.tx.ring-full': number;
  'ehea.link.changes': number;
  'ehea.watchdog.reset': number;
}

/** Fills an indirection table round-robin over `n` queues (the default spread). */
export function spreadTable(table: Uint8Array, n: number): void {
  for (let i = 0; i < table.length; i++) table[i] = i % n;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function ringSize(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 8 || n > RING_MAX / 2 || (n & (n - 1)) !== 0) {
    throw new RangeError(`ehea: ${what} must be a power of two in 8..${RING_MAX / 2}, got ${n}`);
  }
  return n;
}

/**
 * Checks a configuration against the device (`maxQueues`) and returns the queue count it asks for; throws
 * RangeError, naming the interface, before anything is changed.
 */
export function checkConfig(cfg: EheaConfig, maxQueues: number, current: number, ifname: string): number {
  const queues = cfg.queues ?? current;
  if (!Number.isInteger(queues) || queues < 1 || queues > maxQueues) {
    throw new RangeError(`${ifname}: queues must be 1..${maxQueues}, got ${cfg.queues}`);
  }
  if (cfg.rssKey !== undefined && cfg.rssKey.length !== EHEA_RSS_KEY_BYTES) {
    throw new RangeError(`${ifname}: RSS key must be ${EHEA_RSS_KEY_BYTES} bytes, got ${cfg.rssKey.length}`);
  }
  const table = cfg.indirectionTable;
  if (table !== undefined) {
    if (table.length !== EHEA_RETA_ENTRIES) {
      throw new RangeError(`${ifname}: indirection table must have ${EHEA_RETA_ENTRIES} entries`);
    }
    for (let i = 0; i < table.length; i++) {
      const e = table[i];
      if (!Number.isInteger(e) || e < 0 || e >= queues) {
        throw new RangeError(`${ifname}: indirection entry ${i} = ${e}, must be a queue below ${queues}`);
      }
    }
  }
  return queues;
}
