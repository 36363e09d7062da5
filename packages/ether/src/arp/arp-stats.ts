/**
 * ARP statistics of one host (FreeBSD's `struct arpstat`, plus drops by reason). Plain numbers, updated
 * in place.
 *
 * Every ARP packet received ends in exactly one of three places: {@link ArpStats.accepted} (it answered
 * a request for us, resolved or refreshed an entry), {@link ArpStats.ignored} (valid, but neither for us
 * nor from a sender we know: RFC 826 says to discard it), or a drop reason in {@link ArpStats.drops}
 * (also counted on the interface, `iqdrops` and `ifp.counters.drops`). Output-side drops (held packets lost to overflow,
 * timeout or a full cache; bad next hops) are counted the same way, with `oqdrops` on the interface.
 */
export interface ArpStats {
  /** ARP packets handed to ARP input. */
  received: number;
  /** Of those, processed: answered, or used to resolve, add or refresh an entry. */
  accepted: number;
  /** Of those, valid but not for us and from an unknown sender (requests for other hosts, mostly). */
  ignored: number;
  /** Valid requests received (for us or not). */
  rxRequests: number;
  /** Valid replies received (for us or not). */
  rxReplies: number;
  /** Requests sent (first tries and retransmissions; announcements are not counted here). */
  txRequests: number;
  /** Replies sent. */
  txReplies: number;
  /** Gratuitous ARP announcements sent (address configured, or interface up with addresses). */
  txGratuitous: number;
  /** Output lookups answered from a resolved entry. */
  hits: number;
  /** Output lookups that started a resolution (a new incomplete entry). */
  misses: number;
  /** Packets put on a hold queue. */
  held: number;
  /** Held packets sent after the reply came. */
  heldSent: number;
  /** Entries created (incomplete or resolved by an unsolicited packet for us). */
  created: number;
  /** Existing entries updated by a received packet (RFC 826 merge, including gratuitous ARP). */
  updates: number;
  /** Of those, updates that changed the link address of a resolved entry. */
  moved: number;
  /** Incomplete entries that timed out after the last try. */
  timeouts: number;
  /** Resolved entries that expired. */
  expired: number;
  /** Resolved entries evicted to make room (the cache bound). */
  evicted: number;
  /** Incomplete entries evicted to make room when no resolved one was left (their held packets dropped). */
  evictedIncomplete: number;
  /** Packets from another station claiming one of our addresses. */
  conflicts: number;
  /** Calls of the `onUnreachable` hook that threw (the exception is swallowed: ARP never throws). */
  hookErrors: number;
  /** Drops by reason (`arp.short`, `arp.bad-op`, `arp.hold-overflow`, `arp.timeout`, ...). */
  drops: Record<string, number>;
}

export function newArpStats(): ArpStats {
  return {
    received: 0,
    accepted: 0,
    ignored: 0,
    rxRequests: 0,
    rxReplies: 0,
    txRequests: 0,
    txReplies: 0,
    txGratuitous: 0,
    hits: 0,
    misses: 0,
    held: 0,
    heldSent: 0,
    created: 0,
    updates: 0,
    moved: 0,
    timeouts: 0,
    expired: 0,
    evicted: 0,
    evictedIncomplete: 0,
    conflicts: 0,
    hookErrors: 0,
    drops: {},
  };
}
