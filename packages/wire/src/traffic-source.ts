/**
 * A traffic generator on the far end of a device's port: frames at a constant rate or with Poisson
 * arrivals, of a fixed size or sizes from a list, built from a template, on the clock as hardware.
 *
 * @module
 */
import { type Clock, type HardwareTimer, type Nanoseconds, NS_PER_SEC, Prng } from '@ifnet/core';
import { Station } from './station.js';

/** Byte offset of the 32-bit big-endian sequence number in every generated frame (right after the header). */
export const TRAFFIC_SEQ_OFFSET = 14;
/** Byte offset where the payload pattern starts. */
export const TRAFFIC_PAYLOAD_OFFSET = 18;
/** Smallest frame a traffic source can build (header + sequence number). */
export const TRAFFIC_MIN_FRAME = 18;

export interface TrafficSourceOptions {
  /** Name for diagnostics and the timer. Default `traffic`. */
  name?: string;
  /** Frames per second (mean rate for Poisson arrivals). */
  rate: number;
  /** `constant`: exactly every 1/rate (rounded to the ns); `poisson`: exponential gaps. Default `constant`. */
  arrivals?: 'constant' | 'poisson';
  /** Seed of the source's own PRNG (Poisson gaps, random sizes). Default 1. Ignored when `prng` is given. */
  seed?: number;
  /** A PRNG to draw from instead of a private one. */
  prng?: Prng;
  /** Frame length in bytes without FCS, or a list of lengths. Default 60 (minimum Ethernet frame). */
  size?: number | readonly number[];
  /** With a list of sizes: take them in turn (`cycle`, default) or draw uniformly (`random`). */
  sizeOrder?: 'cycle' | 'random';
  /** Destination MAC. Default broadcast. */
  dst?: Uint8Array;
  /** Source MAC. Default 02:00:00:00:00:fe (locally administered). */
  src?: Uint8Array;
  /** Ethertype. Default 0x88B5 (IEEE local experimental). */
  ethertype?: number;
  /** Payload byte at payload index `i` (after the sequence number). Default `i & 0xff`. Computed once. */
  pattern?: (i: number) => number;
  /**
   * A complete frame to send instead of the built-in `dst | src | ethertype | seq | pattern` one (for
   * example an Ethernet + IPv4 + UDP datagram with the UDP checksum off). `size` then defaults to its length
   * and may not exceed it; `dst`, `src`, `ethertype` and `pattern` are ignored. Copied.
   */
  template?: Uint8Array;
  /** Where the 32-bit big-endian sequence number goes. Default {@link TRAFFIC_SEQ_OFFSET} (14). */
  seqOffset?: number;
  /** Stop after this many frames. Default unlimited. */
  count?: number;
  /** First sequence number. Default 0. */
  firstSeq?: number;
  /** Called for every frame the device sends back; `frame[off, off+len)` is valid only during the call. */
  onReceive?: (frame: Uint8Array, off: number, len: number) => void;
}

/**
 * Generates frames: `dst | src | ethertype | seq (u32 BE) | pattern...`. Each frame is written into one
 * reused buffer (only the sequence number changes) and handed to the medium as an exact-length view, so
 * generating allocates nothing.
 *
 * `offered` counts every frame generated; `refused` those the medium did not take (carrier down, cable
 * busy). Frames the device sends towards the source are counted in `received`.
 *
 * ```ts
 * const gen = new TrafficSource(sim.clock, { rate: 2e6, size: 60, dst: nicMac, count: 100_000 });
 * gen.attach(nic);          // or new VirtualCable(clock).connect(nic, gen)
 * gen.start();
 * ```
 */
export class TrafficSource extends Station {
  /** Frames per second (see {@link TrafficSource.setRate}). */
  rate: number;
  readonly arrivals: 'constant' | 'poisson';
  /** Frames generated. */
  offered = 0;
  bytesOffered = 0;
  /** Generated frames the medium refused. */
  refused = 0;
  /** Frames received from the device. */
  received = 0;
  /** Sequence number of the next frame. */
  seq: number;
  private readonly clock: Clock;
  private readonly timer: HardwareTimer;
  private readonly prng: Prng;
  private period: Nanoseconds;
  private readonly sizes: Int32Array;
  private readonly randomSizes: boolean;
  private sizeIndex = 0;
  /** One exact-length view per distinct size, over the same buffer. */
  private readonly views: Uint8Array[];
  private readonly buf: Uint8Array;
  private readonly seqOffset: number;
  private readonly limit: number;
  private readonly onReceive: ((frame: Uint8Array, off: number, len: number) => void) | undefined;
  private running = false;
  /** Time of the first frame of the current run and frames generated in it (constant arrivals). */
  private t0: Nanoseconds = 0;
  private n = 0;
  private nextAt: Nanoseconds = 0;

  constructor(clock: Clock, options: TrafficSourceOptions) {
    const name = options.name ?? 'traffic';
    super(name);
    if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new RangeError(`${name}: rate ${options.rate}`);
    this.clock = clock;
    this.rate = options.rate;
    this.arrivals = options.arrivals ?? 'constant';
    this.prng = options.prng ?? new Prng(options.seed ?? 1);
    this.period = NS_PER_SEC / this.rate;
    const template = options.template;
    const sizeList = typeof options.size === 'number' ? [options.size] : (options.size ?? [template?.length ?? 60]);
    if (sizeList.length === 0) throw new RangeError(`${name}: empty size list`);
    for (const s of sizeList) {
      if (!Number.isInteger(s) || s < TRAFFIC_MIN_FRAME || s > 65535) throw new RangeError(`${name}: frame size ${s}`);
    }
    const seqOffset = options.seqOffset ?? TRAFFIC_SEQ_OFFSET;
    if (!Number.isInteger(seqOffset) || seqOffset < 0 || seqOffset + 4 > Math.min(...sizeList)) {
      throw new RangeError(`${name}: sequence number offset ${seqOffset} does not fit the frame sizes`);
    }
    if (template !== undefined && Math.max(...sizeList) > template.length) {
      throw new RangeError(`${name}: frame size larger than the ${template.length}-byte template`);
    }
    this.seqOffset = seqOffset;
    this.sizes = Int32Array.from(sizeList);
    this.randomSizes = options.sizeOrder === 'random';
    const max = Math.max(...sizeList);
    this.buf = new Uint8Array(max);
    this.views = sizeList.map((s) => this.buf.subarray(0, s));
    this.limit = options.count ?? Number.POSITIVE_INFINITY;
    this.seq = options.firstSeq ?? 0;
    this.onReceive = options.onReceive;
    if (template !== undefined) {
      this.buf.set(template.subarray(0, max));
      this.timer = clock.createTimer(name, () => this.fire());
      return;
    }
    // Template: header, then the pattern; the sequence number is written per frame.
    const dst = options.dst ?? new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const src = options.src ?? new Uint8Array([0x02, 0, 0, 0, 0, 0xfe]);
    if (dst.length !== 6 || src.length !== 6) throw new RangeError(`${name}: MAC addresses are 6 bytes`);
    this.buf.set(dst, 0);
    this.buf.set(src, 6);
    const type = options.ethertype ?? 0x88b5;
    this.buf[12] = (type >>> 8) & 0xff;
    this.buf[13] = type & 0xff;
    const pattern = options.pattern ?? ((i: number) => i & 0xff);
    for (let i = TRAFFIC_PAYLOAD_OFFSET; i < max; i++) this.buf[i] = pattern(i - TRAFFIC_PAYLOAD_OFFSET) & 0xff;
    this.timer = clock.createTimer(name, () => this.fire());
  }

  /** Whether the source is generating. */
  get active(): boolean {
    return this.running;
  }

  /** Starts generating; the first frame goes out at `at` (default: now). No-op when running or done. */
  start(at: Nanoseconds = this.clock.now()): void {
    if (this.running || this.offered >= this.limit) return;
    this.running = true;
    this.t0 = at;
    this.n = 0;
    this.nextAt = at;
    this.timer.arm(at);
  }

  /**
   * Changes the rate from the next frame on: a running source keeps its next frame's time and continues
   * at the new rate from there.
   */
  setRate(rate: number): void {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`${this.name}: rate ${rate}`);
    this.rate = rate;
    this.period = NS_PER_SEC / rate;
    this.t0 = this.nextAt;
    this.n = 0;
  }

  /** Stops generating (a later {@link start} resumes with the next sequence number). */
  stop(): void {
    this.running = false;
    this.timer.cancel();
  }

  private nextSizeSlot(): number {
    if (this.sizes.length === 1) return 0;
    if (this.randomSizes) return this.prng.int(this.sizes.length);
    const i = this.sizeIndex;
    this.sizeIndex = (i + 1) % this.sizes.length;
    return i;
  }

  private fire(): void {
    if (!this.running) return;
    const view = this.views[this.nextSizeSlot()];
    writeSeq(this.buf, this.seqOffset, this.seq);
    this.seq = (this.seq + 1) >>> 0;
    this.offered++;
    this.bytesOffered += view.length;
    if (!this.emit(view, 0, view.length)) this.refused++;
    if (this.offered >= this.limit) {
      this.running = false;
      return;
    }
    this.n++;
    if (this.arrivals === 'constant') this.nextAt = this.t0 + Math.round(this.n * this.period);
    else this.nextAt += Math.round(this.prng.exponential(this.period));
    this.timer.arm(this.nextAt);
  }

  wireReceive(frame: Uint8Array, off: number, len: number): void {
    this.received++;
    this.onReceive?.(frame, off, len);
  }
}

function writeSeq(b: Uint8Array, at: number, seq: number): void {
  b[at] = seq >>> 24;
  b[at + 1] = (seq >>> 16) & 0xff;
  b[at + 2] = (seq >>> 8) & 0xff;
  b[at + 3] = seq & 0xff;
}

/** Reads the sequence number of a frame built by a {@link TrafficSource} (`frame[off..]` = frame start). */
export function trafficSeq(frame: Uint8Array, off = 0): number {
  return (
    ((frame[off + TRAFFIC_SEQ_OFFSET] << 24) |
      (frame[off + TRAFFIC_SEQ_OFFSET + 1] << 16) |
      (frame[off + TRAFFIC_SEQ_OFFSET + 2] << 8) |
      frame[off + TRAFFIC_SEQ_OFFSET + 3]) >>>
    0
  );
}
