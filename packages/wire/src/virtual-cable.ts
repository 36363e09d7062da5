/**
 * A virtual cable: the {@link Wire} between two Ethernet-like ports.
 *
 * Each direction (a *lane*) is an independent transmitter with a bit rate and a propagation delay. A frame
 * handed to {@link VirtualCable.transmit} starts serialising when the lane's transmitter is free (right
 * away, or when the previous frame and its inter-frame gap are done), and arrives at the far port when its
 * last bit has crossed: `start + arrival bytes × 8 / bitRate + delay` (rounded up to a whole ns). Frames
 * queued behind a busy
 * transmitter wait in the lane's in-flight FIFO; when the FIFO (a fixed number of frames backed by one
 * preallocated byte ring) is full, the frame is refused as `busy`.
 *
 * Everything happens on the clock, as hardware: delivery is a {@link HardwareTimer} per lane, armed for the
 * head of the FIFO. Transmitting and delivering allocate nothing, so a cable can carry millions of frames
 * without the garbage collector noticing.
 *
 * Carrier: {@link VirtualCable.unplug} drops the carrier at both ends (frames in flight are lost, counted as
 * `lost-in-flight`) and tells both ports through `wireCarrier(false)`; {@link VirtualCable.plug} restores it.
 *
 * Accounting, per lane: `offered = delivered + inFlight + Σ dropped`, where the drop reasons are
 * `carrier-down` (no carrier or no far end), `busy` (FIFO or ring full), `oversize` (longer than
 * `maxFrame`), `invalid` (empty or out-of-range frame) and `lost-in-flight` (unplugged while crossing).
 *
 * @module
 */
import type { Clock, HardwareTimer, Nanoseconds, Wire, WireEndpoint, WiredDevice } from '@ifnet/core';
import { copyFrame } from './copy.js';
import { type Framing, arrivalBytes, nsPerByte, occupancyBytes } from './framing.js';

/** Why a lane refused or lost a frame. */
export type CableDropReason = 'carrier-down' | 'busy' | 'oversize' | 'invalid' | 'lost-in-flight';

/** Options of one direction of a cable. */
export interface CableLaneOptions {
  /** Bits per second. Default 1 Gb/s. `Infinity` makes serialisation free. */
  bitRate?: number;
  /** Propagation delay in ns. Default 500 ns (about 100 m of copper). */
  delay?: Nanoseconds;
}

export interface VirtualCableOptions extends CableLaneOptions {
  /** Name for diagnostics and timer names. Default `cable`. */
  name?: string;
  /** Framing overhead model ({@link Framing}). Default `ethernet`. */
  framing?: Framing;
  /** Overrides for the direction from the first device given to {@link VirtualCable.connect} to the second. */
  aToB?: CableLaneOptions;
  /** Overrides for the direction from the second device to the first. */
  bToA?: CableLaneOptions;
  /** Frames that may be in flight per direction (queued behind the transmitter or crossing). Default 256. */
  maxInFlight?: number;
  /** Bytes of the per-direction ring holding frames in flight. Default 256 KiB. */
  ringBytes?: number;
  /** Longest frame accepted, in bytes without FCS. Default 16,384 (jumbo frames pass). */
  maxFrame?: number;
}

/** Counters of one direction. Plain numbers; read freely, never write. */
export interface CableLaneStats {
  /** Frames handed to the lane (accepted or not). */
  offered: number;
  bytesOffered: number;
  /** Frames accepted onto the medium. */
  sent: number;
  /** Frames that reached the far port. */
  delivered: number;
  bytesDelivered: number;
  /** Frames refused or lost, by reason. */
  dropped: Record<CableDropReason, number>;
}

/** One direction of the cable: a transmitter, a FIFO of frames in flight and a delivery timer. */
export class CableLane {
  readonly stats: CableLaneStats = {
    offered: 0,
    bytesOffered: 0,
    sent: 0,
    delivered: 0,
    bytesDelivered: 0,
    dropped: { 'carrier-down': 0, busy: 0, oversize: 0, invalid: 0, 'lost-in-flight': 0 },
  };
  /** The port frames are delivered to. */
  to: WireEndpoint | null = null;
  readonly bitRate: number;
  readonly delay: Nanoseconds;
  private readonly nsPerByte: number;
  private readonly ring: Uint8Array;
  private tail = 0;
  private readonly fOff: Int32Array;
  private readonly fLen: Int32Array;
  private readonly fAt: Float64Array;
  private fHead = 0;
  private fCount = 0;
  /** When the transmitter is free for the next frame. */
  private busyUntil: Nanoseconds = 0;
  private readonly timer: HardwareTimer;
  /** Bumped by {@link flush}, so a delivery loop notices it was flushed under its feet. */
  private generation = 0;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly framing: Framing,
    options: CableLaneOptions,
    maxInFlight: number,
    ringBytes: number,
    private readonly maxFrame: number,
  ) {
    this.bitRate = options.bitRate ?? 1e9;
    this.delay = options.delay ?? 500;
    if (!(this.delay >= 0)) throw new RangeError(`${name}: delay must be >= 0, got ${this.delay}`);
    this.nsPerByte = nsPerByte(this.bitRate);
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`${name}: maxInFlight ${maxInFlight}`);
    if (!Number.isInteger(ringBytes) || ringBytes < 64) throw new RangeError(`${name}: ringBytes ${ringBytes}`);
    this.ring = new Uint8Array(ringBytes);
    this.fOff = new Int32Array(maxInFlight);
    this.fLen = new Int32Array(maxInFlight);
    this.fAt = new Float64Array(maxInFlight);
    this.timer = clock.createTimer(name, () => this.deliver());
  }

  /** Frames queued or crossing. */
  get inFlight(): number {
    return this.fCount;
  }

  /** Serialisation time of a frame of `len` bytes until its last bit is out (no gap). */
  serialisation(len: number): Nanoseconds {
    return arrivalBytes(len, this.framing) * this.nsPerByte;
  }

  /** Accepts a frame onto the lane, or counts why not. `carrier` is the cable's carrier state. */
  send(frame: Uint8Array, off: number, len: number, carrier: boolean): boolean {
    const s = this.stats;
    s.offered++;
    s.bytesOffered += Math.max(len, 0);
    if (!(len > 0) || off < 0 || off + len > frame.length) {
      s.dropped.invalid++;
      return false;
    }
    if (!carrier || this.to === null) {
      s.dropped['carrier-down']++;
      return false;
    }
    if (len > this.maxFrame || len > this.ring.length) {
      s.dropped.oversize++;
      return false;
    }
    const pos = this.fCount < this.fOff.length ? this.alloc(len) : -1;
    if (pos < 0) {
      s.dropped.busy++;
      return false;
    }
    copyFrame(this.ring, pos, frame, off, len);
    const now = this.clock.now();
    const start = Math.max(now, this.busyUntil);
    // Delivered on a whole nanosecond (the clock's resolution), rounded up; the transmitter's own
    // timeline stays exact, so rates like 10 Gb/s (0.8 ns per byte) do not drift.
    const at = Math.ceil(start + arrivalBytes(len, this.framing) * this.nsPerByte + this.delay);
    this.busyUntil = start + occupancyBytes(len, this.framing) * this.nsPerByte;
    const cap = this.fOff.length;
    const slot = (this.fHead + this.fCount) % cap;
    this.fOff[slot] = pos;
    this.fLen[slot] = len;
    this.fAt[slot] = at;
    this.fCount++;
    this.tail = pos + len;
    s.sent++;
    if (this.fCount === 1) this.timer.arm(at);
    return true;
  }

  /** Finds `len` contiguous ring bytes after the newest frame, or -1. */
  private alloc(len: number): number {
    if (this.fCount === 0) return len <= this.ring.length ? 0 : -1;
    const h = this.fOff[this.fHead];
    const t = this.tail;
    if (t > h) {
      if (this.ring.length - t >= len) return t;
      return h >= len ? 0 : -1;
    }
    if (t < h) return h - t >= len ? t : -1;
    return -1; // t === h with frames queued: full
  }

  /** Timer: hands every frame whose time has come to the far port. */
  private deliver(): void {
    const now = this.clock.now();
    const cap = this.fOff.length;
    const s = this.stats;
    const gen = this.generation;
    while (this.fCount > 0 && this.fAt[this.fHead] <= now) {
      const h = this.fHead;
      const len = this.fLen[h];
      const to = this.to;
      if (to !== null) to.wireReceive(this.ring, this.fOff[h], len);
      if (gen !== this.generation) return; // unplugged from inside the receiver
      this.fHead = (h + 1) % cap;
      this.fCount--;
      s.delivered++;
      s.bytesDelivered += len;
    }
    if (this.fCount > 0) this.timer.arm(this.fAt[this.fHead]);
  }

  /** Loses every frame in flight (carrier lost). */
  flush(): void {
    this.generation++;
    this.stats.dropped['lost-in-flight'] += this.fCount;
    this.fCount = 0;
    this.fHead = 0;
    this.tail = 0;
    this.timer.cancel();
    this.busyUntil = this.clock.now();
  }
}

/**
 * A cable between two {@link WiredDevice}s (device models, traffic sources, sinks).
 *
 * ```ts
 * const cable = new VirtualCable(sim.clock, { bitRate: 1e9, delay: 500 });
 * cable.connect(nicA, nicB);
 * // ... later
 * cable.unplug();   // both ports see wireCarrier(false)
 * cable.plug();
 * ```
 */
export class VirtualCable implements Wire {
  readonly name: string;
  /** From the first device given to {@link connect} to the second. */
  readonly aToB: CableLane;
  /** From the second device to the first. */
  readonly bToA: CableLane;
  private a: WireEndpoint | null = null;
  private b: WireEndpoint | null = null;
  private plugged = true;
  /** Carrier notifications sent to the ends (both ends count once per change). */
  carrierChanges = 0;
  /** Transmit calls from an endpoint that is not one of this cable's ends (refused). */
  foreignTransmits = 0;

  constructor(
    readonly clock: Clock,
    options: VirtualCableOptions = {},
  ) {
    this.name = options.name ?? 'cable';
    const framing = options.framing ?? 'ethernet';
    const maxInFlight = options.maxInFlight ?? 256;
    const ringBytes = options.ringBytes ?? 256 * 1024;
    const maxFrame = options.maxFrame ?? 16384;
    const base: CableLaneOptions = { bitRate: options.bitRate, delay: options.delay };
    this.aToB = new CableLane(
      `${this.name}.a->b`,
      clock,
      framing,
      { ...stripUndefined(base), ...stripUndefined(options.aToB ?? {}) },
      maxInFlight,
      ringBytes,
      maxFrame,
    );
    this.bToA = new CableLane(
      `${this.name}.b->a`,
      clock,
      framing,
      { ...stripUndefined(base), ...stripUndefined(options.bToA ?? {}) },
      maxInFlight,
      ringBytes,
      maxFrame,
    );
  }

  /**
   * Plugs `a` into one end and `b` into the other, then reports the carrier to both. A cable connects one
   * pair, once.
   */
  connect(a: WiredDevice, b: WiredDevice): this {
    if (this.a !== null) throw new Error(`${this.name}: already connected`);
    const ea = a.attachWire(this);
    const eb = b.attachWire(this);
    this.a = ea;
    this.b = eb;
    this.aToB.to = eb;
    this.bToA.to = ea;
    if (this.plugged) this.notify(true);
    return this;
  }

  /** Whether the cable is plugged in (carrier possible). */
  get pluggedIn(): boolean {
    return this.plugged;
  }

  /** Pulls the cable: carrier down at both ends, frames in flight lost. No-op when already unplugged. */
  unplug(): void {
    if (!this.plugged) return;
    this.plugged = false;
    this.aToB.flush();
    this.bToA.flush();
    this.notify(false);
  }

  /** Plugs the cable back in: carrier up at both ends. No-op when plugged. */
  plug(): void {
    if (this.plugged) return;
    this.plugged = true;
    this.notify(true);
  }

  private notify(up: boolean): void {
    if (this.a === null || this.b === null) return;
    this.carrierChanges++;
    this.a.wireCarrier(up);
    this.b.wireCarrier(up);
  }

  transmit(from: WireEndpoint, frame: Uint8Array, off: number, len: number): boolean {
    const carrier = this.plugged && this.a !== null;
    if (from === this.a) return this.aToB.send(frame, off, len, carrier);
    if (from === this.b) return this.bToA.send(frame, off, len, carrier);
    this.foreignTransmits++;
    return false;
  }

  carrier(_from: WireEndpoint): boolean {
    return this.plugged && this.a !== null && this.b !== null;
  }

  /** The lane that carries frames sent by `from`. */
  laneFrom(from: WireEndpoint): CableLane | undefined {
    return from === this.a ? this.aToB : from === this.b ? this.bToA : undefined;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
