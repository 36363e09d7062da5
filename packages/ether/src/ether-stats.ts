import { type Ifnet, IfnetState } from '@ifnet/core';
import { type EtherHostState, etherState } from './ether-state.js';
import { OwnAddress } from './own-address.js';

/**
 * Per-interface Ethernet statistics: what the link layer saw, by kind of frame. Drops are not here —
 * they are on the interface (`ifp.counters.drops`, reasons `ether.*`), where every layer counts its own.
 *
 * Plain numeric fields incremented in place: reading or updating them allocates nothing.
 */
export interface EtherStats {
  /** Frames accepted by the destination filter and handed to a protocol (or counted as noproto). */
  rxAccepted: number;
  /** Of those: unicast to our address. */
  rxUnicast: number;
  /** Of those: to the broadcast address. */
  rxBroadcast: number;
  /** Of those: to a multicast group (joined, or passed by `IFF_ALLMULTI`/`IFF_PROMISC`). */
  rxMulticast: number;
  /** 802.1Q / 802.1ad tagged frames seen (in-band tag, or tag stripped by the hardware). */
  rxVlanTagged: number;
  /** Of those: priority-tagged (VID 0), which are untagged and delivered as ordinary frames. */
  rxPriorityTagged: number;
  /** 802.3 frames with a length field (LLC/SNAP): counted, not handled. */
  rxLlc: number;
  /** Frames framed for output (before the send queue). */
  txFramed: number;
  /** Of those: to the broadcast address. */
  txBroadcast: number;
  /** Of those: to a multicast group. */
  txMulticast: number;
}

function newEtherStats(): EtherStats {
  return {
    rxAccepted: 0,
    rxUnicast: 0,
    rxBroadcast: 0,
    rxMulticast: 0,
    rxVlanTagged: 0,
    rxPriorityTagged: 0,
    rxLlc: 0,
    txFramed: 0,
    txBroadcast: 0,
    txMulticast: 0,
  };
}

/**
 * What the Ethernet layer keeps per interface: its statistics, its host's state (for output) and its own
 * address in the form the input filter compares with.
 */
export interface EtherIfData {
  readonly stats: EtherStats;
  readonly host: EtherHostState;
  readonly own: OwnAddress;
}

/** The Ethernet layer's per-interface slot (`ifp.afdata.ether`), created when the link layer attaches it. */
export const ETHER_IF: IfnetState<EtherIfData> = new IfnetState<EtherIfData>('ether', (ifp) => ({
  stats: newEtherStats(),
  host: etherState(ifp.host),
  own: new OwnAddress(),
}));

/** The Ethernet statistics of an interface (created when the link layer attaches it, or on first use). */
export function etherStats(ifp: Ifnet): EtherStats {
  return ETHER_IF.of(ifp).stats;
}
