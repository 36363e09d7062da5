/**
 * Per-host protocol statistics (`netstat -s`): plain numeric counters incremented in place, plus drops by
 * named reason. Every packet a protocol refuses is counted under exactly one reason here, and also on the
 * interface it arrived on (`ifp.counters.drops`), so "where did my packet go" has one answer.
 *
 * Reasons are `<protocol>.<why>`, named constants in `drop-reasons.ts` (`IpDrop.badSum` is `ip.badsum`),
 * counted through core's `DropCounter` (each protocol's `drop` field). The full list is in the README.
 *
 * @module
 */

/** Sum of a drop table. */
export function totalDrops(drops: Record<string, number>): number {
  let n = 0;
  for (const k in drops) n += drops[k];
  return n;
}

/** IPv4 counters (`ipstat`). */
export class IpStats {
  /** Datagrams handed to IP input (fragments count once each). */
  received = 0;
  /** Datagrams passed to an upper-layer protocol. */
  delivered = 0;
  /** Received datagrams whose link padding was trimmed to the IP total length. */
  paddingTrimmed = 0;
  /** Received datagrams with options (skipped, not interpreted). */
  withOptions = 0;
  /** Fragments received. */
  fragmentsReceived = 0;
  /** Datagrams reassembled from fragments. */
  reassembled = 0;
  /** Datagrams originated locally (before fragmentation). */
  sent = 0;
  /** Datagrams fragmented on output. */
  fragmented = 0;
  /** Fragments sent. */
  fragmentsSent = 0;
  /** Input and output drops by reason (`ip.*`). */
  readonly drops: Record<string, number> = {};
}

/** ICMP counters (`icmpstat`). */
export class IcmpStats {
  /** Messages handed to ICMP input. */
  received = 0;
  /** Echo requests answered. */
  echoReplied = 0;
  /** Error messages received with a valid quote (reported to a protocol or ping when one cares). */
  errorsReceived = 0;
  /** Messages received, by type (index = type). */
  readonly inByType: number[] = new Array(256).fill(0);
  /** Messages sent, by type. */
  readonly outByType: number[] = new Array(256).fill(0);
  /** Error messages we would have sent but the rules of RFC 1122 forbid (not a drop of the datagram). */
  errorsSuppressed = 0;
  /** Error messages not sent because of the rate limit. */
  rateLimited = 0;
  /** Errors received and reported to a transport protocol or a ping. */
  errorsReported = 0;
  /** Echo replies matched to a pending ping. */
  echoRepliesMatched = 0;
  /** Input drops by reason (`icmp.*`). */
  readonly drops: Record<string, number> = {};
}

/** UDP counters (`udpstat`). */
export class UdpStats {
  /** Datagrams received from IP. */
  received = 0;
  /** Datagrams queued on a socket. */
  delivered = 0;
  /** Datagrams received without a checksum (zero). */
  noChecksum = 0;
  /** Datagrams sent. */
  sent = 0;
  /** Input and output drops by reason (`udp.*`). */
  readonly drops: Record<string, number> = {};
}
