/**
 * Why `ne` drops packets: named constants, so that a misspelt reason is a type error and the keys of
 * `ifp.counters.drops` are greppable (NetBSD's event counters).
 *
 * @module
 */

/** Packet drop reasons of the `ne` driver (keys of `ifp.counters.drops`). */
export const NeDrop = {
  /** The free queue was empty: the frame was skipped in the card's ring (seed 000's drop). */
  RxNobufs: 'ne.rx.nobufs',
  /** CNTR2: frames the card missed (ring full, receiver wedged after an overflow, monitor mode). */
  RxMissed: 'ne.rx.missed',
  /** CNTR1: frames with a CRC error. */
  RxCrc: 'ne.rx.crc',
  /** CNTR0: frames with a frame alignment error. */
  RxAlign: 'ne.rx.align',
  /** A ring header whose next-page pointer cannot be followed: the ring up to CURR was given back. */
  RxBadHeader: 'ne.rx.bad-header',
  /** A ring header with a length outside 60..1522 bytes. */
  RxBadLength: 'ne.rx.bad-length',
  /** A ring header whose status lacks PRX (an errored frame the card should not have stored). */
  RxError: 'ne.rx.error',
  /** In the card's ring or on the completed queue when the interface went down. */
  RxFlushed: 'ne.rx.flushed',
  /** The completed queue was full (cannot happen while mbufs come from the free queue). */
  RxQfull: 'ne.rx.qfull',
  /** TSR.ABT: aborted after 16 collisions. */
  TxAborted: 'ne.tx.aborted',
  /** TSR.FU: FIFO underrun. */
  TxUnderrun: 'ne.tx.underrun',
  /** TSR.CRS: no carrier during the transmission. */
  TxNoCarrier: 'ne.tx.no-carrier',
  /** TSR.OWC: a collision outside the window. */
  TxLateCollision: 'ne.tx.late-collision',
  /** Longer than an Ethernet frame (1514 bytes). */
  TxTooBig: 'ne.tx.too-big',
  /** A packet with no bytes. */
  TxEmpty: 'ne.tx.empty',
  /** The remote-DMA write of the frame never completed (no RDC). */
  TxRdcTimeout: 'ne.tx.rdc-timeout',
  /** Loaded in a transmit buffer on the card when the interface went down. */
  TxFlushed: 'ne.tx.flushed',
} as const;

/** One of {@link NeDrop}'s reasons. */
export type NeDropReason = (typeof NeDrop)[keyof typeof NeDrop];
