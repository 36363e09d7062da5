import { NS_PER_SEC } from '@ifnet/core';

/**
 * ARP's limits and timers (per host). The lifetime and the number of tries are those of FreeBSD's
 * `net.link.ether.inet.max_age` (1200 s) and `maxtries` (5); one request per second per destination is
 * RFC 1122's flood limit (2.3.2.1). The hold queue is deliberately small, and what all hold queues pin
 * together is bounded too (count and bytes), so a flood of packets to many unresolvable on-link
 * addresses (echo requests from spoofed sources, say) cannot take the pool away from the receive rings.
 */
export interface ArpConfig {
  /** Cache size bound, incomplete entries included. Default 512. */
  maxEntries: number;
  /** Packets held per incomplete entry; older ones are dropped (`arp.hold-overflow`). Default 4. */
  holdQueueLength: number;
  /** Storage (`m_truesize`) held per incomplete entry; older packets are dropped past it. Default 16 KiB. */
  holdQueueBytes: number;
  /** Packets held by all entries together; the oldest held anywhere is dropped past it (`arp.hold-limit`). Default 256. */
  maxHeldPackets: number;
  /** Storage held by all entries together; the oldest held anywhere is dropped past it. Default 256 KiB. */
  maxHeldBytes: number;
  /** Lifetime of a resolved entry from its last confirmation, ns. Default 20 minutes. */
  entryLifetimeNs: number;
  /** Interval between requests for an incomplete entry, ns. Default 1 s. */
  retransmitIntervalNs: number;
  /** Requests sent for an entry before it times out (one interval after the last). Default 5. */
  maxTries: number;
}

export const DEFAULT_ARP_CONFIG: Readonly<ArpConfig> = Object.freeze({
  maxEntries: 512,
  holdQueueLength: 4,
  holdQueueBytes: 16 * 1024,
  maxHeldPackets: 256,
  maxHeldBytes: 256 * 1024,
  entryLifetimeNs: 20 * 60 * NS_PER_SEC,
  retransmitIntervalNs: NS_PER_SEC,
  maxTries: 5,
});

/** Merges `partial` over `base`, checking every value. Throws RangeError naming a bad one. */
export function mergeArpConfig(base: Readonly<ArpConfig>, partial: Partial<ArpConfig> = {}): ArpConfig {
  const c: ArpConfig = { ...base };
  for (const [k, v] of Object.entries(partial) as [keyof ArpConfig, number | undefined][]) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_ARP_CONFIG)) throw new RangeError(`arp: unknown setting ${k}`);
    const integer = k !== 'entryLifetimeNs' && k !== 'retransmitIntervalNs';
    if (typeof v !== 'number' || !(v >= 1) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new RangeError(`arp: ${k} must be ${integer ? 'an integer ' : 'a number '}>= 1, got ${v}`);
    }
    c[k] = v;
  }
  return c;
}
