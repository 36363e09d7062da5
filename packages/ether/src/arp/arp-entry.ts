import { Callout, type Ifnet, MbufQueue } from '@ifnet/core';
import { formatIpv4 } from './ipv4-format.js';

/**
 * State of an ARP cache entry (`struct llentry` flags, simplified):
 *
 * - `incomplete`: a request is out, no reply yet; packets wait on the entry's hold queue; the callout
 *   retransmits every interval and finally times the entry out.
 * - `resolved`: the link address is known; the callout expires the entry at the end of its lifetime.
 * - `static`: added by hand (`arp -s`); never expires, never evicted, never changed by received packets.
 */
export type ArpEntryState = 'incomplete' | 'resolved' | 'static';

/**
 * One ARP cache entry: the link address of `addr` on `ifp`. Created once per resolution with its hold
 * queue and its callout (retransmission while incomplete, expiry once resolved); nothing is allocated for
 * it afterwards.
 */
export class ArpEntry {
  state: ArpEntryState = 'incomplete';
  /** The link address (valid unless incomplete). Updated in place, so it can be handed out for framing. */
  readonly mac = new Uint8Array(6);
  /** Requests sent so far (incomplete entries). */
  tries = 0;
  /** Our address used as sender in requests for this entry (0: none chosen). */
  sip = 0;
  /** Packets waiting for resolution (`la_hold`), oldest first. Change it only through `Arp`'s accounting. */
  readonly hold: MbufQueue;
  /** Storage (`m_truesize`) of the held packets. */
  holdBytes = 0;
  /** The entry's timer. */
  readonly callout: Callout<ArpEntry>;
  /** Host time (ns) the entry was created, and last confirmed by a received packet. */
  readonly createdAt: number;
  confirmedAt = 0;
  /** Host time (ns) at which the entry expires (resolved) or its next try is due (incomplete). */
  deadline = 0;

  constructor(
    readonly ifp: Ifnet,
    readonly addr: number,
    holdQueueLength: number,
    now: number,
    timer: (e: ArpEntry) => void,
  ) {
    this.hold = new MbufQueue(holdQueueLength);
    this.createdAt = now;
    this.callout = new Callout<ArpEntry>(`${ifp.host.name}.arp.${ifp.name}.${formatIpv4(addr)}`, timer, this);
  }
}
