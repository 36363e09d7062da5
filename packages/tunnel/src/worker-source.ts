/**
 * A traffic source on the real clock whose frames are generated in a worker thread, truly concurrently
 * with the CPU thread, and handed over through a {@link FrameRing} in a SharedArrayBuffer. The device side
 * is a station (`@ifnet/wire`): a hardware timer on the host's clock drains the ring into the device
 * every `drainInterval` — and since real-clock timers also fire at the CPU's preemption points, the
 * device keeps receiving while the CPU is busy in a long softnet loop, as real hardware would.
 *
 * When the CPU thread cannot keep up (it is busy, the event loop is blocked), frames pile up in the ring
 * and, once it is full, the worker counts them as `ringDropped`: offered load is the worker's, not what
 * the CPU thread found time to generate. The virtual-clock sources (`@ifnet/wire`'s `TrafficSource`) are
 * the deterministic counterpart.
 *
 * ```ts
 * const src = new WorkerTrafficSource(runner.clock, { rate: 200_000, frame: udpFrameBytes, count: 1_000_000 });
 * src.attach(nic);
 * src.start();
 * await src.finished();   // every frame generated and drained
 * ```
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { Clock, HardwareTimer, Nanoseconds } from '@ifnet/core';
import { Station } from '@ifnet/wire';
import {
  FrameRing,
  RING_CONTROL_BYTES,
  RING_DONE,
  RING_DROPPED,
  RING_GENERATED,
  RING_START_MS_BYTE,
  RING_HEAD,
  RING_STOP,
  RING_TAIL,
  SLOT_HEADER,
} from './frame-ring.js';
import { type ProducerData, producerMain } from './traffic-worker.js';

export interface WorkerTrafficOptions {
  /** Frames per second, on the wall clock. */
  rate: number;
  /**
   * The frame to send (a complete Ethernet frame, copied), or several used in turn. Default: one 60-byte
   * frame to the broadcast address, ethertype 0x88B5, from 02:00:00:00:00:fe.
   */
  frames?: Uint8Array | Uint8Array[];
  /** Where the 32-bit big-endian sequence number is stamped. Default 14 (right after the header). */
  seqOffset?: number;
  firstSeq?: number;
  /** Stop after this many frames. Default: until {@link WorkerTrafficSource.stop}. */
  count?: number;
  /** Ring slots (a power of two). Default 1024. */
  ringSlots?: number;
  /** How often the ring is drained into the device. Default 20 µs. */
  drainInterval?: Nanoseconds;
  /** Most frames handed to the device per drain (the rest wait for the next). Default 256. */
  drainBurst?: number;
  name?: string;
  /** Frames the device sends back. */
  onReceive?: (frame: Uint8Array, off: number, len: number) => void;
}

/** The default frame: broadcast, 02:00:00:00:00:fe, ethertype 0x88B5, 60 bytes. */
function defaultFrame(): Uint8Array {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f.set([0x02, 0, 0, 0, 0, 0xfe], 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  for (let i = 18; i < 60; i++) f[i] = i & 0xff;
  return f;
}

/**
 * Counters: `generated` (by the worker), `ringDropped` (the ring was full), `delivered` (handed to the
 * device), `refused` (the medium did not take them), `received` (frames the device sent back), and how
 * long frames waited in the ring (`maxWaitMs`, `meanWaitMs`). At the end,
 * `generated = ringDropped + delivered + refused`.
 */
export class WorkerTrafficSource extends Station {
  delivered = 0;
  refused = 0;
  received = 0;
  maxWaitMs = 0;
  private waitSumMs = 0;
  readonly ring: FrameRing;
  private readonly data: ProducerData;
  private readonly timer: HardwareTimer;
  private readonly interval: Nanoseconds;
  private readonly burst: number;
  private readonly onReceive: WorkerTrafficOptions['onReceive'];
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private running = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    options: WorkerTrafficOptions,
  ) {
    super(options.name ?? 'worker-traffic');
    if (!(options.rate > 0) || !Number.isFinite(options.rate))
      throw new RangeError(`${this.name}: rate ${options.rate}`);
    const frames = options.frames === undefined ? [defaultFrame()] : [options.frames].flat().map((f) => f.slice());
    if (frames.length === 0) throw new RangeError(`${this.name}: no frames`);
    const seqOffset = options.seqOffset ?? 14;
    const maxFrame = Math.max(...frames.map((f) => f.length));
    for (const f of frames) {
      if (seqOffset < 0 || seqOffset + 4 > f.length)
        throw new RangeError(`${this.name}: seqOffset ${seqOffset} outside a frame`);
    }
    this.ring = new FrameRing({ slots: options.ringSlots ?? 1024, maxFrame });
    this.interval = options.drainInterval ?? 20_000;
    this.burst = options.drainBurst ?? 256;
    this.onReceive = options.onReceive;
    this.data = {
      sab: this.ring.sab,
      slots: this.ring.slots,
      slotBytes: this.ring.slotBytes,
      control: {
        head: RING_HEAD,
        tail: RING_TAIL,
        dropped: RING_DROPPED,
        stop: RING_STOP,
        done: RING_DONE,
        generated: RING_GENERATED,
        startMs: RING_START_MS_BYTE,
        bytes: RING_CONTROL_BYTES,
      },
      slotHeader: SLOT_HEADER,
      frames,
      seqOffset,
      firstSeq: options.firstSeq ?? 0,
      rate: options.rate,
      count: options.count ?? -1,
    };
    this.timer = clock.createTimer(`${this.name}.drain`, () => this.drain());
  }

  /** Frames the worker generated so far. */
  get generated(): number {
    return Atomics.load(this.ring.ctrl, RING_GENERATED);
  }

  /**
   * When the first frame was due, in ms since the Unix epoch (`performance.timeOrigin + performance.now()`
   * in the worker); NaN until the worker has started. Frame `firstSeq + n` was due `n / rate` seconds
   * later: what a receiver needs to measure latency from the wire.
   */
  get startMs(): number {
    return this.ring.view.getFloat64(RING_START_MS_BYTE, true);
  }

  /** Frames the worker could not write because the ring was full. */
  get ringDropped(): number {
    return Atomics.load(this.ring.ctrl, RING_DROPPED);
  }

  /** Mean time frames waited in the ring before reaching the device (ms). */
  get meanWaitMs(): number {
    const n = this.delivered + this.refused;
    return n === 0 ? 0 : this.waitSumMs / n;
  }

  /** Starts the worker and the drain timer. */
  start(): void {
    if (this.worker !== null) return;
    const w = new Worker(`(${producerMain.toString()})()`, { eval: true, workerData: this.data });
    this.worker = w;
    this.running = true;
    this.exited = new Promise((resolve) => w.once('exit', () => resolve()));
    w.once('error', () => {
      Atomics.store(this.ring.ctrl, RING_DONE, 1);
    });
    this.timer.arm(this.clock.now() + this.interval);
  }

  /** Asks the worker to stop, waits for it, and drains what is left in the ring. */
  async stop(): Promise<void> {
    Atomics.store(this.ring.ctrl, RING_STOP, 1);
    Atomics.notify(this.ring.ctrl, RING_STOP);
    await this.exited;
    while (this.running) this.drain();
  }

  /** Resolves when the worker has finished (its count reached, or stopped) and the ring is empty. */
  finished(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Timer: hands up to `drainBurst` waiting frames to the device. */
  private drain(): void {
    const ring = this.ring;
    const ctrl = ring.ctrl;
    let head = Atomics.load(ctrl, RING_HEAD);
    const tail = Atomics.load(ctrl, RING_TAIL);
    const nowMs = performance.timeOrigin + performance.now();
    let n = 0;
    while (head !== tail && n < this.burst) {
      const off = ring.slotOffset(head);
      const len = ring.view.getUint32(off, true);
      const waited = nowMs - ring.view.getFloat64(off + 8, true);
      this.waitSumMs += waited;
      if (waited > this.maxWaitMs) this.maxWaitMs = waited;
      if (this.emit(ring.bytes, off + SLOT_HEADER, len)) this.delivered++;
      else this.refused++;
      head = (head + 1) | 0;
      n++;
    }
    Atomics.store(ctrl, RING_HEAD, head);
    if (head !== Atomics.load(ctrl, RING_TAIL) || Atomics.load(ctrl, RING_DONE) === 0) {
      this.timer.arm(this.clock.now() + this.interval);
      return;
    }
    this.running = false;
    for (const w of this.waiters.splice(0)) w();
  }

  wireReceive(frame: Uint8Array, off: number, len: number): void {
    this.received++;
    this.onReceive?.(frame, off, len);
  }
}
