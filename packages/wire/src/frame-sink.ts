/**
 * A frame sink: captures or counts what a device transmits (gVisor's channel endpoint, outbound side).
 *
 * @module
 */
import type { Clock, Nanoseconds } from '@ifnet/core';
import { Station } from './station.js';

/** One captured frame: when it arrived and a copy of its bytes (no FCS). */
export interface CapturedFrame {
  /** Clock time of arrival (NaN when the sink has no clock). */
  readonly at: Nanoseconds;
  readonly bytes: Uint8Array;
}

export interface FrameSinkOptions {
  /** Name for diagnostics. Default `sink`. */
  name?: string;
  /** Timestamps captures with this clock. */
  clock?: Clock;
  /** Keep copies of received frames in {@link FrameSink.frames}. Default true. Copies allocate: tests only. */
  capture?: boolean;
  /** At most this many frames are kept; later ones are only counted. Default 10,000. */
  maxCaptured?: number;
  /** Called for every frame; `frame[off, off+len)` is valid only during the call. Must not keep it. */
  onFrame?: (frame: Uint8Array, off: number, len: number) => void;
}

/**
 * Captures frames that reach it, and can inject frames towards the device ({@link FrameSink.send}).
 *
 * ```ts
 * const sink = new FrameSink({ clock: sim.clock });
 * const port = sink.attach(nic);         // direct: the sink is the NIC's wire
 * sink.send(frameBytes);                  // the NIC receives it now
 * sim.runUntilIdle();
 * expect(sink.frames[0].bytes).toEqual(...); // what the NIC transmitted
 * ```
 */
export class FrameSink extends Station {
  readonly frames: CapturedFrame[] = [];
  /** Frames received (captured or not). */
  received = 0;
  bytes = 0;
  /** Frames counted but not kept because {@link FrameSinkOptions.maxCaptured} was reached. */
  notCaptured = 0;
  private readonly clock: Clock | undefined;
  private readonly capture: boolean;
  private readonly maxCaptured: number;
  private readonly onFrame: ((frame: Uint8Array, off: number, len: number) => void) | undefined;

  constructor(options: FrameSinkOptions = {}) {
    super(options.name ?? 'sink');
    this.clock = options.clock;
    this.capture = options.capture ?? true;
    this.maxCaptured = options.maxCaptured ?? 10_000;
    this.onFrame = options.onFrame;
  }

  wireReceive(frame: Uint8Array, off: number, len: number): void {
    this.received++;
    this.bytes += len;
    this.onFrame?.(frame, off, len);
    if (!this.capture) return;
    if (this.frames.length >= this.maxCaptured) {
      this.notCaptured++;
      return;
    }
    this.frames.push({ at: this.clock?.now() ?? Number.NaN, bytes: frame.slice(off, off + len) });
  }

  /** Sends `bytes[off, off+len)` towards the device. Returns false when it could not be sent. */
  send(bytes: Uint8Array, off = 0, len: number = bytes.length - off): boolean {
    return this.emit(bytes, off, len);
  }

  /** Forgets captured frames (counters stay). */
  clear(): void {
    this.frames.length = 0;
  }
}
