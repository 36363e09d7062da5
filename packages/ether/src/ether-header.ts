/**
 * Ethernet II header layout (`struct ether_header`): byte ranges as named constants, smoltcp-style, so
 * parsing code says which field it touches.
 */
import { parseLinkAddress } from '@ifnet/core';

export const ETHER_ADDR_LEN = 6;
export const ETHER_DST = 0;
export const ETHER_SRC = 6;
export const ETHER_TYPE = 12;
/** `ETHER_HDR_LEN` */
export const ETHER_HDR_LEN = 14;
/** Minimum frame without FCS (`ETHER_MIN_LEN - ETHER_CRC_LEN`). */
export const ETHER_MIN_FRAME = 60;
/** Maximum payload (`ETHERMTU`). */
export const ETHERMTU = 1500;
/** 802.1Q tag: TPID + TCI. */
export const ETHER_VLAN_ENCAP_LEN = 4;
/** In a tagged frame: the Tag Control Information (PCP, DEI, VID) right after the TPID. */
export const ETHER_VLAN_TCI = 14;
/** In a tagged frame: the encapsulated ethertype. */
export const ETHER_VLAN_TYPE = 16;
/** Header length of an 802.1Q tagged frame. */
export const ETHER_VLAN_HDR_LEN = 18;
/** VLAN identifier of a TCI (`EVL_VLANOFTAG`). 0 means priority-tagged only (802.1p). */
export function evlVlanOfTag(tci: number): number {
  return tci & 0x0fff;
}
/** Priority code point of a TCI (`EVL_PRIOFTAG`). */
export function evlPrioOfTag(tci: number): number {
  return (tci >>> 13) & 7;
}

export const ETHERTYPE_IP = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1ad service tag (QinQ outer tag). */
export const ETHERTYPE_QINQ = 0x88a8;
/** Values below this are 802.3 lengths, not ethertypes. */
export const ETHERTYPE_MIN = 0x0600;
/** Largest valid 802.3 length field (`ETHERMTU`); 1501..1535 is neither a length nor a type. */
export const ETHER_MAX_8023_LENGTH = 1500;

export const ETHER_BROADCAST: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/**
 * Parses `aa:bb:cc:dd:ee:ff` (or `-` separated). Throws RangeError on anything else. The Ethernet name for
 * core's {@link parseLinkAddress}, which it calls.
 */
export function parseMac(s: string): Uint8Array {
  return parseLinkAddress(s);
}

/** Formats 6 bytes at `off` as `aa:bb:cc:dd:ee:ff`. */
export function formatMac(a: Uint8Array, off = 0): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + a[off + i].toString(16).padStart(2, '0');
  return s;
}

/** Whether 6 bytes at `a[ao]` equal 6 bytes at `b[bo]`. */
export function macEqual(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  return (
    a[ao] === b[bo] &&
    a[ao + 1] === b[bo + 1] &&
    a[ao + 2] === b[bo + 2] &&
    a[ao + 3] === b[bo + 3] &&
    a[ao + 4] === b[bo + 4] &&
    a[ao + 5] === b[bo + 5]
  );
}

/** Whether the address at `a[off]` is the broadcast address. */
export function isBroadcast(a: Uint8Array, off: number): boolean {
  return (a[off] & a[off + 1] & a[off + 2] & a[off + 3] & a[off + 4] & a[off + 5]) === 0xff;
}

/** Whether the address at `a[off]` is a group (multicast or broadcast) address: I/G bit set. */
export function isGroup(a: Uint8Array, off: number): boolean {
  return (a[off] & 1) !== 0;
}
