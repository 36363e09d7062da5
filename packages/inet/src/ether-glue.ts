/**
 * The meeting point with `@ifnet/ether`'s ARP. Everything IPv4 needs from ARP goes through this file:
 *
 * - an address configured on an Ethernet interface is given to ARP (`arp.addAddress`), which answers
 *   for it and announces it; a removed one is taken back (`arp.removeAddress`);
 * - ARP's `onUnreachable` hook (an incomplete entry timed out with packets held) is answered the BSD way:
 *   an ICMP host unreachable to each held packet's source. The packets are ours (a host does not
 *   forward), so the error loops back through `lo0` and reaches the socket or ping that sent them as an
 *   `unreachable` error.
 *
 * Next hops need no glue: IPv4 output calls `ifp.output(m, 0x0800, nextHop)` with the next hop as a
 * host-order number, which is the contract of ARP's resolver.
 *
 * @module
 */
import { IFT_ETHER, type Ifnet, type Mbuf } from '@ifnet/core';
import { findArp } from '@ifnet/ether';

/** What the glue needs from IPv4: the ICMP error hook. */
export interface UnreachableSink {
  hostUnreachable(m: Mbuf, ifp: Ifnet): void;
}

/** An address was configured on `ifp`. */
export function linkAddressAdded(ifp: Ifnet, addr: number, sink: UnreachableSink): void {
  if (ifp.ifType !== IFT_ETHER) return;
  const arp = findArp(ifp.host);
  if (arp === undefined) return;
  if (arp.onUnreachable === undefined) arp.onUnreachable = (i, _addr, m) => sink.hostUnreachable(m, i);
  arp.addAddress(ifp, addr);
}

/** An address was removed from `ifp`. */
export function linkAddressRemoved(ifp: Ifnet, addr: number): void {
  if (ifp.ifType !== IFT_ETHER) return;
  findArp(ifp.host)?.removeAddress(ifp, addr);
}
