/**
 * The drop reasons of `@ifnet/inet`, as named constants: every drop is counted under one of these, on the
 * protocol's `stats.drops` and on the interface (`ifp.counters.drops`), through a core `DropCounter`
 * typed with the protocol's union — a misspelt reason is a type error. The README's table says what each
 * one means.
 *
 * @module
 */

/** IPv4 input and output (`ipstat`). */
export const IpDrop = {
  tooShort: 'ip.tooshort',
  badVers: 'ip.badvers',
  badHlen: 'ip.badhlen',
  badLen: 'ip.badlen',
  badSum: 'ip.badsum',
  pullup: 'ip.pullup',
  /** Source multicast, class E or the limited broadcast (RFC 1122 3.2.1.3). */
  badSrc: 'ip.badsrc',
  /** Source is a directed broadcast (or network) address of one of our interfaces. */
  badSrcBcast: 'ip.badsrc.bcast',
  /** Source in 0.0.0.0/8 — 0.0.0.0 itself is allowed only to a broadcast destination (bootstrap). */
  badSrcZero: 'ip.badsrc.zero',
  martian: 'ip.martian',
  /** Received as a link broadcast/multicast but addressed to a unicast IP destination (RFC 1122 3.3.6). */
  linkBcastUnicast: 'ip.linkbcast.unicast',
  notForUs: 'ip.notforus',
  mcastNotJoined: 'ip.mcast.notjoined',
  noProto: 'ip.noproto',
  fragDup: 'ip.frag.dup',
  fragOverlap: 'ip.frag.overlap',
  fragBadLen: 'ip.frag.badlen',
  fragEmpty: 'ip.frag.empty',
  fragTooBig: 'ip.frag.toobig',
  fragTooMany: 'ip.frag.toomany',
  fragEvicted: 'ip.frag.evicted',
  fragMemory: 'ip.frag.memory',
  fragTimeout: 'ip.frag.timeout',
  fragFlushed: 'ip.frag.flushed',
  /** The pool is down to its reserve (`pool.pressure`): fragments are not held, the reserve is for rings. */
  fragMemPressure: 'ip.frag.mempressure',
  /** The interface the fragments arrived on was detached. */
  fragDetached: 'ip.frag.detached',
  outputNoRoute: 'ip.output.noroute',
  outputTooBig: 'ip.output.toobig',
  outputCantFrag: 'ip.output.cantfrag',
  outputNoBufs: 'ip.output.nobufs',
  outputFragNoBufs: 'ip.output.fragnobufs',
} as const;
export type IpDropReason = (typeof IpDrop)[keyof typeof IpDrop];

/** ICMP (`icmpstat`). */
export const IcmpDrop = {
  tooShort: 'icmp.tooshort',
  badSum: 'icmp.badsum',
  pullup: 'icmp.pullup',
  badLen: 'icmp.badlen',
  bmcastEcho: 'icmp.bmcastecho',
  echoBadSrc: 'icmp.echo.badsrc',
  echoReplyUnmatched: 'icmp.echoreply.unmatched',
  unhandled: 'icmp.unhandled',
  outputNoBufs: 'icmp.output.nobufs',
} as const;
export type IcmpDropReason = (typeof IcmpDrop)[keyof typeof IcmpDrop];

/** UDP (`udpstat`) and its sockets. */
export const UdpDrop = {
  tooShort: 'udp.tooshort',
  badLen: 'udp.badlen',
  badSum: 'udp.badsum',
  pullup: 'udp.pullup',
  noPort: 'udp.noport',
  noPortBcast: 'udp.noport.bcast',
  /** The socket's receive queue is full: datagram count or SO_RCVBUF bytes. */
  fullSock: 'udp.fullsock',
  /** The pool is down to its reserve (`pool.pressure`): nothing is queued on sockets, the reserve is for rings. */
  memPressure: 'udp.mempressure',
  /** The echo service refused to answer (broadcast/multicast, or a reflector port: loop protection). */
  echoRefused: 'udp.echo.refused',
  outputNoBufs: 'udp.output.nobufs',
} as const;
export type UdpDropReason = (typeof UdpDrop)[keyof typeof UdpDrop];
