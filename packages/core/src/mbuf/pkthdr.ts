/**
 * The packet header (`struct pkthdr`, `m_pkthdr`): per-packet metadata carried by the first mbuf of a
 * chain. In BSD it sits inside the mbuf's bytes and shrinks the data area (MHLEN < MLEN); here it is a
 * small JS object pre-built once per mbuf by the pool, so every mbuf can become a packet head without
 * allocating and the data area is the same size either way.
 *
 * It is meaningful only while the owning mbuf has `M_PKTHDR` in its flags.
 *
 * @module
 */
import type { Ifnet } from '../net/ifnet.js';

/** M_CSUM_TCPv4: TCP checksum over IPv4 (offload requested on output / verified on input). NetBSD value. */
export const M_CSUM_TCPv4 = 0x0001;
/** M_CSUM_UDPv4: UDP checksum over IPv4. */
export const M_CSUM_UDPv4 = 0x0002;
/** M_CSUM_TCP_UDP_BAD: hardware found the TCP/UDP checksum bad. */
export const M_CSUM_TCP_UDP_BAD = 0x0004;
/** M_CSUM_DATA: hardware computed a partial checksum of the payload. */
export const M_CSUM_DATA = 0x0008;
/** M_CSUM_TCPv6: TCP checksum over IPv6. */
export const M_CSUM_TCPv6 = 0x0010;
/** M_CSUM_UDPv6: UDP checksum over IPv6. */
export const M_CSUM_UDPv6 = 0x0020;
/** M_CSUM_IPv4: IPv4 header checksum. */
export const M_CSUM_IPv4 = 0x0040;
/** M_CSUM_IPv4_BAD: hardware found the IPv4 header checksum bad. */
export const M_CSUM_IPv4_BAD = 0x0080;

/** `M_HASHTYPE_NONE`: no flow hash (FreeBSD's `M_HASHTYPE_*` values, `m_pkthdr.rsstype`). */
export const M_HASHTYPE_NONE = 0;
/** `M_HASHTYPE_RSS_IPV4`: Toeplitz hash over the IPv4 source and destination addresses. */
export const M_HASHTYPE_RSS_IPV4 = 1;
/** `M_HASHTYPE_RSS_TCP_IPV4`: Toeplitz hash over the IPv4 addresses and the TCP ports. */
export const M_HASHTYPE_RSS_TCP_IPV4 = 2;
/** `M_HASHTYPE_RSS_UDP_IPV4`: Toeplitz hash over the IPv4 addresses and the UDP ports. */
export const M_HASHTYPE_RSS_UDP_IPV4 = 7;
/** `M_HASHTYPE_OPAQUE`: a flow hash of unspecified kind (e.g. computed in software). */
export const M_HASHTYPE_OPAQUE = 63;

// What a reset writes, bound to a module-local const: an exported `const` is read through its module cell
// with a hole check at every use, even inside its own module (a reset runs per recycled receive buffer).
const HASHTYPE_NONE = M_HASHTYPE_NONE;

export class PacketHeader {
  /** `m_pkthdr.len`: total length of the packet, always equal to the sum of `len` along the chain. */
  len: number;
  /** `m_pkthdr.rcvif`: interface the packet was received on (`null` for locally generated packets). */
  rcvif: Ifnet | null;
  /** `m_pkthdr.flowid`: receive-side-scaling / flow hash (0 when not computed). */
  flowHash: number;
  /** `m_pkthdr.rsstype` (M_HASHTYPE_GET): what {@link flowHash} was computed over, `M_HASHTYPE_*`. */
  flowHashType: number;
  /**
   * Receive queue the packet came from on a multi-queue device (Linux `skb_record_rx_queue`); -1 when
   * not recorded.
   */
  rxQueue: number;
  /** `m_pkthdr.csum_flags`: checksum offload state, `M_CSUM_*` bits. */
  csumFlags: number;
  /** `ether_vtag`: 802.1Q tag (valid when the mbuf has `M_VLANTAG`). */
  vlanTag: number;
  /** Receive (or creation) time in nanoseconds of the host clock; 0 when not stamped. */
  timestamp: number;

  constructor() {
    this.len = 0;
    this.rcvif = null;
    this.flowHash = 0;
    this.flowHashType = M_HASHTYPE_NONE;
    this.rxQueue = -1;
    this.csumFlags = 0;
    this.vlanTag = 0;
    this.timestamp = 0;
  }

  /** Clears every field (what `m_gethdr` does to a fresh packet header). */
  reset(): void {
    this.rcvif = null;
    this.resetKeepingRcvif();
  }

  /**
   * @internal Clears every field but {@link rcvif}: for a receive buffer going back to its queue's cache
   * (`RxBufferCache`), whose next packet is handed up by `if_input`, which sets `rcvif` before anyone reads
   * it — to the same interface, so `if_input` can skip that store (a pointer store is a GC write barrier).
   */
  resetKeepingRcvif(): void {
    this.len = 0;
    this.flowHash = 0;
    this.flowHashType = HASHTYPE_NONE;
    this.rxQueue = -1;
    this.csumFlags = 0;
    this.vlanTag = 0;
    this.timestamp = 0;
  }

  /** Copies every field from `h` (the body of M_MOVE_PKTHDR / m_copy_pkthdr). */
  copyFrom(h: PacketHeader): void {
    this.len = h.len;
    this.rcvif = h.rcvif;
    this.flowHash = h.flowHash;
    this.flowHashType = h.flowHashType;
    this.rxQueue = h.rxQueue;
    this.csumFlags = h.csumFlags;
    this.vlanTag = h.vlanTag;
    this.timestamp = h.timestamp;
  }
}
