/**
 * The meeting point with `@ifnet/ether`'s ARP: when an address is configured on an Ethernet interface,
 * ARP must answer for it (and announce it); when it is removed, stop. Everything IPv4 needs from ARP
 * goes through this file.
 *
 * @module
 */
import { IFT_ETHER, type Ifnet } from '@ifnet/core';

/** An address was configured on `ifp`. */
export function linkAddressAdded(ifp: Ifnet, _addr: number): void {
  if (ifp.ifType !== IFT_ETHER) return;
  // ARP has not landed in @ifnet/ether yet.
}

/** An address was removed from `ifp`. */
export function linkAddressRemoved(ifp: Ifnet, _addr: number): void {
  if (ifp.ifType !== IFT_ETHER) return;
}
