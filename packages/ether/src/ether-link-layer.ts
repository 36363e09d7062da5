import {
  assertOwnMbuf,
  hostOwnsChain,
  IFF_ALLMULTI,
  IFF_PROMISC,
  IFT_ETHER,
  type DispatchTable,
  type Ifnet,
  LAYER_ETHER,
  type LinkLayer,
  M_BCAST,
  M_MCAST,
  M_VLANTAG,
  type Mbuf,
  m_adj,
  m_prepend,
  m_pullup,
} from '@ifnet/core';
import {
  ETHER_ADDR_LEN,
  ETHER_DST,
  ETHER_HDR_LEN,
  ETHER_MAX_8023_LENGTH,
  ETHER_TYPE,
  ETHER_VLAN_ENCAP_LEN,
  ETHER_VLAN_HDR_LEN,
  ETHER_VLAN_TCI,
  ETHER_VLAN_TYPE,
  ETHERTYPE_MIN,
  ETHERTYPE_QINQ,
  ETHERTYPE_VLAN,
  evlVlanOfTag,
  isBroadcast,
  isGroup,
} from './ether-header.js';
import { EtherDrop } from './drop-reasons.js';
import { ETHER_IF, type EtherIfData, type EtherStats, etherStats } from './ether-stats.js';

/**
 * `ether_input`: validate, filter by destination, decode the ethertype and dispatch by table lookup to the
 * protocol's input — called straight from `if_input`, with no queue in between. **Owns `m`**: it hands
 * it to exactly one protocol input (which then owns it) or frees it, counting the drop on the interface
 * with an `ether.*` reason. It never throws for bad input.
 *
 * In order:
 *
 * 1. Length: shorter than a header is `ether.runt`; longer than a header, a VLAN tag and the largest MTU
 *    the interface supports is `ether.giant`. (No 60-byte minimum: software links do not pad.)
 * 2. Source: a group (multicast/broadcast) source address is invalid, `ether.bad-src`.
 * 3. Destination filter — what the hardware filter may already have done, done again in software because
 *    a promiscuous or all-multicast interface passes everything up: our unicast address, broadcast, a
 *    joined multicast group (any group with `IFF_ALLMULTI` or `IFF_PROMISC`). A group frame we did not join
 *    is `ether.mcast-filtered`; a unicast frame for another station is `ether.not-ours` — in promiscuous
 *    mode too, after the input hook had its look (that is where a tap sits).
 * 4. Type: a value up to 1500 is an 802.3 length (LLC/SNAP frame), counted as noproto
 *    `ether.8023-llc`; 1501..1535 is `ether.bad-type`.
 * 5. 802.1Q: a protocol registered for `ETHERTYPE_VLAN` (a vlan(4) package) gets tagged frames with the
 *    TCI at offset 0. Without one, a priority-tagged frame (VID 0, 802.1p) is untagged — the tag goes to
 *    `pkthdr.vlanTag` with `M_VLANTAG` — and delivered by its inner type; any other tagged frame (in-band,
 *    or stripped by the hardware into `M_VLANTAG`) is noproto `ether.vlan-tagged`.
 * 6. Dispatch through `host.ethertypes` with the Ethernet header trimmed (`off` 0); an unregistered
 *    ethertype is noproto `ether.noproto`.
 */
export function etherInput(ifp: Ifnet, m: Mbuf): void {
  ifp.host.cpu.chargeLayerId(LAYER);
  const plen = m.pkthdr.len;
  if (plen < HDR_LEN) {
    ifp.dropInput(m, EtherDrop.runt);
    return;
  }
  if (plen > HDR_LEN + VLAN_ENCAP_LEN + Math.max(ifp.maxMtu, ifp.mtu)) {
    ifp.dropInput(m, EtherDrop.giant);
    return;
  }
  if (m.len < HDR_LEN) {
    const n = m_pullup(m, HDR_LEN);
    if (n === null) {
      ifp.countInputDrop(EtherDrop.pullup);
      return;
    }
    m = n;
  }
  const data = IF_DATA.of(ifp);
  const st = data.stats;
  // The header as three big-endian 32-bit loads through the mbuf's DataView — destination bytes 0–3;
  // destination 4–5 with source 0–1; source 4–5 with the type — which every test below reads from: one
  // bounds-checked load each instead of byte loads for the group bits and separate loads for the
  // destination filter and the type.
  const v = m.view;
  const o = m.off;
  const dst = v.getInt32(o + DST);
  const mid = v.getInt32(o + DST + 4);
  let type = v.getInt32(o + TYPE_OFF - 2) & 0xffff;
  if ((mid & SRC_GROUP_BIT) !== 0) {
    ifp.dropInput(m, EtherDrop.badSrc);
    return;
  }
  if ((dst & DST_GROUP_BIT) !== 0) {
    if (!groupAccepted(ifp, m, st, o)) return;
  } else if (data.own.matchesWords(ifp, dst, mid >>> 16)) {
    st.rxUnicast++;
  } else {
    ifp.dropInput(m, EtherDrop.notOurs);
    return;
  }
  st.rxAccepted++;
  if (type < TYPE_MIN) {
    if (type <= MAX_8023_LENGTH) {
      st.rxLlc++;
      ifp.noProto(m, EtherDrop.llc);
    } else ifp.dropInput(m, EtherDrop.badType);
    return;
  }
  const table = ifp.host.ethertypes;
  if ((m.flags & VLANTAG) !== 0 || type === TYPE_VLAN || type === TYPE_QINQ) {
    type = vlanInput(ifp, m, st, type, table);
    if (type < 0) return;
  }
  // m_adj(m, ETHER_HDR_LEN), written out for the case at hand: the header is in the first mbuf (pulled
  // up above), and if_input has checked the chain (live mbufs, a packet header): nothing left to check.
  m.off += HDR_LEN;
  m.len -= HDR_LEN;
  m.pkthdr.len -= HDR_LEN;
  // The table's dispatch written out (`select`, then the call here): this call site sees this host's
  // ethertypes only, so V8 calls (or inlines) the protocol's input directly.
  const e = table.select(type);
  if (e !== undefined) e.input(m, 0, ifp);
  else ifp.noProto(m, EtherDrop.noProto);
}

// The header offsets, lengths, types, flags and layer used per frame, as this module's own constants: V8
// (Node 20) folds a module's own `const` into an immediate but reads an imported one from the exporting
// module's cell, with a hole (TDZ) check, at every use (see drivers/e1000's README).
const LAYER = LAYER_ETHER;
const HDR_LEN = ETHER_HDR_LEN;
const DST = ETHER_DST;
const VLAN_ENCAP_LEN = ETHER_VLAN_ENCAP_LEN;
const TYPE_OFF = ETHER_TYPE;
const TYPE_MIN = ETHERTYPE_MIN;
const TYPE_VLAN = ETHERTYPE_VLAN;
const TYPE_QINQ = ETHERTYPE_QINQ;
const MAX_8023_LENGTH = ETHER_MAX_8023_LENGTH;
const VLANTAG = M_VLANTAG;
const IF_DATA = ETHER_IF;
// Core's functions the output path calls per frame, bound the same way: an imported function is read from
// its module's cell, with a hole check and a compare against the function V8 inlined, at each call site.
const ownsChain = hostOwnsChain;
const prepend = m_prepend;
/** The I/G bit of the destination's first byte, in the header's first big-endian word. */
const DST_GROUP_BIT = 0x0100_0000;
/** The I/G bit of the source's first byte, in the header's second big-endian word (destination 4–5, source 0–1). */
const SRC_GROUP_BIT = 0x0100;

/**
 * {@link etherInput}'s destination filter for a group destination (broadcast or multicast), out of line
 * with the rest of the rare cases so the unicast path stays small: flags and counts the frame and returns
 * true, or drops it (`ether.mcast-filtered`: a group not joined, without `IFF_ALLMULTI`/`IFF_PROMISC`)
 * and returns false.
 */
function groupAccepted(ifp: Ifnet, m: Mbuf, st: EtherStats, o: number): boolean {
  const b = m.buf;
  const flagged = (m.flags & (M_BCAST | M_MCAST)) !== 0;
  if (isBroadcast(b, o + ETHER_DST)) {
    m.flags |= M_BCAST;
    st.rxBroadcast++;
  } else {
    if ((ifp.flags & (IFF_ALLMULTI | IFF_PROMISC)) === 0 && !ifp.inMulticast(b, o + ETHER_DST)) {
      ifp.dropInput(m, EtherDrop.mcastFiltered);
      return false;
    }
    m.flags |= M_MCAST;
    st.rxMulticast++;
  }
  // if_input counted it if the driver flagged it; count what the driver did not classify.
  if (!flagged) ifp.counters.imcasts++;
  return true;
}

/**
 * {@link etherInput}'s 802.1Q step (5. above), for a frame the hardware flagged `M_VLANTAG` or whose type
 * is a tag: returns the type to deliver the frame by, still with its Ethernet header (a tagged frame a
 * vlan(4) protocol takes; an untagged one), or -1 when the frame was consumed — dropped, counted, or a
 * priority-tagged frame delivered here by its inner type.
 */
function vlanInput(ifp: Ifnet, m: Mbuf, st: EtherStats, type: number, table: DispatchTable): number {
  if ((m.flags & M_VLANTAG) !== 0 && evlVlanOfTag(m.pkthdr.vlanTag) !== 0) {
    // The hardware stripped a tag for a VLAN we have no interface for.
    st.rxVlanTagged++;
    ifp.noProto(m, EtherDrop.vlanTagged);
    return -1;
  }
  if (type !== ETHERTYPE_VLAN && type !== ETHERTYPE_QINQ) return type;
  st.rxVlanTagged++;
  if (table.lookup(type) !== undefined) return type;
  if (type === ETHERTYPE_QINQ) {
    ifp.noProto(m, EtherDrop.vlanTagged);
    return -1;
  }
  if (m.pkthdr.len < ETHER_VLAN_HDR_LEN) {
    ifp.dropInput(m, EtherDrop.vlanRunt);
    return -1;
  }
  if (m.len < ETHER_VLAN_HDR_LEN) {
    const n = m_pullup(m, ETHER_VLAN_HDR_LEN);
    if (n === null) {
      ifp.countInputDrop(EtherDrop.pullup);
      return -1;
    }
    m = n;
  }
  const b = m.buf;
  const o = m.off;
  const tci = (b[o + ETHER_VLAN_TCI] << 8) | b[o + ETHER_VLAN_TCI + 1];
  if (evlVlanOfTag(tci) !== 0) {
    ifp.noProto(m, EtherDrop.vlanTagged);
    return -1;
  }
  // 802.1p priority tag: keep the priority in the packet header, deliver by the inner type.
  st.rxPriorityTagged++;
  const inner = (b[o + ETHER_VLAN_TYPE] << 8) | b[o + ETHER_VLAN_TYPE + 1];
  if (inner < ETHERTYPE_MIN || inner === ETHERTYPE_VLAN || inner === ETHERTYPE_QINQ) {
    ifp.noProto(m, inner < ETHERTYPE_MIN ? EtherDrop.llc : EtherDrop.vlanTagged);
    return -1;
  }
  m.pkthdr.vlanTag = tci;
  m.flags |= M_VLANTAG;
  m_adj(m, ETHER_VLAN_HDR_LEN);
  if (!table.dispatch(inner, m, 0, ifp)) ifp.noProto(m, EtherDrop.noProto);
  return -1;
}

/**
 * Prepends an Ethernet header (`dst`, our address, `proto`) and queues the frame on the interface
 * (`if_transmit`). **Owns `m`** — except an mbuf of another host's pool (or a free one), refused first
 * with core's `assertOwnMbuf` (MbufError `foreign`; misuse, not traffic: the caller keeps it) (a packet of `proto` without a link header). Padding to the 60-byte minimum
 * is the hardware's job (e1000 `TCTL.PSP`), as on real parts; software links (epair) do not pad.
 *
 * Drops (counted on the interface, `oqdrops`): `ether.bad-type` for a `proto` outside 0x0600..0xffff,
 * `ether.mtu` for a payload larger than the MTU (plus 4 for an 802.1Q/802.1ad payload), `ether.nobufs`
 * when no mbuf was free for the header. Returns false if the frame was dropped (here or by the send
 * queue), true once it is queued.
 */
export function etherOutputFrame(ifp: Ifnet, m: Mbuf, proto: number, dst: Uint8Array): boolean {
  return outputFrame(ifp, IF_DATA.of(ifp), m, proto, dst);
}

/**
 * {@link etherOutputFrame} with the interface's Ethernet data already looked up (one `afdata` lookup per
 * packet). The checks that fail only for misuse or oversize packets, and group destinations, are out of
 * line ({@link frameRefused}, {@link countGroup}): the common path is a range test, and the function
 * stays under V8's per-function inlining limit (460 bytes of bytecode; 546 before).
 */
function outputFrame(ifp: Ifnet, data: EtherIfData, m: Mbuf, proto: number, dst: Uint8Array): boolean {
  const host = ifp.host;
  host.cpu.chargeLayerId(LAYER);
  if (!ownsChain(host, m)) assertOwnMbuf(host, m, `${ifp.name}: ether_output`);
  // An integral ethertype in range and a payload within the MTU (tagged or not): nothing to drop.
  if (
    !((proto | 0) === proto && proto >= TYPE_MIN && proto <= 0xffff && m.pkthdr.len <= ifp.mtu) &&
    frameRefused(ifp, m, proto)
  ) {
    return false;
  }
  const n = prepend(m, HDR_LEN);
  if (n === null) {
    ifp.countOutputDrop(EtherDrop.noBufs);
    return false;
  }
  // The header as four big-endian stores through the mbuf's DataView (each a bounds-checked store, where
  // fourteen byte copies were 3 % of the echo path's CPU profile on Node 20): destination bytes 0-3, its
  // bytes 4-5 with the source's first two, the source's last four, the type.
  const v = n.view;
  const o = n.off;
  v.setInt32(o + DST, (dst[0] << 24) | (dst[1] << 16) | (dst[2] << 8) | dst[3]);
  data.own.writeSource(ifp, v, o + DST + 4, (dst[4] << 8) | dst[5]);
  v.setUint16(o + TYPE_OFF, proto);
  data.stats.txFramed++;
  if (isGroup(dst, 0)) countGroup(ifp, data, n, dst);
  return ifp.transmit(n);
}

/**
 * The full type and length checks of {@link outputFrame}, for what its one-line test does not pass: an
 * ethertype that is not an integer in 0x0600..0xffff (`ether.bad-type`), a payload larger than the MTU
 * (plus 4 for an 802.1Q/802.1ad payload: `ether.mtu`). Returns true when it dropped `m` (counted).
 */
function frameRefused(ifp: Ifnet, m: Mbuf, proto: number): boolean {
  if (!(proto >= ETHERTYPE_MIN && proto <= 0xffff) || !Number.isInteger(proto)) {
    ifp.dropOutput(m, EtherDrop.badType);
    return true;
  }
  const tagged = proto === ETHERTYPE_VLAN || proto === ETHERTYPE_QINQ;
  if (m.pkthdr.len > ifp.mtu + (tagged ? ETHER_VLAN_ENCAP_LEN : 0)) {
    ifp.dropOutput(m, EtherDrop.mtu);
    return true;
  }
  return false;
}

/** A frame to a group address (`dst`'s I/G bit set): marks it broadcast or multicast and counts it. */
function countGroup(ifp: Ifnet, data: EtherIfData, n: Mbuf, dst: Uint8Array): void {
  const st = data.stats;
  ifp.counters.omcasts++;
  if (isBroadcast(dst, 0)) {
    n.flags |= M_BCAST;
    st.txBroadcast++;
  } else {
    n.flags |= M_MCAST;
    st.txMulticast++;
  }
}

/**
 * `ether_output`: `dst` is either a link address (a 6-byte Uint8Array) or a protocol next hop that the
 * resolver registered for `proto` turns into one (ARP for IPv4: `dst` is the next hop as an unsigned
 * 32-bit number). **Owns `m`.** A packet waiting for resolution is held by the resolver, and the call
 * returns true (the packet is not lost: it is sent or dropped, counted, later).
 *
 * Drops: `ether.bad-dst` (a Uint8Array that is not 6 bytes), `ether.no-resolver` (no resolver for
 * `proto`), plus those of {@link etherOutputFrame} and of the resolver.
 */
export function etherOutput(ifp: Ifnet, m: Mbuf, proto: number, dst: unknown): boolean {
  const data = IF_DATA.of(ifp);
  if (dst instanceof Uint8Array) {
    if (dst.length !== ETHER_ADDR_LEN) {
      ifp.dropOutput(m, EtherDrop.badDst);
      return false;
    }
    return outputFrame(ifp, data, m, proto, dst);
  }
  const resolver = data.host.resolverFor(proto);
  if (resolver === undefined) {
    ifp.dropOutput(m, EtherDrop.noResolver);
    return false;
  }
  const mac = resolver(ifp, m, dst);
  if (mac === null) return true; // held (or dropped and counted) by the resolver
  return outputFrame(ifp, data, m, proto, mac);
}

/** The Ethernet link layer, to register on a platform (`platform.registerLinkLayer(etherLinkLayer)`). */
export const etherLinkLayer: LinkLayer = {
  ifType: IFT_ETHER,
  name: 'ether',
  hdrlen: ETHER_HDR_LEN,
  addrlen: ETHER_ADDR_LEN,
  attach(ifp: Ifnet): void {
    etherStats(ifp);
  },
  input: etherInput,
  output: etherOutput,
};
