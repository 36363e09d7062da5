/**
 * A tap on a link: sits between a device's port and whatever medium it is plugged into (a cable, a
 * tunnel, a traffic source) and shows every frame crossing it to an observer — a {@link PcapWriter} in
 * the usual case. It is the wire-level equivalent of a network tap or a port mirror: the device and the
 * medium see each other exactly as before.
 *
 * ```ts
 * const pcap = new PcapWriter({ sink, clock });
 * new VirtualCable(clock).connect(tapDevice(nicA, pcap), nicB); // everything on the cable, both ways
 * ```
 *
 * @module
 */
import type { Wire, WireEndpoint, WiredDevice } from '@ifnet/core';
import type { PcapWriter } from './writer.js';

/** `in`: the medium delivered it to the device. `out`: the device transmitted it. */
export type TapDirection = 'in' | 'out';

/** Sees each frame; `frame[off, off+len)` is valid only during the call. */
export type FrameObserver = (frame: Uint8Array, off: number, len: number, dir: TapDirection) => void;

/**
 * Wraps a {@link WiredDevice}: plug the tap into a medium instead of the device. Frames the device
 * transmits are observed before they reach the medium (whether or not the medium takes them, as BPF sees
 * output before the hardware does); frames from the medium are observed, then delivered to the device.
 */
export class WireTap implements WiredDevice, Wire, WireEndpoint {
  private wire: Wire | null = null;
  private port: WireEndpoint | null = null;
  /** Frames observed in each direction. */
  framesIn = 0;
  framesOut = 0;

  constructor(
    readonly device: WiredDevice,
    private readonly observe: FrameObserver,
  ) {}

  // ---- the medium's side: the tap is the device plugged into it --------------------------------

  attachWire(wire: Wire): WireEndpoint {
    this.wire = wire;
    this.port = this.device.attachWire(this);
    return this;
  }

  wireReceive(frame: Uint8Array, off: number, len: number): void {
    this.framesIn++;
    this.observe(frame, off, len, 'in');
    this.port?.wireReceive(frame, off, len);
  }

  wireCarrier(up: boolean): void {
    this.port?.wireCarrier(up);
  }

  // ---- the device's side: the tap is its medium ---------------------------------------------------

  transmit(_from: WireEndpoint, frame: Uint8Array, off: number, len: number): boolean {
    this.framesOut++;
    this.observe(frame, off, len, 'out');
    return this.wire?.transmit(this, frame, off, len) === true;
  }

  carrier(_from: WireEndpoint): boolean {
    return this.wire?.carrier(this) === true;
  }
}

/** A {@link WireTap} that records both directions into `pcap`. */
export function tapDevice(device: WiredDevice, pcap: PcapWriter): WireTap {
  return new WireTap(device, (frame, off, len) => pcap.record(frame, off, len));
}
