/**
 * IPv4 (RFC 791, with the host requirements of RFC 1122): one {@link Inet} instance per host holds the
 * interface addresses, the routing table, the reassembly queues and the statistics, and implements
 * `ip_input` and `ip_output`.
 *
 * ## Input
 *
 * {@link Inet.input} is registered for ethertype 0x0800 in the host's ethertype table, so a link layer
 * calls it straight from `if_input`. It checks, in this order, and drops with a counted reason at the
 * first failure (`ip.*` on {@link IpStats.drops} and on the interface):
 *
 * 1. at least 20 bytes (`ip.tooshort`), version 4 (`ip.badvers`), header length 20..60 and present
 *    (`ip.badhlen`), header checksum (`ip.badsum`; a hardware verdict in `pkthdr.csumFlags` is
 *    trusted);
 * 2. total length: not below the header (`ip.badlen`), not beyond the frame (`ip.tooshort`); link padding
 *    beyond it (Ethernet's 60-byte minimum) is trimmed with `m_adj`;
 * 3. addresses: a source that cannot be a single host — multicast, class E, limited broadcast —
 *    (`ip.badsrc`); 127/8 arriving on a non-loopback interface (`ip.martian`); a destination that is
 *    one of our addresses, the limited or a directed broadcast of the receiving interface, or a multicast
 *    group it joined — anything else is someone else's datagram, and this host does not forward
 *    (`ip.notforus`, `ip.mcast.notjoined`). TTL matters only to forwarding: RFC 1122 3.2.1.7 says a
 *    host must not drop a datagram for itself because of its TTL;
 * 4. options are skipped (the payload starts at the header length; none is interpreted);
 * 5. fragments go to reassembly ({@link Reassembly});
 * 6. dispatch by protocol number through the host's `ip-protocol` table (256 entries), with `off` = the
 *    header length and the IP header still in front, so ICMP and UDP can read addresses and quote it. An
 *    unregistered protocol gets an ICMP protocol unreachable (rate limited, RFC 1122 rules) and is counted
 *    (`ip.noproto`, and `noproto` on the interface).
 *
 * ## Output
 *
 * {@link Inet.output} prepends the header, routes (longest prefix match; limited broadcast and multicast
 * go out of a chosen interface), picks the source address, and either hands the datagram to
 * `ifp.output(m, 0x0800, nextHop)` — the next hop being the gateway or the destination, which ARP
 * resolves on Ethernet — or fragments it at the interface MTU. With DF set, a datagram larger than the
 * MTU is dropped, counted (`ip.output.cantfrag`) and reported to the caller as `msgsize`.
 *
 * @module
 */
import {
  assertOwnMbuf,
  hostOwnsChain,
  DropCounter,
  type DispatchTable,
  type Host,
  HostState,
  IFF_LOOPBACK,
  IFF_MULTICAST,
  IFT_ETHER,
  type Ifnet,
  IfnetState,
  LAYER_IPV4,
  M_BCAST,
  M_CSUM_IPv4,
  M_CSUM_IPv4_BAD,
  M_LOOP,
  M_MCAST,
  type Mbuf,
  m_adj,
  m_freem,
  m_prepend,
  m_pullup,
  m_split,
} from '@ifnet/core';
import { ETHER_BROADCAST } from '@ifnet/ether';
import {
  INADDR_ALLHOSTS_GROUP,
  INADDR_ANY,
  IN_LOOPBACKNET,
  type InAddrLike,
  formatAddr,
  isExperimental,
  isMulticast,
  multicastMac,
  parsePrefix,
  toAddr,
} from './addr.js';
import { cksumBytes, cksumView } from './cksum.js';
import { InetError } from './errors.js';
import {
  ICMP_TIMXCEED,
  ICMP_TIMXCEED_REASS,
  ICMP_UNREACH,
  ICMP_UNREACH_HOST,
  ICMP_UNREACH_PROTOCOL,
} from './icmp-header.js';
import { linkAddressAdded, linkAddressRemoved } from './ether-glue.js';
import {
  IPDEFTTL,
  IPVERSION,
  IP_DF,
  IP_DST,
  IP_HDR_LEN,
  IP_ID,
  IP_LEN,
  IP_MAXPACKET,
  IP_MF,
  IP_OFF,
  IP_OFFMASK,
  IP_P,
  IP_SRC,
  IP_SUM,
  IP_TTL,
  IP_VHL,
} from './ip-header.js';
import { Reassembly, type ReassemblyLimits } from './reass.js';
import { type RouteEntry, RouteTable } from './route.js';
import { IpStats } from './stats.js';
import { IpDrop, type IpDropReason } from './drop-reasons.js';
import { checkUint } from './validate.js';

/** Ethertype of IPv4. */
export const ETHERTYPE_IP = 0x0800;

/** An address configured on an interface (`struct in_ifaddr`). */
export interface IfAddr {
  readonly ifp: Ifnet;
  readonly addr: number;
  readonly prefixLen: number;
  readonly mask: number;
  readonly network: number;
  /** Directed broadcast address, or 0 for /31 and /32 (no broadcast). */
  readonly broadcast: number;
}

/** What IPv4 keeps per interface (`if_afdata[AF_INET]`), in the typed slot {@link INET_IF}. */
export interface InetIfData {
  readonly addrs: IfAddr[];
  /** Multicast groups joined (host-order addresses). */
  readonly groups: Set<number>;
}

/** IPv4's per-interface slot (`ifp.afdata.inet`). */
export const INET_IF: IfnetState<InetIfData> = new IfnetState<InetIfData>('inet', () => ({
  addrs: [],
  groups: new Set(),
}));

/** The per-interface IPv4 data of `ifp`, created on first use. */
export function inetIfData(ifp: Ifnet): InetIfData {
  return INET_IF.of(ifp);
}

/** Options of {@link Inet.output}. Reuse one object on hot paths. */
export interface IpOutputOptions {
  /** Time to live. Default {@link Inet.defaultTtl}. */
  ttl?: number;
  /** Type of service. Default 0. */
  tos?: number;
  /** Set DF: never fragment; too big for the MTU is the `msgsize` error. */
  df?: boolean;
  /** Send out of this interface (limited broadcast, multicast); default: route lookup. */
  ifp?: Ifnet;
}

/**
 * What {@link Inet.output} did with a datagram. `ok`: handed to the interface (which may still drop it
 * later, counted there). Every other value means the datagram was dropped and counted: `dropped` (the
 * interface refused it), `nobufs`, `no-route`, `msgsize` (larger than IPv4 allows, or than the MTU with
 * DF set).
 */
export type IpOutputStatus = 'ok' | 'dropped' | 'nobufs' | 'no-route' | 'msgsize';

/** See {@link Inet.outputHook}. */
export type IpOutputHook = (m: Mbuf, src: number, dst: number, proto: number, opts: IpOutputOptions) => boolean;

/** See {@link Inet.inputHook}. */
export type IpInputHook = (m: Mbuf, hlen: number, proto: number, ifp: Ifnet) => boolean;

/** Per-host IPv4 configuration. */
export interface InetOptions {
  /** Reassembly limits (see {@link ReassemblyLimits}). */
  reassembly?: Partial<ReassemblyLimits>;
  /** Default TTL of datagrams we originate. Default 64. */
  defaultTtl?: number;
  /** Configure 127.0.0.1/8 on `lo0` at attach. Default true. */
  loopbackAddress?: boolean;
}

/** The ICMP hooks IPv4 needs (installed by the ICMP module). */
export interface IcmpErrorSink {
  /**
   * Sends an ICMP error about datagram `m` (IP header at offset 0, contiguous). **Borrows `m`**: the
   * caller still owns and frees it. Applies RFC 1122's rules and the rate limit itself.
   */
  error(m: Mbuf, type: number, code: number, ifp: Ifnet | null, nextMtu?: number): void;
}

/**
 * A transport protocol's `pr_ctlinput`: told by ICMP about an error concerning a datagram it sent. `m` is
 * the ICMP message (**borrowed**: do not free or keep it), `off` the offset of the quoted IP header in it;
 * the quoted header and the 8 bytes after it are present, though not necessarily contiguous (read them
 * with `m_getByte` / `m_getUint16` / `m_getUint32` or `m_copydata`).
 */
export type CtlInput = (type: number, code: number, m: Mbuf, off: number) => void;

const NO_OPTIONS: IpOutputOptions = Object.freeze({});
/** 255.255.255.255 in signed form (`INADDR_BROADCAST | 0`). */
const INADDR_BROADCAST_I32 = -1;
// The layer, header offsets, flags and values `ip_input` and `ip_output` use per packet, as this module's
// own constants: V8 (Node 20) folds a module's own `const` into an immediate but reads an imported one
// from the exporting module's cell, with a hole (TDZ) check, at every use (drivers/e1000's README).
const LAYER = LAYER_IPV4;
const HDR_LEN = IP_HDR_LEN;
const MAXPACKET = IP_MAXPACKET;
const VERSION = IPVERSION;
/** Version 4 and a 20-byte header, the first byte of every header `ip_output` writes. */
const VHL = (IPVERSION << 4) | (IP_HDR_LEN >>> 2);
const VHL_OFF = IP_VHL;
const ID_OFF = IP_ID;
const OFF_OFF = IP_OFF;
const TTL_OFF = IP_TTL;
const P_OFF = IP_P;
const SRC_OFF = IP_SRC;
const DST_OFF = IP_DST;
const DF = IP_DF;
const FRAG_BITS = IP_MF | IP_OFFMASK;
const CSUM_IP = M_CSUM_IPv4;
const CSUM_IP_BAD = M_CSUM_IPv4_BAD;
const BCAST = M_BCAST;
const MCAST = M_MCAST;
const BCAST_MCAST = M_BCAST | M_MCAST;
/** The mbuf flags a locally originated datagram keeps: not a received packet's link-level marks. */
const OUT_FLAGS_KEPT = ~(M_BCAST | M_MCAST | M_LOOP);
const LOOPBACK = IFF_LOOPBACK;
const LOOPBACKNET = IN_LOOPBACKNET;
const ANY = INADDR_ANY;
const ETHER = IFT_ETHER;
const TYPE_IP = ETHERTYPE_IP;
// Core's functions `ip_output` calls per datagram, bound the same way: an imported function is read from
// its module's cell, with a hole check and a compare against the function V8 inlined, at each call site.
const ownsChain = hostOwnsChain;
const prepend = m_prepend;
// `ip_input`'s common-case test writes its values as literals (it must stay under V8's 460-byte inlining
// limit); they are tied to the named constants here, so a changed constant fails at module load, not silently.
if (
  IP_HDR_LEN !== 20 ||
  IFF_LOOPBACK !== 0x8 ||
  (M_BCAST | M_MCAST) !== 0x300 ||
  (M_CSUM_IPv4 | M_CSUM_IPv4_BAD) !== 0xc0 ||
  M_CSUM_IPv4 !== 0x40 ||
  VHL !== 0x45 ||
  FRAG_BITS !== 0x3fff ||
  IN_LOOPBACKNET !== 127 ||
  IP_OFF !== 6 ||
  IP_P !== 9 ||
  IP_SRC !== 12 ||
  IP_DST !== 16
) {
  throw new Error('inet: ip_input common-case literals no longer match the named constants');
}
/** Link destinations of the output path: unicast to a next hop, link broadcast, link multicast. */
const LINK_UNICAST = 0;
const LINK_BCAST = 1;
const LINK_MCAST = 2;

/**
 * IPv4 on one host. Get it with {@link inetFor}; it exists once the `inet` protocol module is attached.
 */
export class Inet {
  readonly host: Host;
  readonly stats = new IpStats();
  /** Drop accounting: `stats.drops` and the interface, by {@link IpDrop} reason. */
  readonly drop: DropCounter<IpDropReason> = new DropCounter<IpDropReason>(this.stats.drops);
  readonly routes: RouteTable;
  /** The host's `ip-protocol` dispatch table (256 entries): ICMP, UDP and others register here. */
  readonly protocols: DispatchTable;
  readonly reassembly: Reassembly;
  private ttlDefault: number;
  /** Installed by the ICMP module; without it no ICMP error is ever sent. */
  icmp: IcmpErrorSink | undefined;
  /** `pr_ctlinput` by protocol number (see {@link setCtlInput}). */
  readonly ctlInputs: (CtlInput | undefined)[] = new Array(256).fill(undefined);
  /**
   * Output security hook (BSD's `ipsec4_output` call in `ip_output`, Linux's `xfrm_lookup`): when set, every
   * locally originated datagram is offered to it first; returning true means it took ownership of `m`
   * (e.g. `@ifnet/ipsec` encrypts it and calls `output` again with protocol 50, which it declines).
   */
  outputHook: IpOutputHook | undefined = undefined;
  /**
   * Inbound security hook (BSD's `ipsec4_in_reject` in `ip_input`/`udp_input`, Linux's
   * `xfrm4_policy_check`): when set, every datagram IP input is about to hand to its protocol (after
   * reassembly) is offered to it first; returning true means it refused the datagram and took ownership
   * of `m` (counted and freed it), e.g. `@ifnet/ipsec` when an inbound policy says the traffic must arrive
   * in ESP. Datagrams ESP decapsulates do not pass here again (ESP checks them against its SA itself).
   */
  inputHook: IpInputHook | undefined = undefined;
  /**
   * Our unicast addresses (any interface: the weak host model of BSD), keyed by `addr | 0`: an int32 is a
   * small integer to V8, while a uint32 above 2^31 (192.168.x.x) is a heap number that every lookup on the
   * data path would box.
   */
  private readonly local = new Map<number, IfAddr>();
  /**
   * Our directed broadcast and network addresses (prefixes shorter than /31), with how many configured
   * addresses give each: the source check of every received datagram is one lookup here.
   */
  private readonly bcasts = new Map<number, number>(); // keyed by `addr | 0`, as `local`
  /**
   * Input's last answers from {@link local} and {@link bcasts} (as `addr | 0`): a stream from one peer to
   * one of our addresses skips both map lookups. Forgotten whenever an address is added or removed, the
   * only changes to those maps. "None" is the limited broadcast (-1), which neither can hold — it is never
   * one of our addresses, and a source of 240/4 is dropped before the cache is consulted — so the fields
   * stay small integers (a NaN made them double fields: a heap-number load and a float compare per
   * packet); the compares that could meet a -1 rule it out themselves.
   */
  private lastLocalDst = INADDR_BROADCAST_I32;
  private lastUnicastSrc = INADDR_BROADCAST_I32;
  private readonly removedListeners: ((ia: IfAddr) => void)[] = [];
  private nextIdent = 1;
  /** Header bytes kept while fragmenting (one per host: output never re-enters itself). */
  private readonly hdrScratch = new Uint8Array(60);
  // Result of the last `resolve` (fields instead of an object: the output path allocates nothing).
  private rIfp: Ifnet | null = null;
  private rNextHop = 0;
  private rSrc = 0;
  private rLink = LINK_UNICAST;
  /**
   * The route cache (BSD's `struct route` kept by a caller of `ip_output`, one entry): the unicast
   * destination `rcDst` (signed form) resolved without an interface hint went through `rcRoute`, to
   * `rcNextHop` with link kind `rcLink`. Valid while the table's generation is `rcGen` and no address
   * was added or removed since (both change what {@link resolve} answers; adding or removing an address
   * clears it). A stream of replies to one peer skips the prefix scan and the broadcast check.
   */
  private rcRoute: RouteEntry | null = null;
  private rcDst = 0;
  private rcGen = 0;
  private rcNextHop = 0;
  private rcLink = LINK_UNICAST;

  constructor(host: Host, options: InetOptions = {}) {
    this.host = host;
    this.ttlDefault = checkUint('inet defaultTtl', options.defaultTtl ?? IPDEFTTL, 1, 255);
    this.routes = new RouteTable((ifp, dst) => this.sourceOn(ifp, dst));
    this.protocols = host.dispatchTable('ip-protocol', 256);
    this.reassembly = new Reassembly(host, this.stats, this.drop, options.reassembly ?? {}, (first, ifp) =>
      this.icmp?.error(first, ICMP_TIMXCEED, ICMP_TIMXCEED_REASS, ifp),
    );
    if (options.loopbackAddress !== false && host.lo0 !== undefined) this.addAddress(host.lo0, '127.0.0.1/8');
  }

  /** TTL of datagrams we originate (`net.inet.ip.ttl`): 1..255, else {@link InetError} `invalid`. */
  get defaultTtl(): number {
    return this.ttlDefault;
  }

  set defaultTtl(ttl: number) {
    this.ttlDefault = checkUint('inet defaultTtl', ttl, 1, 255);
  }

  /** @internal ARP gave up on a next hop: ICMP host unreachable to the source of a held packet (borrowed). */
  hostUnreachable(m: Mbuf, ifp: Ifnet): void {
    this.icmp?.error(m, ICMP_UNREACH, ICMP_UNREACH_HOST, ifp);
  }

  /** Registers the `pr_ctlinput` of IP protocol `proto`, which ICMP calls with errors about it. */
  setCtlInput(proto: number, fn: CtlInput): void {
    if (this.ctlInputs[proto] !== undefined) throw new Error(`inet: ctlinput for protocol ${proto} already set`);
    this.ctlInputs[proto] = fn;
  }

  // ---------------------------------------------------------------------------------------------------
  // Addresses

  /**
   * `ifconfig <ifp> inet a.b.c.d/len`: configures an address. Adds the connected route for its network
   * (unless /32) and a local host route through `lo0`; on Ethernet, tells ARP to answer for it. Throws
   * {@link InetError}: `bad-address` (not a usable unicast address), `exists` (already configured on this
   * host).
   */
  addAddress(ifp: Ifnet, spec: string): IfAddr {
    const p = parsePrefix(spec);
    const a = p.addr;
    if (
      a === INADDR_ANY ||
      isMulticast(a) ||
      isExperimental(a) ||
      (p.len < 31 && (a === p.network || a === (p.network | ~p.mask) >>> 0))
    ) {
      throw new InetError('bad-address', `${spec} is not a usable unicast address`);
    }
    if (this.local.has(a | 0)) throw new InetError('exists', `${formatAddr(a)} is already configured`);
    this.forgetAddressCaches();
    const ia: IfAddr = {
      ifp,
      addr: a,
      prefixLen: p.len,
      mask: p.mask,
      network: p.network,
      broadcast: p.len < 31 ? (p.network | ~p.mask) >>> 0 : 0,
    };
    const data = inetIfData(ifp);
    data.addrs.push(ia);
    this.local.set(a | 0, ia);
    if (ia.broadcast !== 0) {
      this.bcasts.set(ia.broadcast | 0, (this.bcasts.get(ia.broadcast | 0) ?? 0) + 1);
      this.bcasts.set(ia.network | 0, (this.bcasts.get(ia.network | 0) ?? 0) + 1);
    }
    if (
      p.len < 32 &&
      !this.routes
        .entries()
        .some((r) => r.kind === 'connected' && r.ifp === ifp && r.dst === p.network && r.prefixLen === p.len)
    ) {
      this.routes.insert(p.network, p.len, 0, ifp, a, 'connected');
    }
    const lo = this.host.lo0;
    if (lo !== undefined) this.routes.insert(a, 32, 0, lo, a, 'local');
    if ((ifp.flags & IFF_MULTICAST) !== 0 && !data.groups.has(INADDR_ALLHOSTS_GROUP))
      this.joinGroup(ifp, INADDR_ALLHOSTS_GROUP);
    linkAddressAdded(ifp, a, this);
    return ia;
  }

  /**
   * Removes an address from `ifp`, with its local route, its connected route when no other address on
   * `ifp` is in that network, and the static routes through `ifp` whose gateway is no longer on an
   * attached network. Throws {@link InetError} `not-found`.
   */
  removeAddress(ifp: Ifnet, addr: InAddrLike): IfAddr {
    const a = toAddr(addr);
    const data = inetIfData(ifp);
    const i = data.addrs.findIndex((x) => x.addr === a);
    if (i < 0) throw new InetError('not-found', `${formatAddr(a)} is not configured on ${ifp.name}`);
    const [ia] = data.addrs.splice(i, 1);
    this.forgetAddressCaches();
    this.local.delete(a | 0);
    if (ia.broadcast !== 0) {
      for (const x of [ia.broadcast, ia.network]) {
        const n = (this.bcasts.get(x | 0) ?? 0) - 1;
        if (n > 0) this.bcasts.set(x | 0, n);
        else this.bcasts.delete(x | 0);
      }
    }
    this.routes.removeWhere((r) => r.kind === 'local' && r.dst === a && r.prefixLen === 32);
    if (!data.addrs.some((x) => x.network === ia.network && x.prefixLen === ia.prefixLen)) {
      this.routes.removeWhere(
        (r) => r.kind === 'connected' && r.ifp === ifp && r.dst === ia.network && r.prefixLen === ia.prefixLen,
      );
    }
    this.routes.removeWhere(
      (r) =>
        r.kind === 'static' &&
        r.ifp === ifp &&
        r.gateway !== 0 &&
        !data.addrs.some((x) => (r.gateway & x.mask) >>> 0 === x.network),
    );
    linkAddressRemoved(ifp, a);
    for (const l of this.removedListeners) l(ia);
    return ia;
  }

  /** Called with each address removed (by {@link removeAddress} or a detach), after the removal. */
  onAddressRemoved(listener: (ia: IfAddr) => void): void {
    this.removedListeners.push(listener);
  }

  /**
   * `in_ifdetach`: `ifp` is leaving the host (the `inet` module's `ifDetach`). Removes its addresses
   * (telling ARP and the address listeners: UDP reports it to sockets bound to them), its multicast
   * groups, every route through it, and frees the fragments that arrived on it (`ip.frag.detached`).
   */
  ifDetach(ifp: Ifnet): void {
    const data = INET_IF.find(ifp);
    if (data !== undefined) {
      for (const ia of [...data.addrs]) this.removeAddress(ifp, ia.addr);
      for (const g of [...data.groups]) this.leaveGroup(ifp, g);
    }
    this.routes.removeWhere((r) => r.ifp === ifp);
    this.reassembly.ifDetach(ifp);
    INET_IF.clear(ifp);
  }

  /** Addresses of `ifp`, or of every interface. */
  addresses(ifp?: Ifnet): IfAddr[] {
    if (ifp !== undefined) return [...inetIfData(ifp).addrs];
    return [...this.local.values()];
  }

  /** Whether `addr` is one of our unicast addresses. */
  isLocal(addr: number): boolean {
    // Input's last local destination answers an echo responder's question about the same packet without
    // a Map lookup (the limited broadcast is never local, whatever a cache holds).
    const a = addr | 0;
    return (a === this.lastLocalDst && a !== INADDR_BROADCAST_I32) || this.local.has(a);
  }

  /** The address record of one of our addresses. */
  localAddress(addr: number): IfAddr | undefined {
    return this.local.get(addr | 0);
  }

  /** Joins a multicast group on `ifp` (on Ethernet, also its link-layer group address). */
  joinGroup(ifp: Ifnet, group: InAddrLike): void {
    const g = toAddr(group);
    if (!isMulticast(g)) throw new InetError('bad-address', `${formatAddr(g)} is not a multicast group`);
    const data = inetIfData(ifp);
    if (data.groups.has(g)) return;
    data.groups.add(g);
    if (ifp.ifType === IFT_ETHER) ifp.joinMulticast(multicastMac(g));
  }

  /** Leaves a multicast group on `ifp`. */
  leaveGroup(ifp: Ifnet, group: InAddrLike): void {
    const g = toAddr(group);
    const data = inetIfData(ifp);
    if (!data.groups.delete(g)) return;
    if (ifp.ifType === IFT_ETHER) ifp.leaveMulticast(multicastMac(g));
  }

  /**
   * An address was added or removed: forgets input's last {@link local} / {@link bcasts} answers and the
   * route cache (the cached route's link kind and source depend on the addresses).
   */
  private forgetAddressCaches(): void {
    this.lastLocalDst = INADDR_BROADCAST_I32;
    this.lastUnicastSrc = INADDR_BROADCAST_I32;
    this.rcRoute = null;
  }

  /** A source address on `ifp` for reaching `dst`: the address in dst's network, else the first one, else 0. */
  sourceOn(ifp: Ifnet, dst: number): number {
    const addrs = inetIfData(ifp).addrs;
    for (let i = 0; i < addrs.length; i++) if ((dst & addrs[i].mask) >>> 0 === addrs[i].network) return addrs[i].addr;
    return addrs.length > 0 ? addrs[0].addr : 0;
  }

  // ---------------------------------------------------------------------------------------------------
  // Input

  /**
   * `ip_input`: the `pr_input` of ethertype 0x0800. `off` is where the IP header starts (0 from link
   * layers, which trim their header). **Owns `m`**: it is delivered to an upper protocol (which then owns
   * it), held for reassembly, or freed and counted. Never throws for any content of `m`.
   *
   * The common datagram — a 20-byte header the NIC verified, no padding, not a fragment, from the peer
   * and to the address of ours seen last (input's caches), unicast on a non-loopback interface, no input
   * hook — passes every check of {@link inputChecked} with nothing to count on the way, so it is told by
   * one compound test here and dispatched straight away; anything else takes the full sequence, which
   * counts and drops exactly as before (it has no side effect until its first drop or counter, so
   * nothing happens twice). The point is size: at under V8's 460-byte inlining limit, `ip_input` is
   * inlined into `ether_input`'s call of it (no call frame, no second check of `m` and `ifp`), where the
   * full function (2 KiB of bytecode) was always a call.
   */
  readonly input = (m: Mbuf, off: number, ifp: Ifnet): void => {
    this.host.cpu.chargeLayerId(LAYER);
    const st = this.stats;
    st.received++;
    // The test's values are literals, their names beside them: each use of a module constant is a
    // context-slot load of 6 bytes of bytecode (10 in a bundle), which would take this past the limit.
    if (
      off === 0 &&
      m.len >= 20 /* IP_HDR_LEN */ &&
      (ifp.flags & 0x8) /* IFF_LOOPBACK */ === 0 &&
      (m.flags & 0x300) /* M_BCAST | M_MCAST */ === 0 &&
      (m.pkthdr.csumFlags & 0xc0) /* M_CSUM_IPv4 | M_CSUM_IPv4_BAD */ === 0x40 /* M_CSUM_IPv4 */ &&
      this.inputHook === undefined
    ) {
      const v = m.view;
      const o = m.off;
      const w0 = v.getInt32(o);
      const w6 = v.getInt32(o + 6); // IP_OFF, IP_TTL, IP_P
      const src = v.getInt32(o + 12); // IP_SRC
      const dst = v.getInt32(o + 16); // IP_DST
      const s8 = src >>> 24;
      const d8 = dst >>> 24;
      if (
        w0 >>> 24 === 0x45 /* IPVERSION, 20-byte header */ &&
        (w0 & 0xffff) === m.pkthdr.len &&
        (w6 & 0x3fff0000) /* IP_MF | IP_OFFMASK */ === 0 &&
        s8 !== 0 &&
        s8 !== 127 /* IN_LOOPBACKNET */ &&
        s8 < 224 &&
        d8 !== 127 &&
        src === this.lastUnicastSrc &&
        dst === this.lastLocalDst &&
        dst !== -1 /* INADDR_BROADCAST */
      ) {
        const e = this.protocols.select(w6 & 0xff);
        if (e !== undefined) {
          st.delivered++;
          e.input(m, 20, ifp);
        } else this.noProtocol(m, ifp);
        return;
      }
    }
    this.inputChecked(m, off, ifp);
  };

  /**
   * {@link input} past its charge and `received` count, every check in order (the list at the top of this
   * module), for what the common-case test there does not pass.
   */
  private inputChecked(m: Mbuf, off: number, ifp: Ifnet): void {
    const st = this.stats;
    if (off > 0) m_adj(m, off);
    const len = m.pkthdr.len;
    if (len < HDR_LEN) {
      this.drop.dropInput(m, ifp, IpDrop.tooShort);
      return;
    }
    if (m.len < HDR_LEN) {
      const n = m_pullup(m, HDR_LEN);
      if (n === null) {
        this.drop.countInput(ifp, IpDrop.pullup);
        return;
      }
      m = n;
    }
    let v = m.view;
    let o = m.off;
    // The first word: version, header length, TOS and total length in one load.
    const w0 = v.getInt32(o);
    const vhl = w0 >>> 24;
    if (vhl >>> 4 !== VERSION) {
      this.drop.dropInput(m, ifp, IpDrop.badVers);
      return;
    }
    const hlen = (vhl & 0x0f) << 2;
    if (hlen < HDR_LEN || hlen > len) {
      this.drop.dropInput(m, ifp, IpDrop.badHlen);
      return;
    }
    if (m.len < hlen) {
      const n = m_pullup(m, hlen);
      if (n === null) {
        this.drop.countInput(ifp, IpDrop.pullup);
        return;
      }
      m = n;
      v = m.view;
      o = m.off;
    }
    const csum = m.pkthdr.csumFlags;
    if ((csum & CSUM_IP) !== 0) {
      if ((csum & CSUM_IP_BAD) !== 0) {
        this.drop.dropInput(m, ifp, IpDrop.badSum);
        return;
      }
    } else if (cksumView(m.view, o, hlen) !== 0xffff) {
      // No hardware verdict: the software sum, with 32-bit loads through the mbuf's view.
      this.drop.dropInput(m, ifp, IpDrop.badSum);
      return;
    }
    const ipLen = w0 & 0xffff;
    if (ipLen < hlen) {
      this.drop.dropInput(m, ifp, IpDrop.badLen);
      return;
    }
    if (ipLen > len) {
      this.drop.dropInput(m, ifp, IpDrop.tooShort);
      return;
    }
    if (len > ipLen) {
      m_adj(m, ipLen - len);
      st.paddingTrimmed++;
    }
    if (hlen > HDR_LEN) st.withOptions++;
    // Addresses signed (int32): small integers to V8 whatever the address, compared with the caches and
    // used as map keys as they are (a uint32 at or above 128.0.0.0 would be a heap number).
    const src = v.getInt32(o + SRC_OFF);
    const dst = v.getInt32(o + DST_OFF);
    // RFC 1122 3.2.1.3: multicast (224/4) and class E (240/4, the limited broadcast included) cannot
    // be a source, nor can a broadcast address of ours: answering one would go to a whole subnet.
    if (src >>> 24 >= 224) {
      this.drop.dropInput(m, ifp, IpDrop.badSrc);
      return;
    }
    if (src !== this.lastUnicastSrc) {
      if (this.bcasts.has(src)) {
        this.drop.dropInput(m, ifp, IpDrop.badSrcBcast);
        return;
      }
      this.lastUnicastSrc = src;
    }
    const loopback = (ifp.flags & LOOPBACK) !== 0;
    if (!loopback && (src >>> 24 === LOOPBACKNET || dst >>> 24 === LOOPBACKNET)) {
      this.drop.dropInput(m, ifp, IpDrop.martian);
      return;
    }
    let local = dst === this.lastLocalDst && dst !== INADDR_BROADCAST_I32;
    if (!local && this.local.has(dst)) {
      local = true;
      this.lastLocalDst = dst;
    }
    // {0, 0} only from a host that does not know its address yet, to a broadcast; {0, host} never.
    if (src >>> 24 === 0 && (src !== ANY || local || isMulticast(dst))) {
      this.drop.dropInput(m, ifp, IpDrop.badSrcZero);
      return;
    }
    if (local) {
      // RFC 1122 3.3.6: a link-level broadcast must carry an IP broadcast or multicast destination.
      if ((m.flags & BCAST_MCAST) !== 0 && !loopback) {
        this.drop.dropInput(m, ifp, IpDrop.linkBcastUnicast);
        return;
      }
    } else {
      if (isMulticast(dst)) {
        const data = INET_IF.find(ifp);
        if (data === undefined || !data.groups.has(dst >>> 0)) {
          this.drop.dropInput(m, ifp, IpDrop.mcastNotJoined);
          return;
        }
        m.flags |= MCAST;
      } else if (dst === INADDR_BROADCAST_I32 || dst === ANY || this.isBroadcastOn(ifp, dst)) {
        m.flags |= BCAST;
      } else {
        this.drop.dropInput(m, ifp, IpDrop.notForUs);
        return;
      }
    }
    let h = hlen;
    // Flags/fragment offset, TTL and protocol (bytes 6–9) in one load through the view already in hand,
    // instead of a 16-bit view load and a byte load through the mbuf's `buf`.
    const w6 = v.getInt32(o + OFF_OFF);
    let p = w6 & 0xff;
    if (((w6 >>> 16) & FRAG_BITS) !== 0) {
      st.fragmentsReceived++;
      const whole = this.reassembly.input(m, hlen, ifp);
      if (whole === null) return;
      m = whole;
      h = (m.buf[m.off + VHL_OFF] & 0x0f) << 2;
      p = m.buf[m.off + P_OFF];
    }
    if (this.inputHook?.(m, h, p, ifp) === true) return;
    // The table's dispatch written out (`select`, then the call here), as in Ethernet input: this call
    // site sees IPv4's protocols only, not every table's, so V8 calls the protocol's input directly.
    const e = this.protocols.select(p);
    if (e !== undefined) {
      st.delivered++;
      e.input(m, h, ifp);
    } else this.noProtocol(m, ifp);
  }

  /** No protocol registered for the datagram's: ICMP protocol unreachable, counted `ip.noproto`. */
  private noProtocol(m: Mbuf, ifp: Ifnet): void {
    this.icmp?.error(m, ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, ifp);
    this.drop.noProto(m, ifp, IpDrop.noProto);
  }

  /**
   * Whether `dst` is a directed broadcast (or the network address, BSD's old broadcast) of an address on
   * `ifp`. `dst` unsigned or in its signed form (`dst | 0`).
   */
  isBroadcastOn(ifp: Ifnet, dst: number): boolean {
    const data = INET_IF.find(ifp);
    if (data === undefined) return false;
    const addrs = data.addrs;
    for (let i = 0; i < addrs.length; i++) {
      const ia = addrs[i];
      if (ia.broadcast !== 0 && ((dst | 0) === (ia.broadcast | 0) || (dst | 0) === (ia.network | 0))) return true;
    }
    return false;
  }

  /**
   * Whether `addr` is a broadcast (or network) address of any of our interfaces, or the limited broadcast.
   * `addr` unsigned or in its signed form (`addr | 0`).
   */
  isBroadcast(addr: number): boolean {
    // Input's last source found in no broadcast of ours answers an echo responder's question about the
    // same packet without a Map lookup.
    const a = addr | 0;
    if (a === INADDR_BROADCAST_I32) return true;
    return a !== this.lastUnicastSrc && this.bcasts.has(a);
  }

  // ---------------------------------------------------------------------------------------------------
  // Output

  /**
   * The route cache's answer for `dst` (signed form) without an interface hint: fills the `r*` fields as
   * {@link resolve} would and returns true, or returns false when it does not hold `dst` (or is stale).
   * Callers ask it before {@link resolve} (which fills it). Small, so V8 inlines it into {@link output}:
   * a hit costs no call.
   */
  private routeCached(dst: number, src: number, hint: Ifnet | undefined): boolean {
    const rc = this.rcRoute;
    if (rc === null || dst !== this.rcDst || hint !== undefined || this.rcGen !== this.routes.generation) return false;
    rc.use++; // what the lookup would have counted
    this.rIfp = rc.ifp;
    this.rNextHop = this.rcNextHop;
    this.rLink = this.rcLink;
    this.rSrc = src !== INADDR_ANY ? src : rc.src;
    return true;
  }

  /**
   * Routes `dst` and fills the `r*` fields: interface, next hop, source (`src` if given, else the
   * interface address), link destination kind. Returns false when there is no route. `dst` and `src` in
   * signed form (`| 0`): small integers whatever the address, so nothing here boxes them. Does not consult
   * the route cache (its callers ask {@link routeCached} first); a unicast lookup without a hint fills it.
   */
  private resolve(dst: number, src: number, hint: Ifnet | undefined): boolean {
    let ifp: Ifnet | null = null;
    let nextHop = dst;
    let link = LINK_UNICAST;
    let rt: RouteEntry | undefined;
    if (dst === INADDR_BROADCAST_I32 || isMulticast(dst)) {
      link = dst === INADDR_BROADCAST_I32 ? LINK_BCAST : LINK_MCAST;
      if (hint !== undefined) ifp = hint;
      else if (src !== INADDR_ANY && this.local.has(src | 0)) ifp = this.local.get(src | 0)!.ifp;
      else {
        if (link === LINK_MCAST) rt = this.routes.lookup(dst);
        ifp = rt !== undefined ? rt.ifp : this.defaultBroadcastInterface(link === LINK_MCAST);
      }
    } else if (hint !== undefined) {
      ifp = hint;
      if (this.isBroadcastOn(hint, dst)) link = LINK_BCAST;
    } else {
      rt = this.routes.lookup(dst);
      if (rt !== undefined) {
        ifp = rt.ifp;
        if (rt.gateway !== 0) nextHop = rt.gateway;
        else if (rt.kind === 'connected' && this.isBroadcastOn(ifp, dst)) link = LINK_BCAST;
        this.rcRoute = rt;
        this.rcDst = dst;
        this.rcGen = this.routes.generation;
        this.rcNextHop = nextHop;
        this.rcLink = link;
      }
    }
    if (ifp === null) return false;
    this.rIfp = ifp;
    this.rNextHop = nextHop;
    this.rLink = link;
    this.rSrc = src !== INADDR_ANY ? src : rt !== undefined ? rt.src : this.sourceOn(ifp, dst);
    return true;
  }

  /** First interface that is up, not loopback, with an address (and multicast-capable if asked). */
  private defaultBroadcastInterface(multicast: boolean): Ifnet | null {
    for (const ifp of this.host.interfaces) {
      if (!ifp.up || (ifp.flags & IFF_LOOPBACK) !== 0) continue;
      if (multicast && (ifp.flags & IFF_MULTICAST) === 0) continue;
      if (inetIfData(ifp).addrs.length > 0) return ifp;
    }
    return this.host.lo0 ?? null;
  }

  /**
   * The source address a datagram to `dst` would get (`in_pcbladdr`), or -1 when there is no route.
   * Transport protocols call it to compute pseudo-header checksums before {@link output}.
   */
  selectSource(dst: number, hint?: Ifnet): number {
    const d = dst | 0;
    return this.routeCached(d, INADDR_ANY, hint) || this.resolve(d, INADDR_ANY, hint) ? this.rSrc >>> 0 : -1;
  }

  /**
   * `ip_output`: sends `m` — a transport payload (a UDP datagram, an ICMP message) with a packet header
   * and no IP header — from `src` (0: chosen from the route) to `dst` as protocol `proto`. Prepends the
   * IP header, routes, fragments if the datagram is larger than the MTU (or drops it with DF set), and
   * hands it to `ifp.output(m, 0x0800, nextHop)`.
   *
   * **Takes ownership of `m` in every case.** Returns what happened ({@link IpOutputStatus}); every
   * status but `ok` is a counted drop (`ip.output.*`). Addresses are unsigned 32-bit numbers or their
   * signed form (`a | 0`): protocols answering a packet pass the signed form, which stays a small integer
   * (an unsigned address at or above 128.0.0.0 is a heap number wherever it crosses a call); an
   * {@link outputHook} sees them unsigned. Throws for misuse only: a foreign or free mbuf
   * (core's `assertOwnMbuf`, MbufError, before anything is taken: the caller keeps `m`); an address,
   * protocol, TTL or TOS out of range ({@link InetError} `invalid`, `m` freed).
   */
  output(m: Mbuf, src: number, dst: number, proto: number, opts: IpOutputOptions = NO_OPTIONS): IpOutputStatus {
    this.host.cpu.chargeLayerId(LAYER);
    if (!ownsChain(this.host, m)) assertOwnMbuf(this.host, m, 'ip_output');
    const ttl = opts.ttl;
    const tos = opts.tos;
    if (
      ((src | 0) !== src && src >>> 0 !== src) ||
      ((dst | 0) !== dst && dst >>> 0 !== dst) ||
      (proto & 0xff) !== proto ||
      (ttl !== undefined && (ttl & 0xff) !== ttl) ||
      (tos !== undefined && (tos & 0xff) !== tos)
    ) {
      m_freem(m);
      if ((src | 0) !== src) checkUint('ip_output: src', src, 0, 0xffffffff);
      if ((dst | 0) !== dst) checkUint('ip_output: dst', dst, 0, 0xffffffff);
      checkUint('ip_output: protocol', proto, 0, 255);
      if (ttl !== undefined) checkUint('ip_output: ttl', ttl, 0, 255);
      checkUint('ip_output: tos', tos, 0, 255);
    }
    if (this.outputHook?.(m, src >>> 0, dst >>> 0, proto, opts) === true) return 'ok';
    dst |= 0;
    if (!this.routeCached(dst, src | 0, opts.ifp) && !this.resolve(dst, src | 0, opts.ifp)) {
      this.drop.dropOutput(m, null, IpDrop.outputNoRoute);
      return 'no-route';
    }
    const ifp = this.rIfp!;
    const total = m.pkthdr.len + HDR_LEN;
    if (total > MAXPACKET) {
      this.drop.dropOutput(m, ifp, IpDrop.outputTooBig);
      return 'msgsize';
    }
    const n = prepend(m, HDR_LEN);
    if (n === null) {
      this.drop.countOutput(ifp, IpDrop.outputNoBufs);
      return 'nobufs';
    }
    m = n;
    // A locally originated datagram: whatever the mbuf carried from an earlier life (a received packet
    // reused for a reply) must not leak into its framing.
    m.flags &= OUT_FLAGS_KEPT;
    m.pkthdr.rcvif = null;
    m.pkthdr.csumFlags = 0;
    const o = m.off;
    const df = opts.df === true;
    const id = this.nextIdent;
    this.nextIdent = (id + 1) & 0xffff;
    const vhlTos = (VHL << 8) | (opts.tos ?? 0);
    const offWord = df ? DF : 0;
    const ttlProto = ((opts.ttl ?? this.ttlDefault) << 8) | proto;
    const ipSrc = this.rSrc;
    // The checksum (RFC 1071) summed from the header's 16-bit words as they are built, not read back
    // (at most 9 * 0xffff: two folds), and the header written as five 32-bit words. A datagram that is
    // fragmented gets each fragment's checksum in `fragment`.
    let sum =
      vhlTos + total + id + offWord + ttlProto + (ipSrc >>> 16) + (ipSrc & 0xffff) + (dst >>> 16) + (dst & 0xffff);
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = ~((sum & 0xffff) + (sum >>> 16)) & 0xffff;
    const v = m.view;
    v.setInt32(o + VHL_OFF, (vhlTos << 16) | total);
    v.setInt32(o + ID_OFF, (id << 16) | offWord);
    v.setInt32(o + TTL_OFF, (ttlProto << 16) | sum);
    v.setUint32(o + SRC_OFF, ipSrc);
    v.setUint32(o + DST_OFF, dst);
    this.stats.sent++;
    const nextHop = this.rNextHop;
    const link = this.rLink;
    if (total <= ifp.mtu) {
      return this.transmit(m, ifp, nextHop, link, dst);
    }
    if (df) {
      this.drop.dropOutput(m, ifp, IpDrop.outputCantFrag);
      return 'msgsize';
    }
    return this.fragment(m, IP_HDR_LEN, ifp, nextHop, link, dst);
  }

  /** Hands one finished datagram to the interface. Owns `m`. */
  private transmit(m: Mbuf, ifp: Ifnet, nextHop: number, link: number, dst: number): IpOutputStatus {
    let linkDst: unknown = nextHop;
    if (ifp.ifType === ETHER && link !== LINK_UNICAST)
      linkDst = link === LINK_BCAST ? ETHER_BROADCAST : multicastMac(dst);
    return ifp.output(m, TYPE_IP, linkDst) ? 'ok' : 'dropped';
  }

  /**
   * `ip_fragment`: cuts datagram `m` (header of `hlen` bytes at the front, checksum not yet written) into
   * fragments that fit `ifp.mtu` and sends them. Every fragment is built before the first is sent, so a
   * pool exhaustion half-way sends nothing (`ip.output.fragnobufs`). Owns `m`.
   */
  private fragment(m: Mbuf, hlen: number, ifp: Ifnet, nextHop: number, link: number, dst: number): IpOutputStatus {
    const chunk = (ifp.mtu - hlen) & ~7;
    if (chunk < 8) {
      this.drop.dropOutput(m, ifp, IpDrop.outputCantFrag);
      return 'msgsize';
    }
    const hdr = this.hdrScratch;
    const b = m.buf;
    const o = m.off;
    for (let i = 0; i < hlen; i++) hdr[i] = b[o + i];
    const origOff = (hdr[IP_OFF] << 8) | hdr[IP_OFF + 1];
    const origMf = (origOff & IP_MF) !== 0;
    const baseOff = (origOff & IP_OFFMASK) << 3;
    const dataLen = m.pkthdr.len - hlen;
    // Build the chain of fragments, linked through nextpkt.
    let head: Mbuf | null = null;
    let tail: Mbuf | null = null;
    let rest: Mbuf | null = m;
    let pos = 0;
    let ok = true;
    while (rest !== null && pos < dataLen) {
      const first = pos === 0;
      const take = Math.min(chunk, dataLen - pos);
      let frag: Mbuf | null = rest;
      if (first) {
        rest = pos + take < dataLen ? m_split(frag, hlen + take) : null;
      } else {
        rest = pos + take < dataLen ? m_split(frag, take) : null;
      }
      if (pos + take < dataLen && rest === null) {
        // m_split failed: `frag` still holds everything left.
        m_freem(frag);
        ok = false;
        break;
      }
      if (!first) {
        frag = m_prepend(frag, hlen);
        if (frag === null) {
          ok = false;
          break;
        }
        const fb = frag.buf;
        const fo = frag.off;
        for (let i = 0; i < hlen; i++) fb[fo + i] = hdr[i];
      }
      const fb = frag.buf;
      const fo = frag.off;
      const flen = hlen + take;
      const more = pos + take < dataLen || origMf;
      const offWord = (origOff & IP_DF) | (more ? IP_MF : 0) | (((baseOff + pos) >>> 3) & IP_OFFMASK);
      fb[fo + IP_LEN] = flen >>> 8;
      fb[fo + IP_LEN + 1] = flen & 0xff;
      fb[fo + IP_OFF] = offWord >>> 8;
      fb[fo + IP_OFF + 1] = offWord & 0xff;
      writeHeaderChecksum(fb, fo, hlen);
      frag.nextpkt = null;
      if (tail === null) head = frag;
      else tail.nextpkt = frag;
      tail = frag;
      pos += take;
    }
    if (!ok) {
      if (rest !== null) m_freem(rest);
      for (let f = head; f !== null; ) {
        const next: Mbuf | null = f.nextpkt;
        f.nextpkt = null;
        m_freem(f);
        f = next;
      }
      this.drop.countOutput(ifp, IpDrop.outputFragNoBufs);
      return 'nobufs';
    }
    this.stats.fragmented++;
    let status: IpOutputStatus = 'ok';
    for (let f = head; f !== null; ) {
      const next: Mbuf | null = f.nextpkt;
      f.nextpkt = null;
      this.stats.fragmentsSent++;
      if (this.transmit(f, ifp, nextHop, link, dst) !== 'ok') status = 'dropped';
      f = next;
    }
    return status;
  }
}

/** Writes the header checksum of the `hlen`-byte header at `b[o]`. */
function writeHeaderChecksum(b: Uint8Array, o: number, hlen: number): void {
  b[o + IP_SUM] = 0;
  b[o + IP_SUM + 1] = 0;
  const s = ~cksumBytes(b, o, hlen) & 0xffff;
  b[o + IP_SUM] = s >>> 8;
  b[o + IP_SUM + 1] = s & 0xff;
}

/** Each host's {@link Inet}, in its DI container. */
export const INET_STATE: HostState<Inet> = new HostState<Inet>(
  '@ifnet/inet:INET',
  '@ifnet/inet is not attached (call registerInet(platform) before createHost)',
);
/** Token under which each host's {@link Inet} is registered in its DI container. */
export const INET: symbol = INET_STATE.token;

/**
 * The IPv4 instance of a host. Throws an Error naming the fix when the `inet` module was not registered
 * on the platform the host was built from.
 */
export function inetFor(host: Host): Inet {
  return INET_STATE.of(host);
}
