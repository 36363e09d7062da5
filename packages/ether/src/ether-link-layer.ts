import {
  IFF_ALLMULTI,
  IFF_PROMISC,
  IFT_ETHER,
  type Ifnet,
  type LinkLayer,
  M_BCAST,
  M_MCAST,
  type Mbuf,
  m_adj,
  m_prepend,
  m_pullup,
} from '@ifnet/core';
import {
  ETHER_ADDR_LEN,
  ETHER_DST,
  ETHER_HDR_LEN,
  ETHER_SRC,
  ETHER_TYPE,
  ETHERTYPE_MIN,
  ETHERTYPE_VLAN,
  isBroadcast,
  isGroup,
  macEqual,
} from './ether-header.js';
import { etherState } from './ether-state.js';

/**
 * `ether_input`: validate, filter by destination, decode the ethertype and dispatch by table lookup to the
 * protocol's input — called straight from `if_input`, with no queue in between. Owns `m`; every rejection
 * is a counted drop on the interface with an `ether.*` reason.
 *
 * Destination filter (what the hardware filter may already have done, done again in software because a
 * promiscuous or all-multicast interface passes everything up): our unicast address, broadcast, a joined
 * multicast group (or any group with `IFF_ALLMULTI`). Frames to another station are dropped as
 * `ether.not-ours` — in promiscuous mode too, after the input hook had its look (that is where a tap
 * sits).
 */
export function etherInput(ifp: Ifnet, m: Mbuf): void {
  ifp.host.cpu.chargeLayer('ether');
  if (m.pkthdr.len < ETHER_HDR_LEN) {
    ifp.dropInput(m, 'ether.runt');
    return;
  }
  if (m.len < ETHER_HDR_LEN) {
    const n = m_pullup(m, ETHER_HDR_LEN);
    if (n === null) {
      ifp.counters.iqdrops++;
      ifp.countDrop('ether.pullup');
      return;
    }
    m = n;
  }
  const b = m.buf;
  const o = m.off;
  if (isGroup(b, o + ETHER_DST)) {
    if (isBroadcast(b, o + ETHER_DST)) m.flags |= M_BCAST;
    else {
      if ((ifp.flags & (IFF_ALLMULTI | IFF_PROMISC)) === 0 && !ifp.inMulticast(b, o + ETHER_DST)) {
        ifp.dropInput(m, 'ether.mcast-filtered');
        return;
      }
      m.flags |= M_MCAST;
    }
  } else if (!macEqual(b, o + ETHER_DST, ifp.lladdr, 0)) {
    ifp.dropInput(m, 'ether.not-ours');
    return;
  }
  const type = (b[o + ETHER_TYPE] << 8) | b[o + ETHER_TYPE + 1];
  if (type < ETHERTYPE_MIN) {
    ifp.dropInput(m, 'ether.8023-llc');
    return;
  }
  m_adj(m, ETHER_HDR_LEN);
  if (!ifp.host.ethertypes.dispatch(type, m, 0, ifp)) {
    ifp.noProto(m, type === ETHERTYPE_VLAN ? 'ether.vlan-tagged' : 'ether.noproto');
  }
}

/**
 * Prepends an Ethernet header (`dst`, our address, `proto`) and queues the frame on the interface
 * (`if_transmit`). Owns `m`. Padding to the 60-byte minimum is the hardware's job (e1000 `TCTL.PSP`), as on
 * real parts. Returns false if dropped (counted).
 */
export function etherOutputFrame(ifp: Ifnet, m: Mbuf, proto: number, dst: Uint8Array): boolean {
  ifp.host.cpu.chargeLayer('ether');
  const n = m_prepend(m, ETHER_HDR_LEN);
  if (n === null) {
    ifp.counters.oqdrops++;
    ifp.countDrop('ether.nobufs');
    return false;
  }
  const b = n.buf;
  const o = n.off;
  for (let i = 0; i < ETHER_ADDR_LEN; i++) {
    b[o + ETHER_DST + i] = dst[i];
    b[o + ETHER_SRC + i] = ifp.lladdr[i];
  }
  b[o + ETHER_TYPE] = proto >>> 8;
  b[o + ETHER_TYPE + 1] = proto & 0xff;
  if (isGroup(dst, 0)) {
    ifp.counters.omcasts++;
    n.flags |= isBroadcast(dst, 0) ? M_BCAST : M_MCAST;
  }
  return ifp.transmit(n);
}

/**
 * `ether_output`: `dst` is either a link address (a 6-byte Uint8Array) or a protocol next hop that the
 * resolver registered for `proto` turns into one (ARP for IPv4). A packet waiting for resolution is held
 * by the resolver. Owns `m`.
 */
export function etherOutput(ifp: Ifnet, m: Mbuf, proto: number, dst: unknown): boolean {
  if (dst instanceof Uint8Array) {
    if (dst.length !== ETHER_ADDR_LEN) {
      ifp.dropOutput(m, 'ether.bad-dst');
      return false;
    }
    return etherOutputFrame(ifp, m, proto, dst);
  }
  const resolver = etherState(ifp.host).resolvers.get(proto);
  if (resolver === undefined) {
    ifp.dropOutput(m, 'ether.no-resolver');
    return false;
  }
  const mac = resolver(ifp, m, dst);
  if (mac === null) return true; // held (or dropped and counted) by the resolver
  return etherOutputFrame(ifp, m, proto, mac);
}

/** The Ethernet link layer, to register on a platform (`platform.registerLinkLayer(etherLinkLayer)`). */
export const etherLinkLayer: LinkLayer = {
  ifType: IFT_ETHER,
  name: 'ether',
  hdrlen: ETHER_HDR_LEN,
  addrlen: ETHER_ADDR_LEN,
  input: etherInput,
  output: etherOutput,
};
