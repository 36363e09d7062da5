/**
 * A station: something on the far end of a device's port that is not itself a device model — a traffic
 * generator, a capture sink. It can be used two ways:
 *
 * - **through a medium**: a {@link VirtualCable} connects it like any other {@link WiredDevice}
 *   (`cable.connect(nic, station)`), so serialisation, propagation delay and carrier apply;
 * - **directly**: {@link Station.attach} makes the station itself the device's {@link Wire}. Frames it sends
 *   reach the device at once (the station's own timing is the only timing), and frames the device transmits
 *   come straight to the station. {@link Station.setCarrier} then plays the cable.
 *
 * @module
 */
import type { Wire, WireEndpoint, WiredDevice } from '@ifnet/core';

export abstract class Station implements WiredDevice, WireEndpoint, Wire {
  /** The medium, when connected through one. */
  protected medium: Wire | null = null;
  /** The device's port, when attached directly. */
  protected peer: WireEndpoint | null = null;
  private carrierUp = true;
  /** Carrier as this station sees it (from the medium, or its own in direct mode). */
  linkUp = false;
  /** Transmits the station could not make (no medium, no carrier, medium refused). */
  sendFailures = 0;
  /** Frames a directly attached device sent while the station's carrier was down (refused). */
  refusedFromPeer = 0;

  constructor(readonly name: string) {}

  // ---- WiredDevice: plugged into a medium -------------------------------------------------------

  attachWire(wire: Wire): WireEndpoint {
    this.medium = wire;
    this.peer = null;
    this.linkUp = wire.carrier(this);
    return this;
  }

  // ---- direct attachment: the station is the device's wire ----------------------------------------

  /**
   * Becomes `device`'s medium and reports the carrier to it. Returns the device's port (its
   * {@link WireEndpoint}), which a test or a bench may also feed directly with `wireReceive`.
   */
  attach(device: WiredDevice): WireEndpoint {
    this.medium = null;
    const ep = device.attachWire(this);
    this.peer = ep;
    this.linkUp = this.carrierUp;
    ep.wireCarrier(this.carrierUp);
    return ep;
  }

  /** Direct mode: raises or drops the carrier seen by the attached device (a cable pull). */
  setCarrier(up: boolean): void {
    if (this.carrierUp === up) return;
    this.carrierUp = up;
    if (this.peer !== null) {
      this.linkUp = up;
      this.peer.wireCarrier(up);
    }
  }

  /** Wire (direct mode): the attached device transmits a frame to the station. */
  transmit(from: WireEndpoint, frame: Uint8Array, off: number, len: number): boolean {
    if (from !== this.peer || !this.carrierUp) {
      this.refusedFromPeer++;
      return false;
    }
    this.wireReceive(frame, off, len);
    return true;
  }

  /** Wire (direct mode): carrier as the attached device sees it. */
  carrier(_from: WireEndpoint): boolean {
    return this.carrierUp;
  }

  // ---- WireEndpoint ----------------------------------------------------------------------------

  /** A frame for the station (from the medium or from the directly attached device). */
  abstract wireReceive(frame: Uint8Array, off: number, len: number): void;

  wireCarrier(up: boolean): void {
    this.linkUp = up;
  }

  /** Sends a frame towards the device. Returns false (and counts it) when it could not be sent. */
  protected emit(frame: Uint8Array, off: number, len: number): boolean {
    const peer = this.peer;
    if (peer !== null) {
      if (!this.carrierUp) {
        this.sendFailures++;
        return false;
      }
      peer.wireReceive(frame, off, len);
      return true;
    }
    const m = this.medium;
    if (m?.transmit(this, frame, off, len)) return true;
    this.sendFailures++;
    return false;
  }
}
