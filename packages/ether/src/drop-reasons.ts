/**
 * The drop reasons of `@ifnet/ether`, as named constants (a misspelt reason is a type error where the
 * union types are used). Every frame or packet refused is counted under one of these on the interface
 * (`ifp.counters.drops`); ARP's are in `arpFor(host).stats.drops` as well. The README's table says what
 * each one means.
 *
 * @module
 */

/** Ethernet input and output. */
export const EtherDrop = {
  runt: 'ether.runt',
  giant: 'ether.giant',
  pullup: 'ether.pullup',
  badSrc: 'ether.bad-src',
  notOurs: 'ether.not-ours',
  mcastFiltered: 'ether.mcast-filtered',
  badType: 'ether.bad-type',
  vlanRunt: 'ether.vlan-runt',
  noProto: 'ether.noproto',
  vlanTagged: 'ether.vlan-tagged',
  llc: 'ether.8023-llc',
  badDst: 'ether.bad-dst',
  noResolver: 'ether.no-resolver',
  mtu: 'ether.mtu',
  noBufs: 'ether.nobufs',
} as const;
export type EtherDropReason = (typeof EtherDrop)[keyof typeof EtherDrop];

/** ARP input, held packets and requests. */
export const ArpDrop = {
  short: 'arp.short',
  badHrd: 'arp.bad-hrd',
  badPro: 'arp.bad-pro',
  badHln: 'arp.bad-hln',
  badPln: 'arp.bad-pln',
  badOp: 'arp.bad-op',
  badSha: 'arp.bad-sha',
  ownFrame: 'arp.own-frame',
  badSpa: 'arp.bad-spa',
  addrConflict: 'arp.addr-conflict',
  notEther: 'arp.not-ether',
  badDst: 'arp.bad-dst',
  cacheFull: 'arp.cache-full',
  holdOverflow: 'arp.hold-overflow',
  /** The global hold bound (`maxHeldPackets` / `maxHeldBytes`) pushed out the oldest held packet. */
  holdLimit: 'arp.hold-limit',
  /** The pool is down to its reserve (`pool.pressure`): nothing new is held, the reserve is for rings. */
  memPressure: 'arp.mempressure',
  timeout: 'arp.timeout',
  evicted: 'arp.evicted',
  expired: 'arp.expired',
  deleted: 'arp.deleted',
  /** The entry's interface was detached. */
  detached: 'arp.detached',
  noBufs: 'arp.nobufs',
  noSource: 'arp.no-source',
} as const;
export type ArpDropReason = (typeof ArpDrop)[keyof typeof ArpDrop];

/** epair(4). */
export const EpairDrop = {
  rxqFull: 'epair.rxq-full',
  noBufs: 'epair.nobufs',
  peerDown: 'epair.peer-down',
  rxqPurged: 'epair.rxq-purged',
} as const;
export type EpairDropReason = (typeof EpairDrop)[keyof typeof EpairDrop];
