import { DropCounter, type Host, IFT_ETHER, type Ifnet, LAYER_ARP, M_BCAST, type Mbuf, m_truesize } from '@ifnet/core';
import { ArpDrop, type ArpDropReason } from '../drop-reasons.js';
import { ETHER_BROADCAST, ETHERTYPE_IP, formatMac, macEqual } from '../ether-header.js';
import { ArpCache } from './arp-cache.js';
import { type ArpConfig, DEFAULT_ARP_CONFIG, mergeArpConfig } from './arp-config.js';
import { ArpEntry, type ArpEntryState } from './arp-entry.js';
import { ARP_LEN, ARPOP_REPLY, ARPOP_REQUEST, readU32 } from './arp-header.js';
import { arpInput } from './arp-input.js';
import { sendArp, ZERO_MAC } from './arp-output.js';
import { type ArpStats, newArpStats } from './arp-stats.js';
import { formatIpv4, isIpv4Multicast, isIpv4Number, isIpv4Unusable } from './ipv4-format.js';

// The layer and flag `arpresolve`'s cache hit uses per packet, as this module's own constants: V8 (Node 20)
// folds a module's own `const` into an immediate but reads an imported one from its module's cell, with a
// hole (TDZ) check, at every use.
const LAYER = LAYER_ARP;
const BCAST = M_BCAST;

/**
 * Called for each held packet when its entry times out unanswered, so `@ifnet/inet` can send an ICMP
 * host unreachable to the packet's source. `m` (an IPv4 packet without link header) is valid only during
 * the call: ARP frees it afterwards (counted `arp.timeout`), so copy what you need. A hook that throws is
 * counted in `stats.hookErrors`; the exception does not escape.
 */
export type ArpUnreachableHook = (ifp: Ifnet, addr: number, m: Mbuf) => void;

/** A plain description of one cache entry (`arp -an`). */
export interface ArpEntryInfo {
  /** Interface name. */
  ifname: string;
  /** IPv4 address, unsigned 32-bit. */
  addr: number;
  /** The same, dotted (for reading). */
  address: string;
  /** `aa:bb:cc:dd:ee:ff`, or null while incomplete. */
  mac: string | null;
  state: ArpEntryState;
  /** Requests sent (incomplete entries). */
  tries: number;
  /** Packets held. */
  held: number;
  /** Host time (ns) of expiry (resolved) or of the next try (incomplete); null for static entries. */
  deadline: number | null;
}

/** A plain, JSON-serialisable snapshot of a host's ARP state. */
export interface ArpSnapshot {
  host: string;
  config: ArpConfig;
  size: number;
  incomplete: number;
  /** Packets and storage held on all hold queues. */
  heldPackets: number;
  heldBytes: number;
  stats: ArpStats;
  addresses: Record<string, string[]>;
  entries: ArpEntryInfo[];
}

/**
 * The ARP state of one host (RFC 826 address resolution for IPv4 over Ethernet): the cache, our
 * addresses per interface, the timers, the statistics. Reach it with `arpFor(host)`.
 *
 * ## Output: {@link resolve}
 *
 * Registered as the Ethernet next-hop resolver for `ETHERTYPE_IP`, so `ifp.output(m, 0x0800, nextHop)`
 * ends here. A resolved entry answers at once. Otherwise the packet is held on the entry (at most
 * `holdQueueLength`, the oldest dropped past it as `arp.hold-overflow`), a broadcast request goes out,
 * and the entry's callout retransmits it every `retransmitIntervalNs` until `maxTries` requests are out;
 * one interval after the last, the entry times out and its held packets are dropped (`arp.timeout`),
 * each first shown to {@link onUnreachable}. When the reply comes, the held packets are sent in order.
 * Limited broadcast (255.255.255.255, or a packet flagged `M_BCAST` by IP for a directed broadcast) goes
 * to the Ethernet broadcast address and multicast (224.0.0.0/4) to its mapped group address (RFC 1112),
 * both without a cache entry.
 *
 * ## Input: `arpInput`
 *
 * Validated (hardware type 1, protocol 0x0800, lengths 6 and 4, op 1 or 2, 28 bytes; the sender's
 * hardware address must be unicast and not ours; the sender's protocol address must not be broadcast or
 * multicast, nor one of ours — that is an address conflict), then RFC 826's merge rule: if the sender is
 * in the cache its entry is updated (this is how a gratuitous ARP moves an entry); if the target is one
 * of our addresses, the sender is added if new, and a request is answered. A valid packet that is not
 * for us and updated nothing is ignored (counted in `stats.ignored`, not a drop: it is ordinary traffic
 * on a shared segment).
 *
 * ## The cache
 *
 * At most `maxEntries` entries, incomplete ones included. Making room evicts the resolved entry
 * confirmed longest ago; when every entry is incomplete (or static) a new resolution is refused
 * (`arp.cache-full`). Resolved entries expire `entryLifetimeNs` after their last confirmation.
 */
export class Arp {
  readonly stats: ArpStats = newArpStats();
  /** Drop accounting: `stats.drops` and the interface, by {@link ArpDrop} reason. */
  readonly drop: DropCounter<ArpDropReason> = new DropCounter<ArpDropReason>(this.stats.drops);
  /** Packets held by all entries. */
  private heldCount = 0;
  /** Storage (`m_truesize`) held by all entries. */
  private heldSize = 0;
  /** See {@link ArpUnreachableHook}. */
  onUnreachable: ArpUnreachableHook | undefined;
  private cfg: ArpConfig;
  private readonly cache = new ArpCache();
  private readonly addrs = new Map<Ifnet, number[]>();
  private readonly timerFn = (e: ArpEntry): void => this.timer(e);
  /** Multicast group address handed out by {@link resolve} (framing copies it at once). */
  private readonly mcastMac = new Uint8Array([0x01, 0x00, 0x5e, 0, 0, 0]);
  /** @internal Input scratch: the received ARP packet, copied out of the mbuf chain. */
  readonly scratch = new Uint8Array(ARP_LEN);
  /** @internal Input scratch: the requester's link address, for the reply. */
  readonly peerMac = new Uint8Array(6);

  constructor(
    readonly host: Host,
    config: Partial<ArpConfig> = {},
  ) {
    this.cfg = mergeArpConfig(DEFAULT_ARP_CONFIG, config);
  }

  /** The current settings (a copy is made by {@link configure}; do not mutate). */
  get config(): Readonly<ArpConfig> {
    return this.cfg;
  }

  /**
   * Changes settings at run time. New timers apply from the next arming; a smaller `maxEntries` evicts
   * resolved entries down to it; a new `holdQueueLength` applies to entries created afterwards. Throws
   * RangeError for a bad value (nothing is changed then).
   */
  configure(partial: Partial<ArpConfig>): void {
    this.cfg = mergeArpConfig(this.cfg, partial);
    while (this.cache.size > this.cfg.maxEntries && this.evictOne()) {}
    this.enforceHoldLimits();
  }

  /** Packets held on all entries' hold queues now. */
  get heldPackets(): number {
    return this.heldCount;
  }

  /** Storage (`m_truesize`) held on all entries' hold queues now. */
  get heldBytes(): number {
    return this.heldSize;
  }

  /** Number of cache entries (incomplete ones included). */
  get size(): number {
    return this.cache.size;
  }

  /** Number of incomplete entries. */
  get incomplete(): number {
    return this.cache.incomplete;
  }

  // -----------------------------------------------------------------------------------------------
  // Our addresses

  /**
   * `@ifnet/inet` calls this when it configures IPv4 address `addr` on an Ethernet interface: ARP then
   * answers requests for it, uses it as sender address, and announces it at once with a gratuitous ARP
   * (a request with sender = target = `addr`, RFC 5227's announcement) if the interface is running —
   * otherwise when it comes up. Returns false if it was already configured (nothing is sent).
   * Throws RangeError for a value that is not a unicast IPv4 address or an interface that is not Ethernet.
   */
  addAddress(ifp: Ifnet, addr: number): boolean {
    this.checkConfigArgs(ifp, addr);
    let list = this.addrs.get(ifp);
    if (list === undefined) {
      list = [];
      this.addrs.set(ifp, list);
    }
    if (list.includes(addr)) return false;
    list.push(addr);
    // What the cache knew about this address belonged to someone else.
    const stale = this.cache.get(ifp, addr);
    if (stale !== undefined) this.removeEntry(stale, ArpDrop.deleted);
    if (ifp.running) this.announce(ifp, addr);
    return true;
  }

  /** The address is no longer ours (inet removed it). Returns whether it was configured. */
  removeAddress(ifp: Ifnet, addr: number): boolean {
    const list = this.addrs.get(ifp);
    const i = list === undefined ? -1 : list.indexOf(addr);
    if (i < 0) return false;
    list!.splice(i, 1);
    return true;
  }

  /** Our addresses on `ifp`, in the order they were added. */
  addresses(ifp: Ifnet): readonly number[] {
    return this.addrs.get(ifp) ?? [];
  }

  /** Whether `addr` is one of our addresses on `ifp`. */
  isLocal(ifp: Ifnet, addr: number): boolean {
    const list = this.addrs.get(ifp);
    if (list === undefined) return false;
    for (let i = 0; i < list.length; i++) if (list[i] === addr) return true;
    return false;
  }

  /** Sends a gratuitous ARP for `addr` on `ifp` now. Returns whether it was queued. */
  announce(ifp: Ifnet, addr: number): boolean {
    const ok = sendArp(this.stats, ifp, ARPOP_REQUEST, addr, ZERO_MAC, addr, ETHER_BROADCAST);
    if (ok) this.stats.txGratuitous++;
    return ok;
  }

  /** @internal Interface state listener: an interface coming up announces its addresses. */
  ifStateChanged(ifp: Ifnet): void {
    if (!ifp.running) return;
    const list = this.addrs.get(ifp);
    if (list !== undefined) for (const a of list) this.announce(ifp, a);
  }

  // -----------------------------------------------------------------------------------------------
  // Output

  /**
   * The next-hop resolver for IPv4 (`arpresolve`): the link address for `dst` on `ifp`, or null when the
   * packet was taken — held until resolution, or dropped and counted (`arp.bad-dst` for a `dst` that is
   * not an IPv4 number or is 0 or class E; `arp.cache-full`; `arp.hold-overflow` for the packet pushed
   * out of the hold queue). The returned array is read at once by the framing and must not be kept.
   */
  resolve(ifp: Ifnet, m: Mbuf, dst: unknown): Uint8Array | null {
    this.host.cpu.chargeLayerId(LAYER);
    // The common case first, small (V8 inlines it where its budget allows): a unicast next hop (an IPv4
    // number that is not 0, class D or E, nor the limited broadcast) of a packet not marked broadcast,
    // resolved in the cache. Anything else takes the full path, which decides it from the start.
    if (isIpv4Number(dst) && (m.flags & BCAST) === 0 && !isIpv4Unusable(dst)) {
      const e = this.cache.get(ifp, dst);
      if (e !== undefined && e.state !== 'incomplete') {
        this.stats.hits++;
        return e.mac;
      }
    }
    return this.resolveFull(ifp, m, dst);
  }

  /** {@link resolve} after its charge, every case: broadcast, multicast, bad next hops, misses. */
  private resolveFull(ifp: Ifnet, m: Mbuf, dst: unknown): Uint8Array | null {
    if (!isIpv4Number(dst)) {
      this.dropOut(ifp, m, ArpDrop.badDst);
      return null;
    }
    if ((dst | 0) === -1 || (m.flags & M_BCAST) !== 0) return ETHER_BROADCAST;
    if (isIpv4Multicast(dst)) {
      const g = this.mcastMac;
      g[3] = (dst >>> 16) & 0x7f;
      g[4] = (dst >>> 8) & 0xff;
      g[5] = dst & 0xff;
      return g;
    }
    if (isIpv4Unusable(dst)) {
      this.dropOut(ifp, m, ArpDrop.badDst);
      return null;
    }
    let e = this.cache.get(ifp, dst);
    if (e !== undefined) {
      if (e.state !== 'incomplete') {
        this.stats.hits++;
        return e.mac;
      }
      this.hold(e, m);
      return null;
    }
    if (!this.makeRoom()) {
      this.dropOut(ifp, m, ArpDrop.cacheFull);
      return null;
    }
    e = new ArpEntry(ifp, dst >>> 0, this.cfg.holdQueueLength, this.host.now(), this.timerFn);
    this.cache.insert(e);
    this.stats.created++;
    this.stats.misses++;
    this.hold(e, m);
    this.request(e);
    return null;
  }

  // -----------------------------------------------------------------------------------------------
  // Input

  /** ARP input (`arpintr`/`in_arpinput`), registered for `ETHERTYPE_ARP`. Owns `m`. Never throws. */
  input(m: Mbuf, off: number, ifp: Ifnet): void {
    arpInput(this, m, off, ifp);
  }

  /** @internal Input: a packet processed without a drop; frees it. */
  accept(m: Mbuf): void {
    this.stats.accepted++;
    m.pool.freem(m);
  }

  /** @internal Input: a valid packet that is neither for us nor about a known sender; frees it. */
  ignore(m: Mbuf): void {
    this.stats.ignored++;
    m.pool.freem(m);
  }

  /** @internal Input: a rejected packet; frees it and counts the reason here and on the interface. */
  dropIn(ifp: Ifnet, m: Mbuf, reason: ArpDropReason): void {
    this.drop.dropInput(m, ifp, reason);
  }

  /**
   * @internal Input, RFC 826's merge step: if `spa` is in the cache for `ifp`, update its link address
   * from `src[off..off+6)`. Returns whether an entry was found (static entries are found but not changed).
   */
  merge(ifp: Ifnet, spa: number, src: Uint8Array, off: number): boolean {
    const e = this.cache.get(ifp, spa);
    if (e === undefined) return false;
    if (e.state !== 'static') this.confirm(e, src, off);
    return true;
  }

  /**
   * @internal Input: a packet for us from a sender not in the cache — add it, resolved (if the cache has
   * room: otherwise it is simply not remembered).
   */
  learn(ifp: Ifnet, spa: number, src: Uint8Array, off: number): void {
    if (!this.makeRoom()) return;
    const e = new ArpEntry(ifp, spa, this.cfg.holdQueueLength, this.host.now(), this.timerFn);
    for (let i = 0; i < 6; i++) e.mac[i] = src[off + i];
    e.state = 'resolved';
    e.confirmedAt = this.host.now();
    this.cache.insert(e);
    this.stats.created++;
    this.armExpiry(e);
  }

  /** @internal Input: answers a request for our address `spa` from `tha`/`tpa` (unicast to `tha`). */
  reply(ifp: Ifnet, spa: number, tha: Uint8Array, tpa: number): void {
    if (sendArp(this.stats, ifp, ARPOP_REPLY, spa, tha, tpa, tha)) this.stats.txReplies++;
  }

  // -----------------------------------------------------------------------------------------------
  // Administration (`arp -a`, `arp -s`, `arp -d`)

  /** The entry for `addr` on `ifp`, described, or undefined. */
  lookup(ifp: Ifnet, addr: number): ArpEntryInfo | undefined {
    const e = this.cache.get(ifp, addr);
    return e === undefined ? undefined : describe(e);
  }

  /** Every entry, described. */
  entries(): ArpEntryInfo[] {
    return Array.from(this.cache.entries(), describe);
  }

  /**
   * `arp -s`: adds (or replaces) a static entry: never expires, never evicted, not changed by received
   * packets. Packets held for the address are sent to `mac`. Throws RangeError for bad arguments or when
   * the cache is full of entries that cannot be evicted.
   */
  addStatic(ifp: Ifnet, addr: number, mac: Uint8Array): void {
    this.checkConfigArgs(ifp, addr);
    if (mac.length !== 6 || (mac[0] & 1) !== 0) throw new RangeError('arp: static entry needs a unicast MAC');
    let e = this.cache.get(ifp, addr);
    if (e === undefined) {
      if (!this.makeRoom()) throw new RangeError('arp: cache full');
      e = new ArpEntry(ifp, addr, this.cfg.holdQueueLength, this.host.now(), this.timerFn);
      e.state = 'static';
      e.mac.set(mac);
      this.cache.insert(e);
      this.stats.created++;
      return;
    }
    const from = e.state;
    e.state = 'static';
    e.mac.set(mac);
    e.deadline = 0;
    this.host.callouts.stop(e.callout);
    this.cache.changed(e, from);
    this.sendHeld(e);
  }

  /**
   * `arp -d`: removes the entry for `addr` on `ifp`. Held packets are dropped (`arp.deleted`). Returns
   * whether there was one.
   */
  delete(ifp: Ifnet, addr: number): boolean {
    const e = this.cache.get(ifp, addr);
    if (e === undefined) return false;
    this.removeEntry(e, ArpDrop.deleted);
    return true;
  }

  /** Removes every entry (of `ifp`, or of all interfaces), static ones included. Returns how many. */
  flush(ifp?: Ifnet): number {
    const victims = Array.from(ifp === undefined ? this.cache.entries() : this.cache.entriesOf(ifp));
    for (const e of victims) this.removeEntry(e, ArpDrop.deleted);
    return victims.length;
  }

  /**
   * `arp_ifdetach`: `ifp` is leaving the host. Removes its entries — stopping their timers and dropping
   * what they hold (`arp.detached`) — and forgets our addresses on it.
   */
  ifDetach(ifp: Ifnet): void {
    for (const e of Array.from(this.cache.entriesOf(ifp))) this.removeEntry(e, ArpDrop.detached);
    this.addrs.delete(ifp);
  }

  /** A plain, JSON-serialisable snapshot: settings, counters, addresses, entries. */
  snapshot(): ArpSnapshot {
    const addresses: Record<string, string[]> = {};
    for (const [ifp, list] of this.addrs) if (list.length > 0) addresses[ifp.name] = list.map(formatIpv4);
    return {
      host: this.host.name,
      config: { ...this.cfg },
      size: this.cache.size,
      incomplete: this.cache.incomplete,
      heldPackets: this.heldCount,
      heldBytes: this.heldSize,
      stats: { ...this.stats, drops: { ...this.stats.drops } },
      addresses,
      entries: this.entries(),
    };
  }

  // -----------------------------------------------------------------------------------------------
  // Internals

  private checkConfigArgs(ifp: Ifnet, addr: number): void {
    if (ifp.ifType !== IFT_ETHER) throw new RangeError(`arp: ${ifp.name} is not an Ethernet interface`);
    if (!isIpv4Number(addr) || addr < 0 || isIpv4Unusable(addr)) {
      throw new RangeError(`arp: ${String(addr)} is not a unicast IPv4 address (unsigned 32-bit number)`);
    }
  }

  /** Frees an outgoing packet and counts the reason here and on the interface (`oqdrops`). */
  private dropOut(ifp: Ifnet, m: Mbuf, reason: ArpDropReason): void {
    this.drop.dropOutput(m, ifp, reason);
  }

  /**
   * Puts `m` on the entry's hold queue (`la_hold`). Past the entry's bounds (`holdQueueLength`,
   * `holdQueueBytes`) its oldest packets are pushed out (`arp.hold-overflow`); past the global ones
   * (`maxHeldPackets`, `maxHeldBytes`) the oldest packets held anywhere are (`arp.hold-limit`). Takes `m`.
   */
  private hold(e: ArpEntry, m: Mbuf): void {
    if (m.pool.pressure) {
      // Only the pool's reserve (for receive rings) is left: hold nothing more.
      this.dropOut(e.ifp, m, ArpDrop.memPressure);
      return;
    }
    const size = m_truesize(m);
    const cfg = this.cfg;
    while (e.hold.length > 0 && (e.hold.full || e.holdBytes + size > cfg.holdQueueBytes)) {
      this.dropOut(e.ifp, this.unhold(e)!, ArpDrop.holdOverflow);
    }
    if (size > cfg.holdQueueBytes || !e.hold.enqueue(m)) {
      this.dropOut(e.ifp, m, ArpDrop.holdOverflow); // larger than a whole hold queue: never held
      return;
    }
    e.holdBytes += size;
    this.heldCount++;
    this.heldSize += size;
    this.stats.held++;
    this.enforceHoldLimits();
  }

  /** Takes the oldest packet off an entry's hold queue, keeping the accounting exact. */
  private unhold(e: ArpEntry): Mbuf | null {
    const m = e.hold.dequeue();
    if (m === null) return null;
    const size = m_truesize(m);
    e.holdBytes -= size;
    this.heldCount--;
    this.heldSize -= size;
    return m;
  }

  /** Drops the oldest held packets (oldest incomplete entry first) until the global bounds hold. */
  private enforceHoldLimits(): void {
    const cfg = this.cfg;
    while (this.heldCount > cfg.maxHeldPackets || this.heldSize > cfg.maxHeldBytes) {
      const e = this.cache.oldestHolding();
      if (e === undefined) return;
      this.dropOut(e.ifp, this.unhold(e)!, ArpDrop.holdLimit);
    }
  }

  /**
   * Evicts one entry to make room: the resolved entry confirmed longest ago, else the oldest incomplete
   * one (its held packets dropped, `arp.evicted`). False when only static entries are left.
   */
  private evictOne(): boolean {
    const resolved = this.cache.oldestResolved();
    if (resolved !== undefined) {
      this.stats.evicted++;
      this.removeEntry(resolved, ArpDrop.evicted);
      return true;
    }
    const incomplete = this.cache.oldestIncomplete();
    if (incomplete === undefined) return false;
    this.stats.evictedIncomplete++;
    this.removeEntry(incomplete, ArpDrop.evicted);
    return true;
  }

  /** Evicts entries until a new one fits. False when nothing evictable is left (all static). */
  private makeRoom(): boolean {
    while (this.cache.size >= this.cfg.maxEntries) if (!this.evictOne()) return false;
    return true;
  }

  /** Takes an entry out of the cache, stops its timer and drops what it holds under `reason`. */
  private removeEntry(e: ArpEntry, reason: ArpDropReason): void {
    this.host.callouts.stop(e.callout);
    this.cache.remove(e);
    for (let m = this.unhold(e); m !== null; m = this.unhold(e)) this.dropOut(e.ifp, m, reason);
  }

  /**
   * Our sender address for a request to `dst` on `ifp`: the source of the packet that triggered it when
   * that is ours (what the peer will answer to), else our address sharing the longest prefix with `dst`
   * (the one on its subnet, without knowing the netmask), else 0 (none configured).
   */
  private chooseSource(ifp: Ifnet, dst: number, m: Mbuf | null): number {
    const list = this.addrs.get(ifp);
    if (list === undefined || list.length === 0) return 0;
    if (m !== null && m.len >= 20 && m.buf[m.off] >>> 4 === 4) {
      const src = readU32(m.buf, m.off + 12);
      if (list.includes(src)) return src;
    }
    let best = list[0];
    let bestLen = Math.clz32(best ^ dst);
    for (let i = 1; i < list.length; i++) {
      const l = Math.clz32(list[i] ^ dst);
      if (l > bestLen) {
        best = list[i];
        bestLen = l;
      }
    }
    return best;
  }

  /** Sends (or retransmits) the request of an incomplete entry and arms the next try. */
  private request(e: ArpEntry): void {
    if (e.sip === 0 || !this.isLocal(e.ifp, e.sip)) e.sip = this.chooseSource(e.ifp, e.addr, e.hold.peek());
    e.tries++;
    if (e.sip === 0) {
      e.ifp.counters.oerrors++;
      e.ifp.countDrop(ArpDrop.noSource);
      this.drop.count(ArpDrop.noSource);
    } else if (sendArp(this.stats, e.ifp, ARPOP_REQUEST, e.sip, ZERO_MAC, e.addr, ETHER_BROADCAST)) {
      this.stats.txRequests++;
    }
    const ns = this.cfg.retransmitIntervalNs;
    e.deadline = this.host.now() + ns;
    this.host.callouts.reset(e.callout, this.host.ticksFor(ns));
  }

  private armExpiry(e: ArpEntry): void {
    const ns = this.cfg.entryLifetimeNs;
    e.deadline = this.host.now() + ns;
    this.host.callouts.reset(e.callout, this.host.ticksFor(ns));
  }

  /** A received packet confirms `e`'s link address (resolving it if incomplete). */
  private confirm(e: ArpEntry, src: Uint8Array, off: number): void {
    const from = e.state;
    if (from === 'resolved' && !macEqual(e.mac, 0, src, off)) this.stats.moved++;
    for (let i = 0; i < 6; i++) e.mac[i] = src[off + i];
    e.state = 'resolved';
    e.confirmedAt = this.host.now();
    this.stats.updates++;
    this.cache.changed(e, from);
    this.armExpiry(e);
    this.sendHeld(e);
  }

  /** Sends the packets held on a now known entry, oldest first. */
  private sendHeld(e: ArpEntry): void {
    for (let m = this.unhold(e); m !== null; m = this.unhold(e)) {
      this.stats.heldSent++;
      e.ifp.output(m, ETHERTYPE_IP, e.mac);
    }
  }

  /** The entry's callout: retransmit, time out, or expire. */
  private timer(e: ArpEntry): void {
    if (this.cache.get(e.ifp, e.addr) !== e) return; // removed meanwhile
    if (e.state === 'incomplete') {
      if (e.tries < this.cfg.maxTries) {
        this.request(e);
        return;
      }
      this.stats.timeouts++;
      this.host.callouts.stop(e.callout);
      this.cache.remove(e);
      for (let m = this.unhold(e); m !== null; m = this.unhold(e)) {
        const hook = this.onUnreachable;
        if (hook !== undefined) {
          try {
            hook(e.ifp, e.addr, m);
          } catch {
            this.stats.hookErrors++;
          }
        }
        this.dropOut(e.ifp, m, ArpDrop.timeout);
      }
      return;
    }
    if (e.state === 'resolved') {
      this.stats.expired++;
      this.removeEntry(e, ArpDrop.expired);
    }
  }
}

function describe(e: ArpEntry): ArpEntryInfo {
  return {
    ifname: e.ifp.name,
    addr: e.addr,
    address: formatIpv4(e.addr),
    mac: e.state === 'incomplete' ? null : formatMac(e.mac),
    state: e.state,
    tries: e.tries,
    held: e.hold.length,
    deadline: e.state === 'static' ? null : e.deadline,
  };
}
