import { IFT_ETHER, type Ifnet, LAYER_ARP, type Mbuf, m_copydata } from '@ifnet/core';
import { ArpDrop, type ArpDropReason } from '../drop-reasons.js';
import { isGroup, macEqual } from '../ether-header.js';
import type { Arp } from './arp.js';
import {
  ARP_LEN,
  ARP_OP,
  ARP_SHA,
  ARP_SPA,
  ARP_TPA,
  ARPOP_REQUEST,
  type ArpError,
  checkArp,
  readU32,
} from './arp-header.js';
import { isIpv4Unusable } from './ipv4-format.js';

/** Drop reason for each validation error, so a rejection builds no string. */
const REASON: Readonly<Record<ArpError, ArpDropReason>> = {
  short: ArpDrop.short,
  'bad-hrd': ArpDrop.badHrd,
  'bad-pro': ArpDrop.badPro,
  'bad-hln': ArpDrop.badHln,
  'bad-pln': ArpDrop.badPln,
  'bad-op': ArpDrop.badOp,
};

/**
 * ARP input (`in_arpinput`): one received ARP packet at `off` in `m`, from `ifp`. **Owns `m`** and frees
 * it, counting it as accepted or as a drop with its reason (see {@link Arp} for the rules). The packet is
 * first copied out of the chain into a 28-byte scratch array, so a header split across mbufs needs no
 * pullup and nothing is allocated. Never throws.
 */
export function arpInput(arp: Arp, m: Mbuf, off: number, ifp: Ifnet): void {
  arp.host.cpu.chargeLayerId(LAYER_ARP);
  arp.stats.received++;
  if (ifp.ifType !== IFT_ETHER || ifp.lladdr.length !== 6) {
    arp.dropIn(ifp, m, ArpDrop.notEther);
    return;
  }
  const len = m.pkthdr.len - off;
  const b = arp.scratch;
  if (len > 0) m_copydata(m, off, Math.min(len, ARP_LEN), b, 0);
  const err = checkArp(b, 0, len);
  if (err !== null) {
    arp.dropIn(ifp, m, REASON[err]);
    return;
  }
  const op = b[ARP_OP + 1];
  if (op === ARPOP_REQUEST) arp.stats.rxRequests++;
  else arp.stats.rxReplies++;
  if (isGroup(b, ARP_SHA)) {
    arp.dropIn(ifp, m, ArpDrop.badSha);
    return;
  }
  if (macEqual(b, ARP_SHA, ifp.lladdr, 0)) {
    arp.dropIn(ifp, m, ArpDrop.ownFrame); // our own packet, looped back
    return;
  }
  const spa = readU32(b, ARP_SPA);
  const tpa = readU32(b, ARP_TPA);
  if (spa !== 0 && isIpv4Unusable(spa)) {
    arp.dropIn(ifp, m, ArpDrop.badSpa);
    return;
  }
  if (spa !== 0 && arp.isLocal(ifp, spa)) {
    arp.stats.conflicts++;
    arp.dropIn(ifp, m, ArpDrop.addrConflict);
    return;
  }
  // RFC 826: update the sender's entry if we have one (spa 0 is an RFC 5227 probe: it teaches nothing).
  const merged = spa !== 0 && arp.merge(ifp, spa, b, ARP_SHA);
  if (tpa !== 0 && arp.isLocal(ifp, tpa)) {
    if (spa !== 0 && !merged) arp.learn(ifp, spa, b, ARP_SHA);
    if (op === ARPOP_REQUEST) {
      const mac = arp.peerMac;
      for (let i = 0; i < 6; i++) mac[i] = b[ARP_SHA + i];
      arp.reply(ifp, tpa, mac, spa);
    }
    arp.accept(m);
    return;
  }
  if (merged) {
    arp.accept(m);
    return;
  }
  // Somebody else's business (a request for another host, a gratuitous ARP from a stranger): ignored.
  arp.ignore(m);
}
