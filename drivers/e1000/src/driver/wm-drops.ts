/**
 * Why `wm` drops packets and what else it counts: named constants, so that a misspelt reason is a type
 * error and `ifp.counters.drops` keys are greppable (NetBSD's `wm` event counters, `WM_EVCNT_*`).
 *
 * @module
 */

/** Packet drop reasons of the `wm` driver (keys of `ifp.counters.drops`). */
export const WmDrop = {
  /** The device had no free receive descriptor and missed the frame (MPC). */
  RxMissed: 'wm.rx.missed',
  /** The device dropped a frame longer than the maximum frame size (ROC). */
  RxOversize: 'wm.rx.oversize',
  /** The device dropped a frame shorter than 64 bytes with FCS (RUC). */
  RxRunt: 'wm.rx.runt',
  /** A receive descriptor came back with a frame error (RXE, CE, SE, SEQ, CXE). */
  RxDescError: 'wm.rx.desc-error',
  /**
   * The device wrote back a length the driver cannot accept: zero on the first descriptor, more than the
   * buffer it was given, a frame shorter than an Ethernet header or longer than the largest frame the
   * driver enabled. The device is not trusted: such a packet never reaches `if_input`.
   */
  RxBadLength: 'wm.rx.bad-length',
  /** A receive descriptor came back with status bits the driver never enabled (VP without VLAN mode). */
  RxBadStatus: 'wm.rx.bad-status',
  /** Completed by the device but not reaped when the interface went down. */
  RxFlushed: 'wm.rx.flushed',
  /** A packet with no bytes was handed to `if_start`. */
  TxEmpty: 'wm.tx.empty',
  /** More than the transmit engine gathers (16 KiB) or the ring holds. */
  TxTooBig: 'wm.tx.too-big',
  /** An mbuf whose pool is not mapped into this host's DMA space (the transmit map refused to load it). */
  TxForeign: 'wm.tx.foreign',
  /** In the transmit ring when the chip was stopped or reset. */
  TxFlushed: 'wm.tx.flushed',
} as const;

/** One of {@link WmDrop}'s reasons. */
export type WmDropReason = (typeof WmDrop)[keyof typeof WmDrop];

/** Driver events that are not packet drops (an unrefilled slot is not a lost packet — yet). */
export interface WmEvents {
  /** A receive slot could not be refilled (pool empty); retried at the next poll. */
  'wm.rx.nobufs': number;
  /** `start` found the transmit ring full and set IFF_OACTIVE. */
  'wm.tx.ring-full': number;
  /** Link state changes seen. */
  'wm.link.changes': number;
  /** Chip resets by the transmit watchdog. */
  'wm.watchdog.reset': number;
  /** The device reported a ring index beyond its ring (RDH/TDH): the chip was reset and re-initialised. */
  'wm.hw.bad-index': number;
  /** Statistics ticks (`wm_tick`) run. */
  'wm.tick': number;
}

export function newWmEvents(): WmEvents {
  return {
    'wm.rx.nobufs': 0,
    'wm.tx.ring-full': 0,
    'wm.link.changes': 0,
    'wm.watchdog.reset': 0,
    'wm.hw.bad-index': 0,
    'wm.tick': 0,
  };
}
