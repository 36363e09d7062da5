/**
 * The wire side of a network device: how frames leave and enter the box.
 *
 * A device model's port is a {@link WireEndpoint}. Whatever is on the other side — a virtual cable to
 * another device, a traffic generator, a UDP/VXLAN tunnel to a real kernel, a pcap tap — implements
 * {@link Wire}. Frames cross as bytes (no FCS); the callee copies what it keeps, so the caller can reuse
 * its buffer as soon as the call returns (no allocation is forced on either side).
 */
export interface WireEndpoint {
  /** A frame arrives from the medium. `frame[off, off+len)` is valid only during the call. */
  wireReceive(frame: Uint8Array, off: number, len: number): void;
  /** Carrier (link) changed. */
  wireCarrier(up: boolean): void;
}

/** The medium a port transmits into. */
export interface Wire {
  /**
   * Puts a frame on the medium from `from`. The bytes are copied (or fully consumed) before this returns.
   * Returns false if the medium refused it (carrier down, transmitter busy, queue full): the device counts it.
   */
  transmit(from: WireEndpoint, frame: Uint8Array, off: number, len: number): boolean;
  /** Whether the medium currently has carrier as seen from `from`. */
  carrier(from: WireEndpoint): boolean;
}

/** A device model with an Ethernet-like port that can be connected to a {@link Wire}. */
export interface WiredDevice {
  /** Connects the device's port to a medium (replacing any earlier one) and reports the carrier to it. */
  attachWire(wire: Wire): WireEndpoint;
}
