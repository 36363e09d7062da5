/**
 * The NE2000 model's own counters: what the hardware saw and did, for tests and experiments (a driver
 * sees only the registers).
 *
 * @module
 */

/**
 * What the hardware saw and did (a driver sees only the registers). Every frame that reached the port is
 * in exactly one outcome: `rxFrames = rxDelivered + rxMissed + rxFiltered + rxRunt + rxOversize +
 * rxStopped + rxLoopback + rxNoLink + rxMonitor`.
 */
export interface Ne2000DeviceStats {
  rxFrames: number;
  /** Written into the receive ring. */
  rxDelivered: number;
  /** Lost for lack of ring space or while wedged after an overflow (CNTR2). */
  rxMissed: number;
  /** Rejected by the address filter. */
  rxFiltered: number;
  /** Shorter than 60 bytes without RCR.AR. */
  rxRunt: number;
  /** Longer than 1518 bytes. */
  rxOversize: number;
  /** Arrived while the card was stopped or in reset (receiver off: no counter sees them). */
  rxStopped: number;
  /** Arrived while the card was in loopback (TCR.LB or DCR.LS = 0): not received from the wire. */
  rxLoopback: number;
  /** Arrived with no bus connection or no carrier. */
  rxNoLink: number;
  /** Checked and counted (CNTR2) but not stored: monitor mode. */
  rxMonitor: number;
  /** Ring overflows (OVW raised). */
  overflows: number;
  /** Frames put on the wire. */
  txFrames: number;
  txBytes: number;
  /** Transmissions aborted after 16 collisions. */
  txAborted: number;
  /** Transmissions cut short by a STOP command. */
  txStoppedMidway: number;
  /** Transmissions with no carrier (TSR.CRS): the frame went nowhere. */
  txNoCarrier: number;
  /** Register accesses the model does not implement (page 3, writes to page 2, 32-bit accesses). */
  regUnknown: number;
  /** Data-port accesses whose width did not match DCR.WTS. */
  dataWidthMismatch: number;
  /** Data-port accesses with no remote DMA under way (reads return all ones). */
  dataIdle: number;
  /** Send-packet remote commands (not modelled: treated as abort). */
  sendPacketCommands: number;
  /** Resets through the reset port. */
  resets: number;
  irqAsserts: number;
}

export function newStats(): Ne2000DeviceStats {
  return {
    rxFrames: 0,
    rxDelivered: 0,
    rxMissed: 0,
    rxFiltered: 0,
    rxRunt: 0,
    rxOversize: 0,
    rxStopped: 0,
    rxLoopback: 0,
    rxNoLink: 0,
    rxMonitor: 0,
    overflows: 0,
    txFrames: 0,
    txBytes: 0,
    txAborted: 0,
    txStoppedMidway: 0,
    txNoCarrier: 0,
    regUnknown: 0,
    dataWidthMismatch: 0,
    dataIdle: 0,
    sendPacketCommands: 0,
    resets: 0,
    irqAsserts: 0,
  };
}
