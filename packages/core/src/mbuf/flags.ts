/**
 * `m_flags` bits (mbuf(9)). They live in {@link Mbuf.flags}.
 *
 * The storage bits ({@link M_EXT}) are owned by the pool: never set or clear them by hand. The
 * packet-level bits ({@link M_COPYFLAGS}) describe the packet rather than one buffer, so they travel with
 * the packet header when it moves to another mbuf (M_MOVE_PKTHDR in {@link m_prepend}, {@link m_split}).
 *
 * @module
 */

/** M_EXT: the mbuf's storage is a cluster (`m_ext`), not its own internal area. Set by MCLGET. */
export const M_EXT = 0x0001;
/** M_PKTHDR: this is the first mbuf of a packet and {@link Mbuf.pkthdr} is valid. */
export const M_PKTHDR = 0x0002;
/** M_EOR: end of record (for record-oriented consumers). */
export const M_EOR = 0x0004;
/** M_PROTO1: protocol-private flag; its meaning belongs to the protocol currently holding the packet. */
export const M_PROTO1 = 0x0010;
/** M_PROTO2: protocol-private flag. */
export const M_PROTO2 = 0x0020;
/** M_BCAST: received as a link-level broadcast. */
export const M_BCAST = 0x0100;
/** M_MCAST: received as a link-level multicast. */
export const M_MCAST = 0x0200;
/** M_PROMISC: received in promiscuous mode only; not addressed to this host. */
export const M_PROMISC = 0x0400;
/** M_LOOP: looped back by this host (for example by the loopback interface or a simplex device). */
export const M_LOOP = 0x0800;
/** M_VLANTAG: {@link PacketHeader.vlanTag} holds an 802.1Q tag stripped by hardware. */
export const M_VLANTAG = 0x1000;

/** M_COPYFLAGS: the flags that belong to the packet and move with its header. */
export const M_COPYFLAGS = M_PKTHDR | M_EOR | M_PROTO1 | M_PROTO2 | M_BCAST | M_MCAST | M_PROMISC | M_LOOP | M_VLANTAG;
