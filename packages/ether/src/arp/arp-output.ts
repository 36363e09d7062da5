import type { Ifnet, Mbuf } from '@ifnet/core';
import type { ArpStats } from './arp-stats.js';
import { ETHER_HDR_LEN, ETHERTYPE_ARP } from '../ether-header.js';
import { ARP_LEN, writeArp } from './arp-header.js';
import { ArpDrop } from '../drop-reasons.js';

/** The all-zero hardware address: `ar_tha` of requests and announcements. */
export const ZERO_MAC: Uint8Array = new Uint8Array(6);

/**
 * Allocates a packet for a 28-byte ARP payload with leading space for the Ethernet header, so framing
 * prepends in place. Null when the pool is exhausted.
 */
function allocArp(ifp: Ifnet): Mbuf | null {
  const pool = ifp.host.pool;
  const m = pool.msize >= ARP_LEN + ETHER_HDR_LEN ? pool.gethdr() : pool.getcl();
  if (m === null) return null;
  m.off = m.capacity - ARP_LEN;
  m.len = ARP_LEN;
  m.pkthdr.len = ARP_LEN;
  return m;
}

/**
 * Builds an ARP packet from our link address on `ifp` and sends it to `etherDst` through `ifp.output`
 * (so a down interface counts it as `output.down`). `sha` is always the interface's address.
 * Returns whether it was queued; a failure is counted on the interface: `arp.nobufs` (`oerrors`, also in
 * `stats.drops`) when no mbuf was free, or the framing/send-queue reason.
 */
export function sendArp(
  stats: ArpStats,
  ifp: Ifnet,
  op: number,
  spa: number,
  tha: Uint8Array,
  tpa: number,
  etherDst: Uint8Array,
): boolean {
  const m = allocArp(ifp);
  if (m === null) {
    ifp.counters.oerrors++;
    ifp.countDrop(ArpDrop.noBufs);
    stats.drops[ArpDrop.noBufs] = (stats.drops[ArpDrop.noBufs] ?? 0) + 1;
    return false;
  }
  writeArp(m.buf, m.off, op, ifp.lladdr, spa, tha, tpa);
  return ifp.output(m, ETHERTYPE_ARP, etherDst);
}
